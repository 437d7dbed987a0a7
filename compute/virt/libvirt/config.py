"""Domain XML for a guest, built with ElementTree, and readers for the bits we look up."""
import dataclasses
import os
import xml.etree.ElementTree as ET

METADATA_NS = 'http://stratus.invalid/xmlns/libvirt/instance/1.0'
NAME_PREFIX = 'instance-'
GUEST_AGENT = 'org.qemu.guest_agent.0'
_NS = {'stratus': METADATA_NS}


def domain_name(uuid):
    """The libvirt name of an instance's domain (unique because the UUID is)."""
    return NAME_PREFIX + uuid


@dataclasses.dataclass
class GuestConfig:
    """What goes into a domain: identity, size, the root disk (second, behind a rescue
    disk, while rescued), serial log, VNC, and the guest agent's channel if wanted."""

    uuid: str
    memory_mb: int
    vcpus: int
    disk_path: str
    console_log: str
    domain_type: str = 'qemu'
    disk_format: str = 'qcow2'
    display_name: str = ''
    flavor_name: str = ''
    image_id: str = ''
    kernel: str | None = None
    initrd: str | None = None
    cmdline: str | None = None
    # None: no VNC device at all ([vnc] enabled = False).
    vnc_listen: str | None = '127.0.0.1'
    # None: libvirt picks one when the guest starts; a number is fixed (test:/// driver).
    vnc_port: int | None = None
    rescue_disk_path: str | None = None
    guest_agent: bool = False
    admin_user: str = ''
    arch: str = dataclasses.field(default_factory=lambda: os.uname().machine)

    @property
    def name(self):
        return domain_name(self.uuid)

    def to_element(self):
        dom = ET.Element('domain', type=self.domain_type)
        ET.SubElement(dom, 'name').text = self.name
        ET.SubElement(dom, 'uuid').text = self.uuid
        dom.append(self._metadata())
        ET.SubElement(dom, 'memory', unit='MiB').text = str(int(self.memory_mb))
        ET.SubElement(dom, 'vcpu').text = str(int(self.vcpus))
        dom.append(self._os())
        features = ET.SubElement(dom, 'features')
        # ACPI lets a guest honour a clean shutdown request.
        ET.SubElement(features, 'acpi')
        ET.SubElement(dom, 'clock', offset='utc')
        for event, action in (('on_poweroff', 'destroy'), ('on_reboot', 'restart'),
                              ('on_crash', 'destroy')):
            ET.SubElement(dom, event).text = action
        dom.append(self._devices())
        return dom

    def to_xml(self):
        return ET.tostring(self.to_element(), encoding='unicode')

    def _metadata(self):
        meta = ET.Element('metadata')
        # The namespace is declared on the element itself: libvirt keeps each
        # metadata child with its own declaration.
        inst = ET.SubElement(meta, 'stratus:instance', {'xmlns:stratus': METADATA_NS})
        for tag, value in (('name', self.display_name), ('flavor', self.flavor_name),
                           ('image', self.image_id)):
            ET.SubElement(inst, 'stratus:' + tag).text = value or ''
        if self.admin_user:
            # The password action runs without the image: the user it sets travels here.
            ET.SubElement(inst, 'stratus:admin_user').text = self.admin_user
        return meta

    def _os(self):
        os_el = ET.Element('os')
        ET.SubElement(os_el, 'type', arch=self.arch).text = 'hvm'
        if self.kernel:
            ET.SubElement(os_el, 'kernel').text = self.kernel
            if self.initrd:
                ET.SubElement(os_el, 'initrd').text = self.initrd
            if self.cmdline:
                ET.SubElement(os_el, 'cmdline').text = self.cmdline
        else:
            ET.SubElement(os_el, 'boot', dev='hd')
        return os_el

    def _devices(self):
        devices = ET.Element('devices')
        # The guest boots from the first disk: a rescue disk goes before the root.
        paths = [p for p in (self.rescue_disk_path, self.disk_path) if p]
        for index, path in enumerate(paths):
            disk = ET.SubElement(devices, 'disk', type='file', device='disk')
            ET.SubElement(disk, 'driver', name='qemu', type=self.disk_format)
            ET.SubElement(disk, 'source', file=path)
            ET.SubElement(disk, 'target', dev='vd' + 'abcdefgh'[index], bus='virtio')
        # append='on': a restore (managed save) must not truncate the log.
        for tag, target in (('serial', {'port': '0'}),
                            ('console', {'type': 'serial', 'port': '0'})):
            chardev = ET.SubElement(devices, tag, type='file')
            ET.SubElement(chardev, 'source', path=self.console_log, append='on')
            ET.SubElement(chardev, 'target', target)
        if self.vnc_listen:
            devices.append(self._graphics())
        if self.guest_agent:
            channel = ET.SubElement(devices, 'channel', type='unix')
            ET.SubElement(channel, 'source', mode='bind')
            ET.SubElement(channel, 'target', type='virtio', name=GUEST_AGENT)
        return devices


    def _graphics(self):
        graphics = ET.Element('graphics', type='vnc', autoport='yes', listen=self.vnc_listen)
        if self.vnc_port is not None:
            graphics.set('autoport', 'no')
            graphics.set('port', str(int(self.vnc_port)))
        return graphics


def console_log_path(xml):
    """Path of the file the serial console writes to, or None."""
    source = ET.fromstring(xml).find("./devices/serial[@type='file']/source")
    return source.get('path') if source is not None else None


def vnc_address(xml):
    """(listen address, port) of the VNC server; port is -1 until one is assigned."""
    graphics = ET.fromstring(xml).find("./devices/graphics[@type='vnc']")
    if graphics is None:
        return None
    return graphics.get('listen'), int(graphics.get('port', '-1'))


def disk_paths(xml):
    """Source files of the domain's file-backed disks, in device order."""
    root = ET.fromstring(xml)
    return [src.get('file') for src in root.findall("./devices/disk[@type='file']/source")
            if src.get('file')]


def has_guest_agent(xml):
    """True when the domain has a channel to the QEMU guest agent."""
    found = ET.fromstring(xml).find(f"./devices/channel/target[@name='{GUEST_AGENT}']")
    return found is not None


def admin_user(xml):
    """The guest's admin user recorded at spawn (image property os_admin_user), or None."""
    text = ET.fromstring(xml).findtext('./metadata/stratus:instance/stratus:admin_user',
                                       namespaces=_NS)
    return text or None


def without_disk(xml, path):
    """The domain XML without the file disk ``path``, the others renamed vda, vdb, ...
    in order (to go back from a rescue whose saved XML is lost)."""
    root = ET.fromstring(xml)
    devices = root.find('./devices')
    for disk in devices.findall("./disk[@type='file']"):
        source = disk.find('source')
        if source is not None and source.get('file') == path:
            devices.remove(disk)
    for index, target in enumerate(devices.findall("./disk[@device='disk']/target")):
        target.set('dev', target.get('dev', 'vda')[:2] + 'abcdefgh'[index])
    return ET.tostring(root, encoding='unicode')
