"""Real QEMU hosts for tests and benchmarks: private libvirtds (devstack/libvirt-host.sh)
and the tiny guest, plus helpers that read a guest's console log and processes."""
import os
import shutil
import subprocess
import time

from image import tiny

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, 'devstack', 'libvirt-host.sh')
# Built once per machine: the kernel package download and the initramfs.
CACHE = os.environ.get('STRATUS_TINY_CACHE', os.path.expanduser('~/.cache/stratus/tiny'))


def missing():
    """Why real guests cannot run here, or None when they can."""
    for tool in ('libvirtd', 'qemu-system-x86_64', 'virsh', 'unshare', 'apt-get'):
        if shutil.which(tool) is None:
            return f'{tool} is not installed (tools/install-deps.sh installs it)'
    if not os.path.exists(tiny.BUSYBOX):
        return 'busybox-static is not installed (tools/install-deps.sh installs it)'
    if os.geteuid() != 0:
        return 'private libvirtd hosts need root (mount namespaces)'
    return None


def script(*args, check=True):
    return subprocess.run([SCRIPT, *args], check=check, capture_output=True, text=True,
                          timeout=120).stdout.strip()


def tiny_files():
    """The built tiny guest (kernel, initrd, disk), reusing the machine's cache."""
    return tiny.build(os.path.join(CACHE, 'build'), os.path.join(CACHE, 'kernel'))


def virt_type(guest):
    """kvm when KVM really boots the tiny guest here, else qemu (the devstack probe)."""
    return script('probe', guest.kernel, guest.initrd)


class Hosts:
    """``count`` private libvirtd hosts under ``root``: host n is <root>/host-n."""

    def __init__(self, root, count, virt):
        self.dirs = [os.path.join(str(root), f'host-{n}') for n in range(1, count + 1)]
        self.virt = virt

    def start(self):
        procs = [subprocess.Popen([SCRIPT, 'start', d, str(n), self.virt],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n, d in enumerate(self.dirs, 1)]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            if proc.returncode:
                self.stop()
                raise RuntimeError(f'libvirt host failed to start: {out}{err}')
        return self

    def uri(self, n):
        return script('uri', self.dirs[n - 1])

    def start_one(self, n):
        script('start', self.dirs[n - 1], str(n), self.virt)

    def kill(self, n):
        """Stop host n's libvirtd, leaving its guests running (a failed host daemon)."""
        script('kill', self.dirs[n - 1])

    def stop(self):
        for d in self.dirs:
            script('stop', d, check=False)

    def compute_settings(self, n):
        """The [libvirt] settings of compute-n."""
        return {('libvirt', 'connection_uri'): self.uri(n),
                ('libvirt', 'virt_type'): self.virt}


def domains(uri):
    """Names of every domain (running or not) of the libvirtd at ``uri``."""
    out = subprocess.run(['virsh', '-c', uri, 'list', '--all', '--name'], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return [line for line in out.split() if line]


def qemu_pids(uuid):
    """PIDs of QEMU processes running the guest ``uuid``."""
    pids = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                cmd = f.read()
        except OSError:
            continue
        if b'qemu-system' in cmd and uuid.encode() in cmd:
            pids.append(int(pid))
    return pids


def rss_kib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def wait_for(predicate, timeout, interval=0.25, what='condition'):
    """predicate()'s first truthy value; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {timeout} s waiting for {what}')
        time.sleep(interval)


def deployment(root, transport_url, hosts, **kwargs):
    """A tests/integration Deployment whose compute-n uses libvirt host n of ``hosts``."""
    from tests.integration import deployment as deployment_mod
    from tests.integration import conftest
    count = len(hosts.dirs)
    return deployment_mod.Deployment(
        os.path.join(str(root), 'cloud'), transport_url, conftest.free_port(),
        compute_hosts=count,
        host_extra={f'compute-{n}': hosts.compute_settings(n) for n in range(1, count + 1)},
        **kwargs)


def seed(dep):
    """Schema, flavors m1.nano (id 42, 128 MiB) and m1.micro (id 84, 192 MiB: a resize's
    target) and the tiny guest as image ``stratus-tiny`` (dep.image_id)."""
    dep.manage('db', 'sync')
    dep.manage('flavor', 'create', 'm1.nano', '--id', '42', '--ram', '128', '--vcpus', '1',
               '--disk', '1')
    dep.manage('flavor', 'create', 'm1.micro', '--id', '84', '--ram', '192', '--vcpus', '1',
               '--disk', '1')
    out = dep.manage('image', 'build-tiny', '--cache-dir', os.path.join(CACHE, 'kernel'))
    dep.image_id = out.strip().splitlines()[-1].split()[0]
    return dep
