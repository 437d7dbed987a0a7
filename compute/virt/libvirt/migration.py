"""Live migration in the libvirt driver: peer-to-peer migrateToURI3 under a completion timeout.

The destination prepares an empty qcow2 overlay on its own cached copy of the
base image (unless both hosts share the instance storage); the source's libvirtd
then streams memory and, for a block migration, the overlay's contents straight to
the destination's libvirtd, with the domain XML rewritten to the destination's paths.
"""
import logging
import math
import os
import shutil
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

import libvirt

from common import exception
from compute.virt import driver
from compute.virt.libvirt import config

LOG = logging.getLogger(__name__)
MiB = 1024 ** 2
PROBE_PREFIX = '.live-migration-probe-'
# Never fewer GiB than this for the timeout: a tiny guest still needs setup time.
MIN_DATA_GIB = 2
TEST_REFUSAL = 'its hypervisor (libvirt test:/// driver) does not support it'
# Kept as 'stratus:' when a domain XML is parsed and written again (not 'ns0:').
ET.register_namespace('stratus', config.METADATA_NS)


def migration_flags(block_migration):
    """Peer to peer (the source's libvirtd drives it), the domain defined on the
    destination and undefined here once it runs there; the disk copied when asked."""
    flags = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER |
             libvirt.VIR_MIGRATE_PERSIST_DEST | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)
    if block_migration:
        flags |= libvirt.VIR_MIGRATE_NON_SHARED_INC
    return flags


def destination_xml(xml, src_dir, dest_dir):
    """``xml`` with every path under ``src_dir`` (disks, serial log) moved under
    ``dest_dir``, and automatic VNC ports left for the destination to choose."""
    root = ET.fromstring(xml)
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, _moved(value, src_dir, dest_dir))
        if element.text and element.text.strip():
            element.text = _moved(element.text, src_dir, dest_dir)
    for graphics in root.iter('graphics'):
        if graphics.get('autoport') == 'yes':
            # The port taken here may be another guest's there.
            for name in ('port', 'websocket'):
                graphics.attrib.pop(name, None)
    return ET.tostring(root, encoding='unicode')


def _under(path, directory):
    directory = directory.rstrip('/')
    return path == directory or path.startswith(directory + '/')


def _moved(value, src_dir, dest_dir):
    if _under(value, src_dir):
        return dest_dir.rstrip('/') + value[len(src_dir.rstrip('/')):]
    return value


def local_disk_targets(xml, src_dir):
    """Target devices (vda, ...) of the disks whose files live under ``src_dir``:
    the ones a block migration copies."""
    targets = []
    for disk in ET.fromstring(xml).findall("./devices/disk[@type='file']"):
        source, target = disk.find('source'), disk.find('target')
        path = source.get('file') if source is not None else None
        if path and target is not None and _under(path, src_dir):
            targets.append(target.get('dev'))
    return targets


def migration_params(xml, src_dir, dest_dir, inbound_addr, block_migration):
    """migrateToURI3's typed parameters: where the data stream goes, the destination's
    XML and, for a block migration, which disks to copy."""
    params = {libvirt.VIR_MIGRATE_PARAM_URI: f'tcp://{inbound_addr}',
              libvirt.VIR_MIGRATE_PARAM_DEST_XML: destination_xml(xml, src_dir, dest_dir)}
    if block_migration:
        params[libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS] = local_disk_targets(xml, src_dir)
    return params


def completion_timeout(instance, block_migration, seconds_per_gib):
    """Seconds the migration may take: ``seconds_per_gib`` for each GiB it moves (RAM,
    at least MIN_DATA_GIB, plus the root disk when it is copied); 0 means no limit."""
    if not seconds_per_gib:
        return 0
    data_gib = max(MIN_DATA_GIB, math.ceil((instance.get('memory_mb') or 0) / 1024))
    if block_migration:
        data_gib += int(instance.get('root_gb') or 0)
    return seconds_per_gib * data_gib


class MigrationMonitor:
    """Runs the blocking migration call in a thread and watches the domain's job: it
    logs progress and aborts the job (dom.abortJob) once ``timeout`` seconds passed."""

    def __init__(self, dom, timeout, poll_interval=0.5, clock=time.monotonic, what=''):
        self.dom = dom
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.clock = clock
        self.what = what or 'live migration'
        self.aborted_after = None

    def run(self, migrate):
        """Call ``migrate()``; return when it succeeded, raise VirtError when it failed
        or was aborted (the guest then still runs here)."""
        outcome = {}

        def target():
            try:
                migrate()
            except Exception as exc:  # noqa: BLE001 - handed to the waiting thread
                outcome['error'] = exc

        thread = threading.Thread(target=target, name=f'migrate-{self.what}', daemon=True)
        started = self.clock()
        thread.start()
        while thread.is_alive():
            thread.join(self.poll_interval)
            if thread.is_alive():
                self._watch(self.clock() - started)
        self._raise_if_failed(outcome.get('error'))

    def _watch(self, elapsed):
        LOG.debug('%s: %.1f s, %s', self.what, elapsed, self._progress())
        if self.aborted_after is None and self.timeout and elapsed > self.timeout:
            LOG.warning('%s did not complete within %d s; aborting it', self.what,
                        self.timeout)
            try:
                self.dom.abortJob()
                self.aborted_after = elapsed
            except libvirt.libvirtError as exc:
                # The job may have ended between our look and the abort.
                LOG.warning('aborting %s failed: %s', self.what, exc)

    def _progress(self):
        try:
            stats = self.dom.jobStats()
        except libvirt.libvirtError:
            return 'no job statistics'
        return (f"{stats.get('data_processed', 0) // MiB} MiB sent, "
                f"{stats.get('data_remaining', 0) // MiB} MiB remaining")

    def _raise_if_failed(self, error):
        if error is None:
            return
        if self.aborted_after is not None:
            raise exception.VirtError(
                reason=f'{self.what} did not complete within {self.timeout} s '
                       f'([libvirt] live_migration_completion_timeout) and was aborted; '
                       f'the guest stays on its source') from error
        raise exception.VirtError(reason=f'{self.what} failed: {error}') from error


class MigrationMixin:
    """Needs the driver's conf, host_name, instances_path, uri, _host, _conn, _lookup,
    _virt, _instance_dir, _create_root_disk, _remove_domain and _release_vnc_port."""

    def capability_refusal(self, capability):
        if self._host.is_test:
            return TEST_REFUSAL
        return f'its hypervisor (libvirt at {self.uri}) does not support it'

    def _check_can_live_migrate(self):
        if not self.capabilities.get('live_migration'):
            raise exception.NotSupported(action='live-migrate', reason=f'on {self.host_name}, '
                                         + self.capability_refusal('live_migration'))

    # -- checks --------------------------------------------------------------------
    def check_can_live_migrate_destination(self, instance, block_migration):
        self._check_can_live_migrate()
        uuid = instance['uuid']
        free_mb = self._free_memory_mb()
        if (instance.get('memory_mb') or 0) > free_mb:
            raise exception.Invalid(f'Host {self.host_name} has {free_mb} MB of free memory; '
                                    f'instance {uuid} needs {instance["memory_mb"]} MB.')
        if self._lookup(uuid) is not None:
            raise exception.Invalid(f'Host {self.host_name} already has a domain for {uuid}.')
        os.makedirs(self.instances_path, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=PROBE_PREFIX, dir=self.instances_path)
        os.close(fd)
        return {'dest_host': self.host_name, 'probe': os.path.basename(probe),
                'block_migration': block_migration}

    def _free_memory_mb(self):
        with self._virt('reading the free memory of %s' % self.host_name):
            return self._conn().getFreeMemory() // MiB

    def cleanup_live_migration_destination_check(self, dest_check_data):
        probe = str(dest_check_data.get('probe') or '')
        # Only our own probe's name: never a path the message could point elsewhere.
        if probe.startswith(PROBE_PREFIX) and os.path.basename(probe) == probe:
            try:
                os.unlink(os.path.join(self.instances_path, probe))
            except FileNotFoundError:
                pass

    def check_can_live_migrate_source(self, instance, dest_check_data):
        self._check_can_live_migrate()
        uuid = instance['uuid']
        dom = self._lookup(uuid)
        if dom is None:
            raise exception.InstanceNotFound(uuid=uuid)
        with self._virt('reading the state of %s' % uuid):
            active = dom.isActive()
        if not active:
            raise exception.Invalid(f'Instance {uuid} is not running on {self.host_name}.')
        probe = str(dest_check_data.get('probe') or '')
        # The destination's probe file is visible here only through shared storage.
        shared = bool(probe) and os.path.exists(os.path.join(self.instances_path, probe))
        block = driver.choose_block_migration(dest_check_data.get('block_migration'), shared)
        return dict(dest_check_data, source_host=self.host_name, block_migration=block,
                    is_shared_instance_path=shared)

    # -- destination ------------------------------------------------------------------
    def pre_live_migration(self, instance, image, image_path, migrate_data):
        self._check_can_live_migrate()
        uuid = instance['uuid']
        if self._lookup(uuid) is not None:
            raise exception.VirtError(reason=f'a domain for {uuid} already exists on '
                                             f'{self.host_name}')
        if not migrate_data.get('is_shared_instance_path'):
            self._prepare_disk(instance, image, image_path)
        return {'dest_instances_path': self.instances_path,
                'dest_uri': self.conf.libvirt.live_migration_uri or self.uri,
                'inbound_addr': self.conf.libvirt.live_migration_inbound_addr}

    def _prepare_disk(self, instance, image, image_path):
        """An empty overlay of the same size on our copy of the base: the block
        migration fills it with what the guest wrote on the source."""
        if not image or not image_path:
            raise exception.VirtError(reason=f'the image of {instance["uuid"]} is gone; '
                                             'its base cannot be rebuilt here')
        inst_dir = self._instance_dir(instance['uuid'])
        with self._virt('preparing %s for %s' % (inst_dir, instance['uuid'])):
            shutil.rmtree(inst_dir, ignore_errors=True)
            os.makedirs(inst_dir)
            self._create_root_disk(instance, image, image_path, inst_dir)

    def post_live_migration_at_destination(self, instance, migrate_data):
        if self._lookup(instance['uuid']) is None:
            raise exception.VirtError(reason=f'instance {instance["uuid"]} did not arrive '
                                             f'on {self.host_name}')

    def rollback_live_migration_at_destination(self, instance, migrate_data):
        dom = self._lookup(instance['uuid'])
        if dom is not None:
            self._remove_domain(dom)
        if not migrate_data.get('is_shared_instance_path'):
            shutil.rmtree(self._instance_dir(instance['uuid']), ignore_errors=True)
        self._release_vnc_port(instance['uuid'])

    # -- source ---------------------------------------------------------------------
    def live_migration(self, instance, migrate_data):
        self._check_can_live_migrate()
        uuid = instance['uuid']
        dom = self._lookup(uuid)
        if dom is None:
            raise exception.InstanceNotFound(uuid=uuid)
        block = bool(migrate_data.get('block_migration'))
        src_dir = self._instance_dir(uuid)
        dest_dir = os.path.join(migrate_data['dest_instances_path'], os.path.basename(src_dir))
        with self._virt('reading the XML of %s' % uuid):
            xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_MIGRATABLE)
        params = migration_params(xml, src_dir, dest_dir, migrate_data['inbound_addr'], block)
        lconf = self.conf.libvirt
        monitor = MigrationMonitor(
            dom, completion_timeout(instance, block, lconf.live_migration_completion_timeout),
            lconf.live_migration_poll_interval,
            what=f'live migration of {uuid} to {migrate_data.get("dest_host")}')
        LOG.info('live-migrating %s to %s (block migration: %s)', uuid,
                 migrate_data['dest_uri'], block)
        monitor.run(lambda: dom.migrateToURI3(migrate_data['dest_uri'], params,
                                              migration_flags(block)))

    def post_live_migration_source(self, instance, migrate_data):
        uuid = instance['uuid']
        dom = self._lookup(uuid)
        # UNDEFINE_SOURCE removed it; an inactive leftover is ours to drop, a running
        # one is never touched here.
        if dom is not None and not dom.isActive():
            self._remove_domain(dom)
        if not migrate_data.get('is_shared_instance_path'):
            shutil.rmtree(self._instance_dir(uuid), ignore_errors=True)
        self._release_vnc_port(uuid)
