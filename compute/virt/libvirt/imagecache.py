"""Base images under <instances_path>/_base, copied from the image store once per image."""
import hashlib
import logging
import os
import shutil
import tempfile
import threading

from common import exception
from compute.virt.libvirt import disk
from image import qemu_img

LOG = logging.getLogger(__name__)

# Formats an overlay may sit on directly; anything else is converted to qcow2 once.
BACKING_FORMATS = ('raw', 'qcow2')
# Glance disk_format names that qemu-img reports under another name.
_QEMU_FORMAT = {'ami': 'raw', 'ari': 'raw', 'aki': 'raw', 'iso': 'raw', 'vhd': 'vpc'}


class ImageCache:
    """Fills ``base_dir`` with one file per image, named by the SHA-1 of the image id."""

    def __init__(self, base_dir):
        self.base_dir = base_dir
        self._guard = threading.Lock()
        self._locks = {}
        self._facts = {}

    def base_path(self, image_id):
        return os.path.join(self.base_dir, hashlib.sha1(image_id.encode()).hexdigest())

    def _lock(self, path):
        with self._guard:
            return self._locks.setdefault(path, threading.Lock())

    def fetch(self, image_id, image_path, checksum=None, disk_format=None):
        """(base path, format, virtual size) for the image, copying it in on first use."""
        path = self.base_path(image_id)
        facts = self._facts.get(path)
        if facts is not None and os.path.exists(path):
            return (path,) + facts
        with self._lock(path):
            if not os.path.exists(path):
                self._fill(path, image_path, checksum, disk_format)
            facts = self._facts[path] = disk.sniff(path)
        return (path,) + facts

    def new_overlay(self, base, base_format, size_bytes, path):
        """Write an empty qcow2 overlay of ``base`` at ``path``.

        An empty overlay holds nothing but the backing file's path, format and
        the size, so one made by qemu-img per (base, size) is copied for every
        instance: a file copy instead of starting a qemu-img process per boot.
        """
        template = f'{base}.overlay-{size_bytes or 0}'
        if not os.path.exists(template):
            with self._lock(template):
                if not os.path.exists(template):
                    tmp = f'{template}.tmp-{os.getpid()}-{threading.get_ident()}'
                    qemu_img.create_overlay(base, tmp, base_format=base_format,
                                            size_bytes=size_bytes)
                    os.replace(tmp, template)
        shutil.copyfile(template, path)

    def _fill(self, path, image_path, checksum, disk_format):
        if not os.path.isfile(image_path):
            raise exception.VirtError(reason='image file %s does not exist' % image_path)
        os.makedirs(self.base_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix='.fetch-', dir=self.base_dir)
        os.close(fd)
        try:
            _copy(image_path, tmp, checksum)
            tmp = _normalize(tmp, disk_format)
            os.chmod(tmp, 0o644)
            # Rename last: a concurrent process sees either nothing or a whole base.
            os.replace(tmp, path)
        except BaseException:
            _unlink(tmp)
            _unlink(tmp + '.qcow2')
            raise
        LOG.info('cached image %s as %s', image_path, path)


def _copy(src, dst, checksum):
    """Copy ``src`` to ``dst``; with ``checksum``, verify the md5 on the way."""
    if not checksum:
        shutil.copyfile(src, dst)
        return
    md5 = hashlib.md5(usedforsecurity=False)
    with open(src, 'rb') as inp, open(dst, 'wb') as out:
        for block in iter(lambda: inp.read(1 << 20), b''):
            md5.update(block)
            out.write(block)
    if md5.hexdigest() != checksum.lower():
        raise exception.VirtError(
            reason='image %s checksum %s does not match %s' % (src, md5.hexdigest(), checksum))


def _normalize(path, disk_format):
    """Check the copied image is safe to back an overlay; convert odd formats to qcow2."""
    info = qemu_img.info(path)
    found = info['format']
    declared = _QEMU_FORMAT.get(disk_format, disk_format)
    # A declared format that disagrees with the bytes is how a "raw" image smuggles
    # in a qcow2 header pointing at host files; refuse it.
    if declared and declared != found:
        raise exception.VirtError(
            reason='image declared %s but its content is %s' % (disk_format, found))
    data_file = (info.get('format-specific') or {}).get('data', {}).get('data-file')
    if info.get('backing-filename') or data_file:
        raise exception.VirtError(reason='image refers to other files; refusing it')
    if found in BACKING_FORMATS:
        return path
    converted = path + '.qcow2'
    qemu_img.convert(path, converted, 'qcow2', src_format=found)
    _unlink(path)
    return converted


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
