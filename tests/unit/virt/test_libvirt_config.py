"""Domain XML generation: structure checked by parsing, not by string comparison."""
import xml.etree.ElementTree as ET

from compute.virt.libvirt import config

UUID = '3f8b1c2d-1111-4222-8333-444455556666'


def _guest(**kw):
    args = dict(uuid=UUID, memory_mb=2048, vcpus=4, disk_path='/i/%s/disk' % UUID,
                console_log='/i/%s/console.log' % UUID, domain_type='kvm',
                display_name='web <1> & co', flavor_name='m1.medium', image_id='img-1',
                arch='x86_64')
    args.update(kw)
    return config.GuestConfig(**args)


def test_identity_and_size():
    root = ET.fromstring(_guest().to_xml())
    assert root.tag == 'domain' and root.get('type') == 'kvm'
    assert root.findtext('name') == 'instance-' + UUID
    assert root.findtext('uuid') == UUID
    assert root.find('memory').get('unit') == 'MiB'
    assert root.findtext('memory') == '2048'
    assert root.findtext('vcpu') == '4'
    assert root.find('features/acpi') is not None


def test_metadata_escapes_user_text():
    xml = _guest().to_xml()
    ns = {'s': config.METADATA_NS}
    inst = ET.fromstring(xml).find('metadata/s:instance', ns)
    assert inst.findtext('s:name', namespaces=ns) == 'web <1> & co'
    assert inst.findtext('s:flavor', namespaces=ns) == 'm1.medium'


def test_disk_console_and_vnc():
    root = ET.fromstring(_guest().to_xml())
    disk = root.find("devices/disk[@device='disk']")
    assert disk.find('driver').attrib == {'name': 'qemu', 'type': 'qcow2'}
    assert disk.find('source').get('file') == '/i/%s/disk' % UUID
    assert disk.find('target').attrib == {'dev': 'vda', 'bus': 'virtio'}
    serial = root.find("devices/serial[@type='file']/source")
    assert serial.attrib == {'path': '/i/%s/console.log' % UUID, 'append': 'on'}
    graphics = root.find('devices/graphics')
    assert graphics.attrib == {'type': 'vnc', 'autoport': 'yes', 'listen': '127.0.0.1'}


def test_boots_from_disk_without_kernel():
    root = ET.fromstring(_guest().to_xml())
    assert root.find('os/type').get('arch') == 'x86_64'
    assert root.find('os/boot').get('dev') == 'hd'
    assert root.find('os/kernel') is None


def test_direct_kernel_boot():
    root = ET.fromstring(_guest(kernel='/k', initrd='/r', cmdline='console=ttyS0').to_xml())
    assert root.findtext('os/kernel') == '/k'
    assert root.findtext('os/initrd') == '/r'
    assert root.findtext('os/cmdline') == 'console=ttyS0'
    assert root.find('os/boot') is None


def test_readers():
    xml = _guest().to_xml()
    assert config.console_log_path(xml) == '/i/%s/console.log' % UUID
    assert config.disk_paths(xml) == ['/i/%s/disk' % UUID]
    assert config.vnc_address(xml) == ('127.0.0.1', -1)
    live = xml.replace("autoport=", "port='5901' autoport=")
    assert config.vnc_address(live) == ('127.0.0.1', 5901)
    assert config.vnc_address('<domain><devices/></domain>') is None
