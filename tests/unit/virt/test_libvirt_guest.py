"""The libvirt driver talking to the guest: agent channel, admin password, console log tail."""
import os
import xml.etree.ElementTree as ET

import pytest

from common import exception
from compute import guest as guest_endpoint
from compute.virt.libvirt import config
from compute.virt.libvirt import driver as libvirt_driver
from compute.virt.libvirt import guest

UUID = '3f8b1c2d-1111-4222-8333-444455556666'


def _xml(**kw):
    return config.GuestConfig(uuid=UUID, memory_mb=512, vcpus=1, disk_path='/i/disk',
                              console_log='/i/console.log', arch='x86_64', **kw).to_xml()


def test_agent_channel_only_when_asked():
    xml = _xml(guest_agent=True)
    channel = ET.fromstring(xml).find('./devices/channel')
    assert channel.get('type') == 'unix'
    assert channel.find('source').attrib == {'mode': 'bind'}
    assert channel.find('target').attrib == {'type': 'virtio',
                                             'name': 'org.qemu.guest_agent.0'}
    assert config.has_guest_agent(xml)
    assert not config.has_guest_agent(_xml())
    assert ET.fromstring(_xml()).find('./devices/channel') is None


def test_admin_user_travels_in_the_metadata():
    assert config.admin_user(_xml(admin_user='Administrator')) == 'Administrator'
    assert config.admin_user(_xml()) is None


class _Recording:
    """Stands in front of a real test-driver domain and records password calls."""

    def __init__(self, dom, calls):
        self._dom = dom
        self.calls = calls

    def setUserPassword(self, user, password, flags):
        self.calls.append((user, password, flags))
        return self._dom.setUserPassword(user, password, flags)


@pytest.fixture
def drv(make_conf):
    calls = []

    class Recorder(libvirt_driver.LibvirtDriver):
        def _domain(self, instance):
            return _Recording(super()._domain(instance), calls)

    d = Recorder(make_conf(), 'host1')
    d.init_host('host1')
    d.calls = calls
    yield d
    d.cleanup_host()


def _with_props(image, **props):
    return dict(image, properties=props)


def test_password_goes_to_the_image_admin_user(drv, instance, image, base_image):
    drv.spawn(instance, _with_props(image, hw_qemu_guest_agent='yes',
                                    os_admin_user='Administrator'), base_image)
    drv.set_admin_password(instance, 'pw-1')
    assert drv.calls == [('Administrator', 'pw-1', 0)]


def test_password_defaults_to_root(drv, instance, image, base_image):
    drv.spawn(instance, _with_props(image, hw_qemu_guest_agent='True'), base_image)
    drv.set_admin_password(instance, 'pw-2')
    assert drv.calls == [('root', 'pw-2', 0)]


def test_no_agent_is_not_supported(drv, instance, image, base_image):
    drv.spawn(instance, _with_props(image, hw_qemu_guest_agent='no'), base_image)
    with pytest.raises(exception.NotSupported, match='guest agent'):
        drv.set_admin_password(instance, 'pw-3')
    assert drv.calls == []
    with pytest.raises(exception.InstanceNotFound):
        drv.set_admin_password(dict(instance, uuid=UUID), 'pw-3')


def test_console_output_is_the_tail_of_the_log(drv, instance, image, base_image):
    drv.spawn(instance, image, base_image)
    log_path = config.console_log_path(drv.get_domain_xml(instance))
    assert drv.get_console_output(instance) == b''  # nothing written yet
    data = os.urandom(guest.MAX_CONSOLE_BYTES) + b'tail\n'
    with open(log_path, 'wb') as log:
        log.write(data)
    out = drv.get_console_output(instance)
    assert len(out) == guest.MAX_CONSOLE_BYTES and data.endswith(out)
    with pytest.raises(exception.InstanceNotFound):
        drv.get_console_output(dict(instance, uuid=UUID))


@pytest.mark.parametrize('text,length,expected', [
    ('a\nb\nc\n', None, 'a\nb\nc\n'),
    ('a\nb\nc\n', 2, 'c\n'),
    ('a\nb\nc\n', 3, 'b\nc\n'),
    ('a\nb\nc', 2, 'b\nc'),
    ('a\nb\nc\n', 10, 'a\nb\nc\n'),
    ('a\nb\nc\n', 0, ''),
    ('', 3, ''),
])
def test_tail(text, length, expected):
    assert guest_endpoint.tail(text, length) == expected
