"""Thin wrapper over the qemu-img binary (subprocess, never a shell)."""
import json
import subprocess

from common import exception

QEMU_IMG = 'qemu-img'
TIMEOUT = 600


def _run(args, timeout=TIMEOUT):
    """Run qemu-img with ``args``; VirtError carrying its stderr on failure."""
    cmd = [QEMU_IMG] + [str(a) for a in args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise exception.VirtError(reason='%s: %s' % (' '.join(cmd[:2]), exc)) from exc
    if proc.returncode != 0:
        msg = proc.stderr.strip() or 'exit status %d' % proc.returncode
        raise exception.VirtError(reason='qemu-img %s failed: %s' % (args[0], msg))
    return proc.stdout


def info(path, fmt=None, timeout=TIMEOUT):
    """Parsed ``qemu-img info --output=json``: format, virtual-size, actual-size, ...

    ``backing-filename`` is None when the image has no backing file.
    """
    # --force-share lets us inspect disks a running qemu holds a lock on.
    args = ['info', '--output=json', '--force-share']
    if fmt:
        args += ['-f', fmt]
    data = json.loads(_run(args + [path], timeout=timeout))
    data.setdefault('backing-filename', None)
    return data


def create_overlay(base, overlay, base_format='qcow2', size_bytes=None):
    """Create a qcow2 ``overlay`` backed by ``base``, optionally grown to ``size_bytes``."""
    args = ['create', '-q', '-f', 'qcow2', '-F', base_format, '-b', base, overlay]
    if size_bytes:
        args.append(int(size_bytes))
    _run(args)


def create_blank(path, size_bytes, fmt='qcow2'):
    """Create an empty image of ``size_bytes`` in format ``fmt``."""
    _run(['create', '-q', '-f', fmt, path, int(size_bytes)])


def convert(src, dst, out_format='qcow2', src_format=None, force_share=False):
    """Convert ``src`` into a new image ``dst`` in ``out_format``.

    ``force_share`` reads a source that a running QEMU holds locked (the guest
    must be paused for a consistent copy).
    """
    args = ['convert', '-O', out_format]
    if src_format:
        args += ['-f', src_format]
    if force_share:
        args.append('-U')
    _run(args + [src, dst])


def rebase_unsafe(path, base, base_format):
    """Point the qcow2 ``path`` at ``base`` without copying data: for a disk that moved
    to a host whose cached copy of the same base image lies elsewhere."""
    _run(['rebase', '-u', '-f', 'qcow2', '-F', base_format, '-b', base, path])


def grow(path, size_bytes):
    """Grow the qcow2 ``path`` to ``size_bytes`` (never shrinks: callers check)."""
    _run(['resize', '-q', '-f', 'qcow2', path, int(size_bytes)])
