"""Rescue in the libvirt driver: the XML layout, and rescue/unrescue on the real test driver."""
import os
import xml.etree.ElementTree as ET

import libvirt
import pytest

from common import exception
from compute.virt import power_state
from compute.virt.libvirt import config
from compute.virt.libvirt import rescue
from image import qemu_img

UUID = '3f8b1c2d-1111-4222-8333-444455556666'
RESCUE_IMAGE = {'id': '0b5e2c1a-9a3f-4d7e-8f00-0000000000aa', 'disk_format': 'qcow2',
                'properties': {}}


def _targets(xml):
    return [(d.find('source').get('file'), d.find('target').get('dev'))
            for d in ET.fromstring(xml).findall('./devices/disk')]


def test_rescue_disk_goes_first_and_the_root_disk_second():
    guest = config.GuestConfig(uuid=UUID, memory_mb=512, vcpus=1, disk_path='/i/disk',
                               console_log='/i/console.log', rescue_disk_path='/i/disk.rescue',
                               arch='x86_64')
    xml = guest.to_xml()
    assert _targets(xml) == [('/i/disk.rescue', 'vda'), ('/i/disk', 'vdb')]
    assert ET.fromstring(xml).find('os/boot').get('dev') == 'hd'
    plain = config.GuestConfig(uuid=UUID, memory_mb=512, vcpus=1, disk_path='/i/disk',
                               console_log='/i/console.log', arch='x86_64').to_xml()
    assert _targets(plain) == [('/i/disk', 'vda')]


def test_without_disk_drops_it_and_renames_the_rest():
    xml = config.GuestConfig(uuid=UUID, memory_mb=512, vcpus=1, disk_path='/i/disk',
                             console_log='/i/c.log', rescue_disk_path='/i/disk.rescue',
                             arch='x86_64').to_xml()
    assert _targets(config.without_disk(xml, '/i/disk.rescue')) == [('/i/disk', 'vda')]
    assert _targets(config.without_disk(xml, '/elsewhere')) == _targets(xml)


@pytest.fixture
def rescue_base(tmp_path):
    path = str(tmp_path / 'rescue.qcow2')
    qemu_img.create_blank(path, 8 * 2 ** 20)
    return path


@pytest.fixture
def spawned(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    inst_dir = os.path.join(drv.instances_path, instance['uuid'])
    return instance, inst_dir


def _paths(inst_dir):
    return [os.path.join(inst_dir, n) for n in ('disk', 'disk.rescue', 'unrescue.xml')]


def test_rescue_then_unrescue(drv, spawned, rescue_base):
    instance, inst_dir = spawned
    disk, rescue_disk, saved = _paths(inst_dir)
    before = drv._conn().lookupByUUIDString(instance['uuid']).XMLDesc(
        libvirt.VIR_DOMAIN_XML_INACTIVE)
    drv.rescue(instance, RESCUE_IMAGE, rescue_base)
    assert drv.get_power_state(instance) == power_state.RUNNING
    xml = drv.get_domain_xml(instance)
    assert _targets(xml) == [(rescue_disk, 'vda'), (disk, 'vdb')]
    assert config.console_log_path(xml) == os.path.join(inst_dir, 'console.log')
    with open(saved, encoding='utf-8') as src:
        assert src.read() == before
    info = qemu_img.info(rescue_disk)
    assert info['backing-filename'] == drv.image_cache.base_path(RESCUE_IMAGE['id'])
    assert info['virtual-size'] == instance['root_gb'] * 1024 ** 3

    drv.unrescue(instance)
    assert drv.get_power_state(instance) == power_state.RUNNING
    assert _targets(drv.get_domain_xml(instance)) == [(disk, 'vda')]
    assert not os.path.exists(rescue_disk) and not os.path.exists(saved)


def test_rescue_of_a_stopped_guest_runs_the_rescue_domain(drv, spawned, rescue_base):
    instance, _inst_dir = spawned
    drv.power_off(instance, 0)
    drv.rescue(instance, RESCUE_IMAGE, rescue_base)
    assert drv.get_power_state(instance) == power_state.RUNNING


def test_a_failed_rescue_puts_the_guest_back(drv, spawned, tmp_path):
    instance, inst_dir = spawned
    disk, rescue_disk, saved = _paths(inst_dir)
    with pytest.raises(exception.VirtError):
        drv.rescue(instance, RESCUE_IMAGE, str(tmp_path / 'missing.qcow2'))
    assert drv.get_power_state(instance) == power_state.RUNNING
    assert _targets(drv.get_domain_xml(instance)) == [(disk, 'vda')]
    assert not os.path.exists(rescue_disk) and not os.path.exists(saved)


def test_a_failed_rescue_of_a_stopped_guest_leaves_it_stopped(drv, spawned, tmp_path):
    instance, _inst_dir = spawned
    drv.power_off(instance, 0)
    with pytest.raises(exception.VirtError):
        drv.rescue(instance, RESCUE_IMAGE, str(tmp_path / 'missing.qcow2'))
    assert drv.get_power_state(instance) == power_state.SHUTDOWN


def test_unrescue_without_the_saved_xml_drops_the_rescue_disk(drv, spawned, rescue_base):
    instance, inst_dir = spawned
    disk, rescue_disk, saved = _paths(inst_dir)
    drv.rescue(instance, RESCUE_IMAGE, rescue_base)
    os.unlink(saved)
    drv.unrescue(instance)
    assert _targets(drv.get_domain_xml(instance)) == [(disk, 'vda')]
    assert not os.path.exists(rescue_disk)


def test_a_second_rescue_keeps_the_first_saved_domain(drv, spawned, rescue_base):
    # A rescue interrupted after booting the rescue domain (a crash) is rescued again:
    # the domain to go back to is still the original, not the rescue one.
    instance, inst_dir = spawned
    disk, _rescue_disk, _saved = _paths(inst_dir)
    drv.rescue(instance, RESCUE_IMAGE, rescue_base)
    drv.rescue(instance, RESCUE_IMAGE, rescue_base)
    drv.unrescue(instance)
    assert _targets(drv.get_domain_xml(instance)) == [(disk, 'vda')]


def test_rescue_needs_a_guest_and_its_disk(drv, instance, spawned, rescue_base):
    missing = dict(instance, uuid='9b3e1c4a-0000-4000-8000-00000000abcd')
    with pytest.raises(exception.InstanceNotFound):
        drv.rescue(missing, RESCUE_IMAGE, rescue_base)
    _instance, inst_dir = spawned
    os.unlink(os.path.join(inst_dir, 'disk'))
    with pytest.raises(exception.VirtError, match='no root disk'):
        drv.rescue(instance, RESCUE_IMAGE, rescue_base)
    assert not os.path.exists(os.path.join(inst_dir, rescue.UNRESCUE_XML))
