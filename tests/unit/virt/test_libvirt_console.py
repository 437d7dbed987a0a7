"""VNC consoles of the libvirt driver: fixed ports per test:/// host, the XML, the lookups."""
import threading
import xml.etree.ElementTree as ET

import pytest

from common import exception
from compute.virt.libvirt import config
from compute.virt.libvirt import console
from compute.virt.libvirt import driver as libvirt_driver

UUID = '3f8b1c2d-1111-4222-8333-444455556666'


def _guest(**kw):
    args = dict(uuid=UUID, memory_mb=512, vcpus=1, disk_path='/i/disk',
                console_log='/i/console.log', arch='x86_64')
    args.update(kw)
    return config.GuestConfig(**args)


def _graphics(guest):
    return ET.fromstring(guest.to_xml()).find('devices/graphics')


def test_xml_fixed_port_turns_autoport_off():
    graphics = _graphics(_guest(vnc_listen='0.0.0.0', vnc_port=5907))
    assert graphics.attrib == {'type': 'vnc', 'autoport': 'no', 'listen': '0.0.0.0',
                               'port': '5907'}


def test_xml_without_port_lets_libvirt_choose():
    graphics = _graphics(_guest(vnc_listen='192.0.2.5'))
    assert graphics.attrib == {'type': 'vnc', 'autoport': 'yes', 'listen': '192.0.2.5'}


def test_xml_without_vnc_has_no_graphics():
    assert _graphics(_guest(vnc_listen=None, vnc_port=5900)) is None


def test_port_block_depends_on_host_only():
    assert console.port_block(5900, 'compute-1') == console.port_block(5900, 'compute-1')
    assert console.port_block(5900, 'compute-1') != console.port_block(5900, 'compute-2')
    for host in ('a', 'compute-1', 'x' * 300):
        start = console.port_block(7000, host)
        assert 7000 <= start <= 7000 + 99 * console.BLOCK and (start - 7000) % 100 == 0


def test_lowest_free_fills_gaps_and_runs_out():
    assert console.lowest_free(6000, set()) == 6000
    assert console.lowest_free(6000, {6000, 6001, 6003}) == 6002
    assert console.lowest_free(6000, set(range(6000, 6003)), size=3) is None


def test_port_book_keeps_defined_and_reserved_ports():
    book = console.PortBook(6000, size=3)
    assert book.port_for('a', {}) == 6000
    # Reserved before its domain exists: the next spawn must not take it.
    assert book.port_for('b', {}) == 6001
    assert book.port_for('a', {}) == 6000
    # A domain defined elsewhere (another worker) keeps its port.
    assert book.port_for('c', {'z': 6002}) is None
    assert book.port_for('z', {'z': 6002}) == 6002
    book.release('b')
    assert book.port_for('c', {'z': 6002}) == 6001


def test_port_book_under_concurrent_spawns():
    book = console.PortBook(6000)
    got = []
    lock = threading.Lock()

    def take(n):
        port = book.port_for(f'uuid-{n}', {})
        with lock:
            got.append(port)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(6000, 6050))


def test_test_driver_guests_get_distinct_fixed_ports(drv, make_instance, image, base_image):
    first, second, third = make_instance(), make_instance(), make_instance()
    start = console.port_block(5900, 'host1')
    for inst in (first, second, third):
        drv.spawn(inst, image, base_image)
    assert [drv.get_vnc_port(i) for i in (first, second, third)] == [start, start + 1,
                                                                       start + 2]
    live = ET.fromstring(drv.get_domain_xml(first)).find('devices/graphics')
    assert live.get('autoport') == 'no'
    # A freed port is the next one handed out; the others keep theirs.
    drv.destroy(second)
    fourth = make_instance()
    drv.spawn(fourth, image, base_image)
    assert drv.get_vnc_port(fourth) == start + 1
    assert drv.get_vnc_port(third) == start + 2


def test_hard_reboot_keeps_the_port(drv, make_instance, image, base_image):
    other, instance = make_instance(), make_instance()
    drv.spawn(other, image, base_image)
    drv.spawn(instance, image, base_image)
    port = drv.get_vnc_port(instance)
    drv.destroy(other)  # a lower port is free now: the rebooted guest still keeps its own
    drv.reboot(instance, image, base_image, 'HARD', 0)
    assert drv.get_vnc_port(instance) == port


def test_stopped_or_missing_guest_has_no_console(drv, instance, image, base_image):
    with pytest.raises(exception.ConsoleNotAvailable):
        drv.get_vnc_port(instance)
    drv.spawn(instance, image, base_image)
    drv.power_off(instance, 0)
    with pytest.raises(exception.ConsoleNotAvailable, match='not running'):
        drv.get_vnc_port(instance)


def test_vnc_disabled_means_no_graphics(make_conf, instance, image, base_image):
    conf = make_conf()
    conf.set_override('enabled', False, group='vnc')
    d = libvirt_driver.LibvirtDriver(conf, 'host1')
    try:
        d.spawn(instance, image, base_image)
        assert config.vnc_address(d.get_domain_xml(instance)) is None
        with pytest.raises(exception.ConsoleNotAvailable, match='no VNC'):
            d.get_vnc_port(instance)
    finally:
        d.cleanup_host()


def test_listen_address_and_port_base_from_conf(make_conf, instance, image, base_image):
    conf = make_conf()
    conf.set_override('server_listen', '0.0.0.0', group='vnc')
    conf.set_override('test_port_base', 20000, group='vnc')
    d = libvirt_driver.LibvirtDriver(conf, 'host7')
    try:
        d.spawn(instance, image, base_image)
        assert config.vnc_address(d.get_domain_xml(instance)) == (
            '0.0.0.0', console.port_block(20000, 'host7'))
    finally:
        d.cleanup_host()


def test_qemu_hosts_keep_autoport(make_conf):
    d = libvirt_driver.LibvirtDriver(make_conf(connection_uri='qemu:///system'), 'host1')
    # No connection is opened: libvirt assigns the port when QEMU starts.
    assert d._vnc_settings(UUID) == {'vnc_listen': '127.0.0.1', 'vnc_port': None}
