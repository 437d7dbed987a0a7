"""VNC consoles in the libvirt driver: the graphics device's port, fixed per host on test:///."""
import logging
import threading
import zlib

import libvirt

from common import exception
from compute.virt.libvirt import config

LOG = logging.getLogger(__name__)
BLOCK = 100  # ports per compute host on the test driver


def port_block(base, host):
    """The first port of ``host``'s block: two hosts on one machine get different blocks
    (unless their names collide modulo 100), and the same host always the same one."""
    return base + BLOCK * (zlib.crc32(host.encode('utf-8')) % 100)


def lowest_free(start, taken, size=BLOCK):
    """The lowest port in [start, start + size) not in ``taken``, or None when all are."""
    for port in range(start, start + size):
        if port not in taken:
            return port
    return None


class PortBook:
    """Fixed VNC ports of one test:/// host. libvirt's test driver keeps whatever port the
    XML names and never assigns one (autoport reports -1), so the driver hands them out:
    a port is reserved from the choice until the domain that carries it is destroyed,
    so two spawns racing between choice and define never get the same one."""

    def __init__(self, start, size=BLOCK):
        self.start = start
        self.size = size
        self._lock = threading.Lock()
        self._reserved = {}

    def port_for(self, uuid, defined):
        """``uuid``'s port: the one its domain already has (``defined``: uuid -> port of
        every domain of the host), else its reservation, else the lowest free one."""
        with self._lock:
            if uuid in defined:
                self._reserved[uuid] = defined[uuid]
                return defined[uuid]
            if uuid in self._reserved:
                return self._reserved[uuid]
            taken = set(defined.values()) | set(self._reserved.values())
            port = lowest_free(self.start, taken, self.size)
            if port is not None:
                self._reserved[uuid] = port
            return port

    def release(self, uuid):
        with self._lock:
            self._reserved.pop(uuid, None)


class ConsoleMixin:
    """Needs the driver's conf, host_name, _host, _conn, _lookup and _virt; __init__ sets
    _vnc_ports (a PortBook, or None off the test driver)."""

    def _vnc_settings(self, uuid):
        """The GuestConfig arguments of the VNC device of ``uuid``'s domain."""
        if not self.conf.vnc.enabled:
            return {'vnc_listen': None}
        port = None
        if self._vnc_ports is not None:
            port = self._vnc_ports.port_for(uuid, self._defined_vnc_ports())
            if port is None:
                LOG.warning('no free VNC port left in %d-%d on %s; %s gets no console',
                            self._vnc_ports.start, self._vnc_ports.start + BLOCK - 1,
                            self.host_name, uuid)
        return {'vnc_listen': self.conf.vnc.server_listen, 'vnc_port': port}

    def _defined_vnc_ports(self):
        """uuid -> VNC port of every domain of this host (stopped ones keep theirs)."""
        found = {}
        with self._virt('listing VNC ports'):
            for dom in self._conn().listAllDomains():
                try:
                    address = config.vnc_address(dom.XMLDesc(0))
                except libvirt.libvirtError:
                    continue  # undefined meanwhile: its port is free again
                if address is not None and address[1] > 0:
                    found[dom.UUIDString()] = address[1]
        return found

    def _release_vnc_port(self, uuid):
        if self._vnc_ports is not None:
            self._vnc_ports.release(uuid)

    def get_vnc_port(self, instance):
        uuid = instance['uuid']
        dom = self._lookup(uuid)
        if dom is None:
            raise exception.ConsoleNotAvailable(
                reason=f'instance {uuid} has no guest on {self.host_name}')
        with self._virt('reading the VNC port of %s' % uuid):
            active = dom.isActive()
            address = config.vnc_address(dom.XMLDesc(0))
        if not active:
            raise exception.ConsoleNotAvailable(reason=f'instance {uuid} is not running')
        if address is None:
            raise exception.ConsoleNotAvailable(reason=f'instance {uuid} has no VNC server')
        if address[1] <= 0:
            raise exception.ConsoleNotAvailable(
                reason=f'the VNC server of instance {uuid} has no port')
        return address[1]
