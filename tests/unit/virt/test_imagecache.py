"""Image cache: one copy per image under _base, checksums, formats, concurrency."""
import hashlib
import os
import threading

import pytest

from common import exception
from compute.virt.libvirt import disk
from compute.virt.libvirt import imagecache
from image import qemu_img

MiB = 1024 ** 2


@pytest.fixture
def cache(tmp_path):
    return imagecache.ImageCache(str(tmp_path / '_base'))


def test_base_path_is_sha1_of_image_id(cache, tmp_path):
    expected = hashlib.sha1(b'abc').hexdigest()
    assert cache.base_path('abc') == str(tmp_path / '_base' / expected)


def test_fetch_returns_format_and_size(cache, base_image):
    path, fmt, size = cache.fetch('img', base_image)
    assert (fmt, size) == ('qcow2', 16 * MiB)
    assert os.path.exists(path)
    assert disk.sniff(path) == ('qcow2', 16 * MiB)


def test_checksum_verified(cache, base_image):
    with open(base_image, 'rb') as src:
        good = hashlib.md5(src.read()).hexdigest()
    assert cache.fetch('img', base_image, checksum=good)[1] == 'qcow2'
    with pytest.raises(exception.VirtError, match='checksum'):
        cache.fetch('other', base_image, checksum='f' * 32)
    assert not os.path.exists(cache.base_path('other'))


def test_concurrent_fetches_copy_once(cache, base_image, monkeypatch):
    copies = []
    real_copy = imagecache._copy
    monkeypatch.setattr(imagecache, '_copy',
                        lambda *a: copies.append(a) or real_copy(*a))
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.fetch('img', base_image)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(copies) == 1
    assert len(set(results)) == 1


def test_foreign_format_is_converted_to_qcow2(cache, tmp_path):
    vmdk = str(tmp_path / 'img.vmdk')
    qemu_img.create_blank(vmdk, 4 * MiB, fmt='vmdk')
    path, fmt, size = cache.fetch('vmdk-img', vmdk, disk_format='vmdk')
    assert (fmt, size) == ('qcow2', 4 * MiB)
    assert qemu_img.info(path)['format'] == 'qcow2'


def test_image_with_backing_file_is_refused(cache, base_image, tmp_path):
    overlay = str(tmp_path / 'evil.qcow2')
    qemu_img.create_overlay(base_image, overlay)
    with pytest.raises(exception.VirtError, match='other files'):
        cache.fetch('evil', overlay)
    assert os.listdir(cache.base_dir) == []


def test_overlay_size():
    assert disk.overlay_size(0, 16 * MiB) is None
    assert disk.overlay_size(1, 16 * MiB) == 1024 * MiB
    assert disk.overlay_size(1, 2048 * MiB) is None


def test_overlays_are_copies_of_one_qemu_img_template(tmp_path):
    import subprocess
    from compute.virt.libvirt import imagecache
    from image import qemu_img
    base = tmp_path / 'base.qcow2'
    qemu_img.create_blank(str(base), 16 * 2 ** 20)
    cache = imagecache.ImageCache(str(tmp_path / '_base'))
    (tmp_path / '_base').mkdir()
    for name in ('a', 'b'):
        cache.new_overlay(str(base), 'qcow2', 2 ** 30, str(tmp_path / name))
    templates = list((tmp_path).glob('base.qcow2.overlay-*'))
    assert len(templates) == 1
    for name in ('a', 'b'):
        info = qemu_img.info(str(tmp_path / name))
        assert info['backing-filename'] == str(base)
        assert info['virtual-size'] == 2 ** 30
        check = subprocess.run(['qemu-img', 'check', str(tmp_path / name)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    # A write into one instance's disk is invisible in another's.
    subprocess.run(['qemu-io', '-c', 'write -P 0xab 0 4k', str(tmp_path / 'a')], check=True,
                   capture_output=True)
    assert subprocess.run(['qemu-io', '-c', 'read -P 0xab 0 4k', str(tmp_path / 'a')],
                          capture_output=True, text=True).stdout.count('read 4096') == 1
    seen_b = subprocess.run(['qemu-io', '-c', 'read -P 0 0 4k', str(tmp_path / 'b')],
                            capture_output=True, text=True)
    assert 'Pattern verification failed' not in seen_b.stdout + seen_b.stderr
