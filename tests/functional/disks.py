"""Bytes in an instance's disk, written and checked with qemu-io, as a guest would see them."""
import subprocess

from db import instances

PATTERN_OFFSET = 1024 * 1024  # past any header a tool might rewrite
PATTERN_LENGTH = 64 * 1024


def disk_path(cloud, server_id):
    """The root disk file of the server on the compute host the database names."""
    host = instances.get(cloud.db, server_id)['host']
    path = cloud.computes[host].manager.driver.instance_disk_path({'uuid': server_id})
    assert path, f'{server_id} has no disk on {host}'
    return path


def write_pattern(path, byte):
    """Write PATTERN_LENGTH bytes of ``byte`` (an int) at PATTERN_OFFSET, through qcow2."""
    _qemu_io(path, f'write -P {byte:#x} {PATTERN_OFFSET} {PATTERN_LENGTH}', read_only=False)


def has_pattern(path, byte):
    """True when the guest-visible bytes at PATTERN_OFFSET are all ``byte``."""
    out = _qemu_io(path, f'read -P {byte:#x} {PATTERN_OFFSET} {PATTERN_LENGTH}', check=False)
    return out.returncode == 0 and 'Pattern verification failed' not in out.stdout


def _qemu_io(path, command, check=True, read_only=True):
    # -r -U: a real QEMU holds the image lock; reading beside it is still allowed.
    flags = ['-r', '-U'] if read_only else []
    return subprocess.run(['qemu-io', '-f', 'qcow2', *flags, '-c', command, path],
                          capture_output=True, text=True, check=check, timeout=60)
