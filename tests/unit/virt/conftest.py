"""Virt test fixtures: a conf rooted in tmp_path, a qcow2 base image and instance dicts."""
import pathlib
import subprocess
import sys
import uuid

import pytest

# `pytest` (unlike `python -m pytest`) does not put the repo root on sys.path.
_ROOT = str(pathlib.Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import conf  # noqa: E402

IMAGE_ID = '0b5e2c1a-9a3f-4d7e-8f00-000000000001'


@pytest.fixture
def make_conf(tmp_path):
    """Build a conf whose state lives under tmp_path; keyword args are [libvirt] overrides."""
    def _make(state_dir='state', **libvirt_opts):
        cfg = conf.new_conf(register_messaging=False)
        cfg.set_override('state_path', str(tmp_path / state_dir))
        for name, value in libvirt_opts.items():
            cfg.set_override(name, value, group='libvirt')
        return cfg
    return _make


@pytest.fixture
def base_image(tmp_path):
    """A 16 MiB qcow2 image file, as the image store would hand it over."""
    path = tmp_path / 'base.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path), '16M'], check=True)
    return str(path)


@pytest.fixture
def image():
    return {'id': IMAGE_ID, 'disk_format': 'qcow2', 'properties': {}}


def new_instance(**kw):
    """An instance dict with every key the driver contract requires."""
    inst = {'uuid': str(uuid.uuid4()), 'display_name': 'vm1', 'memory_mb': 512,
            'vcpus': 2, 'root_gb': 1, 'ephemeral_gb': 0,
            'flavor': {'name': 'm1.small', 'extra_specs': {}}, 'image_ref': IMAGE_ID}
    inst.update(kw)
    return inst


@pytest.fixture
def instance():
    return new_instance()


@pytest.fixture
def make_instance():
    return new_instance


@pytest.fixture
def drv(make_conf):
    """A libvirt driver on its own test:/// node (the default connection), closed after."""
    from compute.virt.libvirt import driver as libvirt_driver
    d = libvirt_driver.LibvirtDriver(make_conf(), 'host1')
    d.init_host('host1')
    yield d
    d.cleanup_host()
