"""Disk-image facts read straight from file headers, so the spawn path runs no extra subprocess."""
import os
import struct

GiB = 1024 ** 3
QCOW2_MAGIC = b'QFI\xfb'


def sniff(path):
    """(format, virtual size in bytes) of a cached base: 'qcow2' by its magic, else 'raw'."""
    with open(path, 'rb') as src:
        header = src.read(32)
    if len(header) == 32 and header[:4] == QCOW2_MAGIC:
        # qcow2 header: the virtual size is the big-endian u64 at offset 24.
        return 'qcow2', struct.unpack('>Q', header[24:32])[0]
    return 'raw', os.path.getsize(path)


def overlay_size(root_gb, base_virtual_size):
    """Bytes to grow an overlay to, or None to keep the base's size."""
    wanted = int(root_gb or 0) * GiB
    return wanted if wanted > base_virtual_size else None
