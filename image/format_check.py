"""Upload-time check that image bits are what their disk_format says (Glance's enforcement)."""
from common import exception
from image import qemu_img

# disk_format → the name qemu-img gives that format when it probes the bytes.
# ami/ari/aki/ploop are absent: no probe tells them apart from raw, so they go unchecked.
_QEMU_NAMES = {'raw': 'raw', 'iso': 'raw', 'qcow2': 'qcow2', 'vmdk': 'vmdk', 'vhd': 'vpc',
               'vhdx': 'vhdx', 'vdi': 'vdi'}
# The VMDK subformats that keep all data in the one file (Glance allows only these).
_VMDK_TYPES = ('monolithicSparse', 'streamOptimized')
# Probing reads headers only; a slow probe means something is wrong with the file.
TIMEOUT = 30


def check(path, disk_format):
    """Invalid (400) unless the file at ``path`` probes as ``disk_format`` and stands alone.

    A mismatch is how a "raw" upload smuggles in a qcow2 header that points at host
    files; refusing it at upload keeps it out of every compute host's image cache.
    """
    want = _QEMU_NAMES.get(disk_format)
    if want is None:
        return
    try:
        info = qemu_img.info(path, timeout=TIMEOUT)
    except exception.VirtError as exc:
        raise exception.Invalid(f'Image content could not be inspected: {exc}') from None
    found = info.get('format')
    if found != want:
        raise exception.Invalid(f"Image content is {found}, which does not match its "
                                f"disk_format '{disk_format}'.")
    specific = (info.get('format-specific') or {}).get('data') or {}
    if info.get('backing-filename') or specific.get('data-file'):
        raise exception.Invalid('Image refers to other files (a backing or data file).')
    if found == 'vmdk' and specific.get('create-type') not in _VMDK_TYPES:
        raise exception.Invalid(f"VMDK create-type {specific.get('create-type')!r} is not "
                                'allowed.')
