"""What the libvirt driver tells operators about its host and a guest: uptime, diagnostics."""
import logging
import subprocess
import xml.etree.ElementTree as ET

import libvirt

from common import exception
from common import timeutils

LOG = logging.getLogger(__name__)
# libvirt domain states -> the names Nova's diagnostics use (blocked is running,
# shut off is shutdown).
_STATES = {libvirt.VIR_DOMAIN_NOSTATE: 'pending', libvirt.VIR_DOMAIN_RUNNING: 'running',
           libvirt.VIR_DOMAIN_BLOCKED: 'running', libvirt.VIR_DOMAIN_PAUSED: 'paused',
           libvirt.VIR_DOMAIN_SHUTDOWN: 'shutdown', libvirt.VIR_DOMAIN_SHUTOFF: 'shutdown',
           libvirt.VIR_DOMAIN_CRASHED: 'crashed', libvirt.VIR_DOMAIN_PMSUSPENDED: 'suspended'}
_NIC_KEYS = ('rx_octets', 'rx_packets', 'rx_errors', 'rx_drop',
             'tx_octets', 'tx_packets', 'tx_errors', 'tx_drop')


def host_uptime():
    """This host's `uptime` line (as Nova's libvirt driver runs it), from /proc if the
    command is missing."""
    try:
        done = subprocess.run(['uptime'], capture_output=True, text=True, timeout=10,
                              env={'LANG': 'C', 'PATH': '/usr/bin:/bin'}, check=True)
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        with open('/proc/uptime', encoding='ascii') as proc:
            seconds = int(float(proc.read().split()[0]))
        return f'up {seconds // 86400} days, {seconds % 86400 // 3600}:' \
               f'{seconds % 3600 // 60:02d}'


class DiagnosticsMixin:
    """Needs the driver's _lookup and domain_type."""

    def get_host_uptime(self):
        return host_uptime()

    def get_instance_diagnostics(self, instance):
        """Nova's 2.48 diagnostics of the guest; InstanceNotFound if libvirt lacks it."""
        dom = self._lookup(instance['uuid'])
        if dom is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        try:
            state, max_kib, used_kib, num_cpus, _cpu_time = dom.info()
            xml = ET.fromstring(dom.XMLDesc(0))
        except libvirt.libvirtError as exc:
            raise exception.VirtError(reason=f'reading {instance["uuid"]}: {exc}') from exc
        launched = timeutils.parse(instance.get('launched_at'))
        disks, nics = _disks(dom, xml), _nics(dom, xml)
        return {
            'state': _STATES.get(state, 'pending'), 'driver': 'libvirt',
            'hypervisor': self.domain_type, 'hypervisor_os': 'linux',
            'uptime': int((timeutils.utcnow() - launched).total_seconds()) if launched
            else None,
            'config_drive': False, 'num_cpus': int(num_cpus),
            'memory_details': {'maximum': max_kib // 1024, 'used': used_kib // 1024},
            'cpu_details': _cpus(dom), 'num_disks': len(disks), 'disk_details': disks,
            'num_nics': len(nics), 'nic_details': nics,
        }


def _cpus(dom):
    try:
        infos = dom.vcpus()[0]
    except libvirt.libvirtError:  # not every hypervisor reports per-vCPU times
        return []
    return [{'id': i[0], 'time': i[2], 'utilisation': None} for i in infos]


def _disks(dom, xml):
    found = []
    for target in xml.findall('./devices/disk/target'):
        try:
            rd_req, rd_bytes, wr_req, wr_bytes, errs = dom.blockStats(target.get('dev'))
        except libvirt.libvirtError:
            rd_req = rd_bytes = wr_req = wr_bytes = errs = None
        found.append({'read_bytes': rd_bytes, 'read_requests': rd_req,
                      'write_bytes': wr_bytes, 'write_requests': wr_req,
                      'errors_count': errs})
    return found


def _nics(dom, xml):
    found = []
    for iface in xml.findall('./devices/interface'):
        mac = iface.find('mac')
        target = iface.find('target')
        nic = dict.fromkeys(_NIC_KEYS + ('rx_rate', 'tx_rate'))
        nic['mac_address'] = mac.get('address') if mac is not None else None
        if target is not None and target.get('dev'):
            try:
                nic.update(zip(_NIC_KEYS, dom.interfaceStats(target.get('dev'))))
            except libvirt.libvirtError:
                LOG.debug('no interface stats for %s', target.get('dev'))
        found.append(nic)
    return found
