"""LibvirtDriver: guests as libvirt domains on qcow2 overlays over cached base images."""
import contextlib
import logging
import os
import shutil
import uuid as uuidlib

import libvirt

from common import exception
from compute.virt import driver
from compute.virt import power_state
from compute.virt.libvirt import config
from compute.virt.libvirt import console
from compute.virt.libvirt import diagnostics
from compute.virt.libvirt import disk
from compute.virt.libvirt import guest
from compute.virt.libvirt import host as libvirt_host
from compute.virt.libvirt import imagecache
from compute.virt.libvirt import migration
from compute.virt.libvirt import power
from compute.virt.libvirt import rescue
from compute.virt.libvirt import resize
from compute.virt.libvirt import snapshot

LOG = logging.getLogger(__name__)

_UNDEFINE_FLAGS = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                   libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
# Image property values that switch a feature on (as oslo's bool_from_string reads them).
_TRUE = ('1', 'true', 'yes', 'on', 'y', 't')


@contextlib.contextmanager
def _as_virt_error(action):
    """Re-raise libvirt and OS errors as VirtError naming ``action``."""
    try:
        yield
    except libvirt.libvirtError as exc:
        raise exception.VirtError(reason='%s: %s' % (action, exc)) from exc
    except OSError as exc:
        raise exception.VirtError(reason='%s: %s' % (action, exc)) from exc


def _code(exc):
    return exc.get_error_code()


class LibvirtDriver(power.PowerMixin, snapshot.SnapshotMixin, rescue.RescueMixin,
                    guest.GuestMixin, console.ConsoleMixin, migration.MigrationMixin,
                    diagnostics.DiagnosticsMixin, resize.ResizeMixin, driver.ComputeDriver):
    """Compute driver over one libvirt connection (a per-host test:/// node by default)."""

    capabilities = {'live_migration': False}

    def __init__(self, conf, host, image_store=None, instances_path=None):
        self.conf = conf
        self.host_name = host
        self.image_store = image_store
        # instances_path: one host's own directory where several hosts share a conf (tests).
        self.instances_path = os.path.abspath(
            instances_path or conf.compute.instances_path or
            os.path.join(conf.state_path, 'instances'))
        self.image_cache = imagecache.ImageCache(os.path.join(self.instances_path, '_base'))
        self._host = self._make_host(conf, host)
        # libvirt's test driver refuses migrations ("direct migration is not supported").
        self.capabilities = {'live_migration': not self._host.is_test}
        self.domain_type = ('test' if self._host.is_test else conf.libvirt.virt_type)
        # The test driver never assigns VNC ports: this host hands out fixed ones.
        self._vnc_ports = (console.PortBook(console.port_block(conf.vnc.test_port_base, host))
                           if self._host.is_test else None)

    @staticmethod
    def _make_host(conf, host):
        if conf.libvirt.connection_uri:
            return libvirt_host.Host(conf.libvirt.connection_uri)
        # Default: a node file per compute host, so each host reports its own size.
        path = libvirt_host.node_file_path(conf.state_path, host)
        spec = (path, conf.libvirt.test_node_vcpus, conf.libvirt.test_node_memory_mb)
        return libvirt_host.Host('test://' + path, node_spec=spec)

    @property
    def uri(self):
        return self._host.uri

    def _conn(self):
        return self._host.get_connection()

    @staticmethod
    def _virt(action):
        """Context manager: libvirt/OS errors become VirtError naming ``action``."""
        return _as_virt_error(action)

    def init_host(self, host):
        if host and host != self.host_name:
            LOG.warning('init_host(%s) on a driver built for %s', host, self.host_name)
        os.makedirs(self.image_cache.base_dir, exist_ok=True)
        self._conn()

    def cleanup_host(self):
        self._host.close()

    def get_available_resource(self):
        with _as_virt_error('reading node resources'):
            conn = self._conn()
            info = conn.getInfo()
            version = conn.getVersion()
        return {
            'hypervisor_hostname': self.host_name,
            'hypervisor_type': 'test' if self._host.is_test else 'QEMU',
            'hypervisor_version': int(version),
            'vcpus': int(info[2]),
            'memory_mb': int(info[1]),
            'local_gb': self._local_gb(),
            'host_ip': '127.0.0.1',
            'cpu_info': {'arch': info[0], 'mhz': info[3],
                         'topology': {'sockets': info[5], 'cores': info[6],
                                      'threads': info[7]}},
        }

    def _local_gb(self):
        if self.conf.compute.local_gb is not None:
            return self.conf.compute.local_gb
        path = self.instances_path
        while not os.path.exists(path):
            path = os.path.dirname(path)
        st = os.statvfs(path)
        return st.f_blocks * st.f_frsize // disk.GiB

    # -- lookups --------------------------------------------------------

    def _lookup(self, uuid):
        """The domain for ``uuid``, or None when libvirt does not know it."""
        try:
            return self._conn().lookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            if _code(exc) == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise exception.VirtError(reason='looking up %s: %s' % (uuid, exc)) from exc

    def _instance_dir(self, uuid):
        # The UUID becomes a directory name: only a real UUID may get that far.
        try:
            canonical = str(uuidlib.UUID(uuid))
        except (TypeError, ValueError, AttributeError):
            raise exception.Invalid('Invalid instance uuid %r.' % (uuid,)) from None
        return os.path.join(self.instances_path, canonical)

    def list_instance_uuids(self):
        with _as_virt_error('listing domains'):
            return [dom.UUIDString() for dom in self._conn().listAllDomains()
                    if dom.name().startswith(config.NAME_PREFIX)]

    def instance_exists(self, instance):
        return self._lookup(instance['uuid']) is not None

    def get_power_state(self, instance):
        dom = self._lookup(instance['uuid'])
        if dom is None:
            return power_state.NOSTATE
        try:
            state = dom.state()[0]
        except libvirt.libvirtError as exc:
            if _code(exc) == libvirt.VIR_ERR_NO_DOMAIN:
                return power_state.NOSTATE
            raise exception.VirtError(reason='state of %s: %s' % (instance['uuid'], exc))
        return power.POWER_STATES.get(state, power_state.NOSTATE)

    def instance_disk_path(self, instance):
        path = os.path.join(self._instance_dir(instance['uuid']), 'disk')
        return path if os.path.exists(path) else None

    def get_domain_xml(self, instance):
        """The live domain XML (for console and VNC lookups); InstanceNotFound if absent."""
        dom = self._lookup(instance['uuid'])
        if dom is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        with _as_virt_error('reading XML of %s' % instance['uuid']):
            return dom.XMLDesc(0)

    # -- spawn ----------------------------------------------------------

    def spawn(self, instance, image, image_path):
        missing = driver.missing_keys(instance)
        if missing:
            raise exception.VirtError(reason='instance lacks %s' % ', '.join(missing))
        uuid = instance['uuid']
        inst_dir = self._instance_dir(uuid)
        if self._lookup(uuid) is not None:
            # Never touch the disk of a guest that already exists.
            raise exception.VirtError(reason='domain for %s already exists' % uuid)
        dom = None
        try:
            # No domain owns a leftover directory (an earlier crash), so it can go.
            shutil.rmtree(inst_dir, ignore_errors=True)
            os.makedirs(inst_dir)
            disk_path = self._create_root_disk(instance, image or {}, image_path, inst_dir)
            xml = self._guest_config(instance, image or {}, disk_path, inst_dir).to_xml()
            conn = self._conn()
            dom = conn.defineXML(xml)
            self._start_domain(dom)
        except Exception as exc:
            self._cleanup_failed_spawn(dom, inst_dir)
            if isinstance(exc, exception.VirtError):
                raise
            raise exception.VirtError(reason='spawn of %s failed: %s' % (uuid, exc)) from exc
        LOG.info('spawned %s as %s', uuid, config.domain_name(uuid))

    def _start_domain(self, dom):
        dom.createWithFlags(0)

    def _create_root_disk(self, instance, image, image_path, inst_dir):
        """qcow2 overlay ``disk`` on the cached base, grown to root_gb when bigger."""
        image_id = str(image.get('id') or instance['image_ref'] or image_path)
        base, base_format, base_size = self.image_cache.fetch(
            image_id, image_path, checksum=image.get('checksum'),
            disk_format=image.get('disk_format'))
        path = os.path.join(inst_dir, 'disk')
        self.image_cache.new_overlay(base, base_format,
                                     disk.overlay_size(instance['root_gb'], base_size), path)
        return path

    def _guest_config(self, instance, image, disk_path, inst_dir, rescue_disk=None):
        """The domain of ``instance`` booting ``image``'s way; with ``rescue_disk`` (then
        ``image`` is the rescue image) it boots from that disk, the root disk second."""
        props = image.get('properties') or {}
        flavor = instance.get('flavor') or {}
        return config.GuestConfig(
            uuid=instance['uuid'], memory_mb=instance['memory_mb'],
            vcpus=instance['vcpus'], disk_path=disk_path,
            console_log=os.path.join(inst_dir, 'console.log'),
            domain_type=self.domain_type, display_name=instance.get('display_name'),
            flavor_name=flavor.get('name', ''), image_id=str(image.get('id') or ''),
            kernel=self._boot_file(props, 'kernel'),
            initrd=self._boot_file(props, 'ramdisk'),
            cmdline=props.get('os_command_line'), rescue_disk_path=rescue_disk,
            guest_agent=str(props.get('hw_qemu_guest_agent', '')).lower() in _TRUE,
            admin_user=props.get('os_admin_user') or '',
            **self._vnc_settings(instance['uuid']), **self._arch())

    def _arch(self):
        # The test driver only offers x86 guests, whatever this machine is.
        return {'arch': 'x86_64'} if self._host.is_test else {}

    def _boot_file(self, props, kind):
        """A kernel/ramdisk path: ``<kind>_file`` as given, or ``<kind>_id`` from the store."""
        if props.get(kind + '_file'):
            return props[kind + '_file']
        image_id = props.get(kind + '_id')
        if image_id and self.image_store is not None:
            return self.image_store.path(image_id)
        return None

    def _cleanup_failed_spawn(self, dom, inst_dir):
        # Best effort: the original error is what the caller needs to see.
        if dom is not None:
            try:
                self._remove_domain(dom)
            except exception.VirtError:
                LOG.exception('cleanup of failed spawn left domain %s', inst_dir)
        shutil.rmtree(inst_dir, ignore_errors=True)

    # -- destroy --------------------------------------------------------

    def destroy(self, instance):
        dom = self._lookup(instance['uuid'])
        if dom is not None:
            self._remove_domain(dom)
        inst_dir = self._instance_dir(instance['uuid'])
        try:
            shutil.rmtree(inst_dir)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise exception.VirtError(reason='removing %s: %s' % (inst_dir, exc)) from exc
        finally:
            self._release_vnc_port(instance['uuid'])

    def _remove_domain(self, dom):
        """Power off (if running) and undefine; a domain vanishing meanwhile is fine."""
        try:
            dom.destroy()
        except libvirt.libvirtError as exc:
            if _code(exc) not in (libvirt.VIR_ERR_OPERATION_INVALID,
                                  libvirt.VIR_ERR_NO_DOMAIN):
                raise exception.VirtError(reason='destroy: %s' % exc) from exc
        try:
            dom.undefineFlags(_UNDEFINE_FLAGS)
        except libvirt.libvirtError as exc:
            if _code(exc) == libvirt.VIR_ERR_NO_DOMAIN:
                return
            if _code(exc) not in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_INVALID_ARG):
                raise exception.VirtError(reason='undefine: %s' % exc) from exc
            # Older libvirt without these flags: plain undefine.
            with _as_virt_error('undefine'):
                dom.undefine()
