"""qemu-img wrapper against the real binary."""
import pytest

from common import exception
from image import qemu_img

MiB = 1024 ** 2


def test_blank_info_overlay_convert(tmp_path):
    base, overlay, raw = (str(tmp_path / n) for n in ('base.qcow2', 'ov.qcow2', 'out.raw'))
    qemu_img.create_blank(base, 16 * MiB)
    info = qemu_img.info(base)
    assert (info['format'], info['virtual-size']) == ('qcow2', 16 * MiB)
    assert info['backing-filename'] is None
    assert info['actual-size'] > 0
    qemu_img.create_overlay(base, overlay, size_bytes=32 * MiB)
    info = qemu_img.info(overlay)
    assert info['backing-filename'] == base
    assert info['virtual-size'] == 32 * MiB
    qemu_img.convert(overlay, raw, 'raw')
    assert qemu_img.info(raw)['format'] == 'raw'


def test_errors_carry_stderr(tmp_path):
    with pytest.raises(exception.VirtError, match='Could not open'):
        qemu_img.info(str(tmp_path / 'missing.qcow2'))
