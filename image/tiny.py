"""The tiny guest: a Debian cloud kernel, a busybox initramfs and an empty qcow2 disk, built
from Debian packages only (no image download)."""
import dataclasses
import gzip
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile

from db import images as images_db
from image import importer
from image import qemu_img

LOG = logging.getLogger(__name__)

KERNEL_PACKAGE = 'linux-image-cloud-amd64'
BUSYBOX = '/bin/busybox'
CMDLINE = 'console=ttyS0 panic=-1 quiet'
DISK_MB = 64
# Loaded in this order: disk first (the marker), then the power button (ACPI shutdown).
MODULES = ('virtio_pci', 'virtio_blk', 'button', 'evdev')
# Words the guest prints; tests and benchmarks look for them in the console log.
BOOT_WORD = 'STRATUS-GUEST booted'
ALIVE_WORD = 'STRATUS-GUEST alive'
DISK_WORD = 'STRATUS-GUEST disk-marker:'

# The guest's /init. It listens to the power button before it says it booted, so a
# shutdown request sent after the boot line is never lost. It writes its own UUID (the SMBIOS one libvirt sets) to the first
# sector of its disk, after printing what an earlier boot left there, so a snapshot can be
# told apart from a fresh disk.
INIT = r'''#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do insmod /lib/mod/$m.ko 2>/dev/null; done
uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null)
for dev in /sys/class/input/event*; do
    if grep -q "Power Button" $dev/device/name 2>/dev/null; then
        ev=/dev/input/${dev##*/}
        for i in 1 2 3 4 5 6 7 8 9 10; do [ -c $ev ] && break; sleep 0.1; done
        (head -c 1 $ev >/dev/null; echo "STRATUS-GUEST power button: off"; sync; poweroff -f) &
    fi
done
sleep 0.2
echo "STRATUS-GUEST booted uuid=$uuid"
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 0.2; done
if [ -b /dev/vda ]; then
    old=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | tr -d '\000' | head -n 1)
    echo "STRATUS-GUEST disk-marker: ${old:-none}"
    echo "STRATUS-MARKER uuid=$uuid" | dd of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null
    sync
fi
n=0
while true; do
    echo "STRATUS-GUEST alive $n"
    n=$((n + 1))
    sleep 2
done
'''


class BuildError(Exception):
    """The tiny guest could not be built (the message says which step and why)."""


class ImageExists(Exception):
    """An image with the tiny guest's name is already registered."""


@dataclasses.dataclass
class TinyGuest:
    """Files of a built tiny guest."""

    kernel: str
    initrd: str
    disk: str
    cmdline: str = CMDLINE


def _run(cmd, cwd=None):
    try:
        return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError as exc:
        raise BuildError('%s is not installed' % cmd[0]) from exc
    except subprocess.CalledProcessError as exc:
        raise BuildError('%s failed: %s' % (' '.join(cmd), exc.stderr.strip())) from exc


def kernel_package(meta=KERNEL_PACKAGE):
    """The versioned kernel package the meta package depends on."""
    out = _run(['apt-cache', 'depends', '--important', meta])
    found = re.findall(r'Depends:\s*(linux-image-\S+)', out)
    if not found:
        raise BuildError('apt-cache found no kernel behind %s' % meta)
    return found[0]


def fetch_kernel(cache_dir, package=None):
    """Directory holding the unpacked kernel package (downloaded once into ``cache_dir``)."""
    package = package or kernel_package()
    root = os.path.join(cache_dir, package)
    if os.path.isdir(os.path.join(root, 'boot')):
        return root
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix='.kernel-', dir=cache_dir)
    try:
        # apt drops privileges to _apt for downloads; a world-writable dir avoids its warning.
        os.chmod(work, 0o777)
        _run(['apt-get', 'download', '-q', package], cwd=work)
        debs = [f for f in os.listdir(work) if f.endswith('.deb')]
        if not debs:
            raise BuildError('apt-get download %s left no .deb' % package)
        _run(['dpkg-deb', '-x', os.path.join(work, debs[0]), os.path.join(work, 'x')])
        os.replace(os.path.join(work, 'x'), root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return root


def _modinfo_depends(path):
    """The ``depends=`` names from a module's .modinfo strings."""
    with open(path, 'rb') as mod:
        match = re.search(rb'\x00depends=([^\x00]*)\x00', mod.read())
    if not match or not match.group(1):
        return []
    return match.group(1).decode().split(',')


def module_files(kernel_root, names=MODULES):
    """[(name, path)] of ``names`` and what they depend on, dependencies first; modules
    built into the kernel are left out."""
    mod_root = os.path.join(kernel_root, 'lib', 'modules')
    version = os.listdir(mod_root)[0]
    base = os.path.join(mod_root, version)
    paths = {}
    for dirpath, _dirs, files in os.walk(os.path.join(base, 'kernel')):
        for name in files:
            if name.endswith('.ko'):
                paths[name[:-3].replace('-', '_')] = os.path.join(dirpath, name)
    ordered = []

    def add(name):
        name = name.replace('-', '_')
        if name in (n for n, _ in ordered) or name not in paths:
            return  # already added, or built in
        for dep in _modinfo_depends(paths[name]):
            add(dep)
        ordered.append((name, paths[name]))

    for name in names:
        add(name)
    return ordered


class _Cpio:
    """Writes a gzip'd newc cpio archive (what the kernel unpacks as initramfs)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name, mode, data=b'', nlink=1):
        fields = (self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0)
        self.ino += 1
        header = b'070701' + b''.join(b'%08X' % f for f in fields)
        self.buf.write(header + name.encode() + b'\x00')
        self._pad()
        self.buf.write(data)
        self._pad()

    def _pad(self):
        self.buf.write(b'\x00' * (-self.buf.tell() % 4))

    def directory(self, name):
        self._entry(name, 0o040755, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def finish(self):
        self._entry('TRAILER!!!', 0)
        return gzip.compress(self.buf.getvalue(), mtime=0)


def build_initramfs(modules, out_path, busybox=BUSYBOX):
    """Write the initramfs: busybox, /init and the given [(name, path)] modules."""
    if not os.path.isfile(busybox):
        raise BuildError('%s is missing (apt-get install busybox-static)' % busybox)
    archive = _Cpio()
    for name in ('bin', 'dev', 'proc', 'sys', 'lib', 'lib/mod'):
        archive.directory(name)
    with open(busybox, 'rb') as src:
        archive.file('bin/busybox', src.read(), 0o755)
    archive.file('init', INIT.encode(), 0o755)
    archive.file('modules.order', ''.join(n + '\n' for n, _ in modules).encode())
    for name, path in modules:
        with open(path, 'rb') as src:
            archive.file('lib/mod/%s.ko' % name, src.read())
    with open(out_path, 'wb') as out:
        out.write(archive.finish())


def build(out_dir, cache_dir):
    """Build (or reuse) the tiny guest's kernel, initrd and disk in ``out_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    kernel_root = fetch_kernel(cache_dir)
    vmlinuz = [f for f in os.listdir(os.path.join(kernel_root, 'boot'))
               if f.startswith('vmlinuz')]
    if not vmlinuz:
        raise BuildError('no vmlinuz in %s' % kernel_root)
    guest = TinyGuest(kernel=os.path.join(out_dir, 'vmlinuz'),
                      initrd=os.path.join(out_dir, 'initrd.gz'),
                      disk=os.path.join(out_dir, 'disk.qcow2'))
    shutil.copyfile(os.path.join(kernel_root, 'boot', vmlinuz[0]), guest.kernel)
    build_initramfs(module_files(kernel_root), guest.initrd)
    if os.path.exists(guest.disk):
        os.unlink(guest.disk)
    qemu_img.create_blank(guest.disk, DISK_MB * 1024 * 1024)
    LOG.info('tiny guest built in %s', out_dir)
    return guest


def registered(db, name):
    """True when an image called ``name`` exists."""
    return any(row['name'] == name for row in images_db.list_(db, {}))


def register(db, store, guest, name):
    """Import the kernel, the initrd and the disk as public images; returns the disk's row,
    whose properties point at the other two (how the libvirt driver boots it)."""
    if registered(db, name):
        raise ImageExists(name)
    kernel = importer.import_file(db, store, guest.kernel, name + '-kernel', 'aki', 'aki')
    ramdisk = importer.import_file(db, store, guest.initrd, name + '-ramdisk', 'ari', 'ari')
    return importer.import_file(db, store, guest.disk, name, 'qcow2', 'bare', properties={
        'kernel_id': kernel['id'], 'ramdisk_id': ramdisk['id'],
        'os_command_line': guest.cmdline, 'hw_disk_bus': 'virtio'})
