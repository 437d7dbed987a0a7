"""Put image bits into the store and record them: the operator's `image import` and uploads."""
import logging
import struct

from common import exception
from db import images as images_db
from image import format_check

LOG = logging.getLogger(__name__)
_QCOW2_MAGIC = b'QFI\xfb'


def virtual_size(store, image_id, disk_format, size):
    """The guest-visible disk size in bytes, where it is cheap to know; else None.

    Read from the qcow2 header (bytes 24-31) rather than running qemu-img, so an upload
    never waits on a subprocess.
    """
    if disk_format in ('raw', 'iso'):
        return size
    if disk_format != 'qcow2':
        return None
    try:
        with store.open(image_id) as src:
            header = src.read(32)
    except (OSError, exception.ImageNotFound):
        return None
    if len(header) < 32 or header[:4] != _QCOW2_MAGIC:
        return None
    return struct.unpack('>Q', header[24:32])[0]


def store_bits(db, store, image_id, data, disk_format, check_format=False):
    """Move a ``saving`` image to ``active`` with ``data`` stored; undo on any failure.

    ``check_format`` probes the stored bits against ``disk_format`` (Invalid if they
    differ). On failure the partial bits are removed and the image goes back to
    ``queued`` (if it still exists), so the client may upload again.
    """
    try:
        info = store.put(image_id, data)
        if check_format:
            format_check.check(store.path(image_id), disk_format)
        info['virtual_size'] = virtual_size(store, image_id, disk_format, info['size'])
        return images_db.update(db, image_id, dict(info, status='active'),
                                expected_status='saving')
    except BaseException:
        store.delete(image_id)
        try:
            images_db.update(db, image_id, {'status': 'queued'}, expected_status='saving')
        except exception.StratusError:
            LOG.warning('image %s vanished during its upload', image_id)
        raise


def import_file(db, store, path, name, disk_format='qcow2', container_format='bare',
                visibility='public', owner=None, properties=None):
    """Create an image from a local file and return its row (status active)."""
    row = images_db.create(db, {
        'name': name, 'disk_format': disk_format, 'container_format': container_format,
        'visibility': visibility, 'owner': owner, 'status': 'queued',
        'properties': dict(properties or {})})
    images_db.update(db, row['id'], {'status': 'saving'}, expected_status='queued')
    try:
        with open(path, 'rb') as src:
            return store_bits(db, store, row['id'], src, disk_format)
    except BaseException:
        # A failed import leaves nothing behind: the operator simply runs it again.
        images_db.delete(db, row['id'])
        raise
