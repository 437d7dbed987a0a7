"""The tiny guest's initramfs and module selection (the boot itself: tests/realvirt)."""
import gzip
import os
import shutil
import subprocess

import pytest

from image import tiny


def _module(root, rel, depends):
    path = os.path.join(root, 'lib', 'modules', '6.1.0-test', 'kernel', rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as out:
        out.write(b'\x7fELF junk\x00license=GPL\x00depends=%s\x00vermagic=6.1\x00' %
                  depends.encode())
    return path


def test_module_files_puts_dependencies_first_and_skips_built_ins(tmp_path):
    root = str(tmp_path)
    _module(root, 'drivers/virtio/virtio_ring.ko', '')
    _module(root, 'drivers/virtio/virtio.ko', 'virtio_ring')
    _module(root, 'drivers/virtio/virtio_pci.ko', 'virtio,virtio_ring')
    _module(root, 'drivers/block/virtio_blk.ko', 'virtio,virtio_ring')
    _module(root, 'drivers/acpi/button.ko', '')
    # evdev is absent: built into this kernel.
    names = [name for name, _ in tiny.module_files(root)]
    assert names == ['virtio_ring', 'virtio', 'virtio_pci', 'virtio_blk', 'button']


@pytest.mark.skipif(shutil.which('cpio') is None, reason='cpio is not installed')
def test_initramfs_is_a_newc_archive_the_cpio_tool_unpacks(tmp_path):
    busybox = tmp_path / 'busybox'
    busybox.write_bytes(b'#!/bin/sh\necho fake busybox\n')
    mod = _module(str(tmp_path / 'k'), 'drivers/acpi/button.ko', '')
    out = tmp_path / 'initrd.gz'
    tiny.build_initramfs([('button', mod)], str(out), busybox=str(busybox))
    unpack = tmp_path / 'unpacked'
    unpack.mkdir()
    subprocess.run(['cpio', '-idm', '--quiet'], input=gzip.decompress(out.read_bytes()),
                   cwd=unpack, check=True)
    assert (unpack / 'init').read_text() == tiny.INIT
    assert os.access(unpack / 'init', os.X_OK)
    assert (unpack / 'bin' / 'busybox').read_bytes() == busybox.read_bytes()
    assert (unpack / 'modules.order').read_text() == 'button\n'
    assert (unpack / 'lib' / 'mod' / 'button.ko').read_bytes() == open(mod, 'rb').read()


def test_missing_busybox_is_a_clear_error(tmp_path):
    with pytest.raises(tiny.BuildError, match='busybox-static'):
        tiny.build_initramfs([], str(tmp_path / 'x.gz'), busybox=str(tmp_path / 'none'))


def test_init_prints_the_words_the_tests_look_for():
    for word in (tiny.BOOT_WORD, tiny.ALIVE_WORD, tiny.DISK_WORD):
        assert word.split(' ', 1)[1].split(':')[0] in tiny.INIT
