"""One configurable in-memory virt driver for tests and the all-in-one without libvirt."""
import itertools
import shutil
import threading
import time

from common import exception
from compute.virt import driver
from compute.virt import power_state

VNC_BASE = 5900


class FakeDriver(driver.ComputeDriver):
    """Keeps guests in a dict; failures and latency are injected through the constructor.

    ``spawn_error`` is an exception (instance or class) to raise from every
    spawn, or a callable(instance) that raises or returns an exception to raise
    (returning None lets the spawn succeed); ``live_migration_error`` does the
    same for live migrations from this host.

    Live migration is opt-in (``live_migration=True``): the fakes that share one
    ``cluster`` dict (host -> driver) move guests between each other. Hosts with
    the same ``storage`` name share their instance storage.
    """

    capabilities = {'live_migration': False}

    def __init__(self, host='fake-host', vcpus=8, memory_mb=16384, local_gb=1024,
                 spawn_error=None, spawn_delay=0.0, live_migration=False, cluster=None,
                 storage=None):
        self.host = host
        self.vcpus = vcpus
        self.memory_mb = memory_mb
        self.local_gb = local_gb
        self.spawn_error = spawn_error
        self.spawn_delay = spawn_delay
        self.capabilities = {'live_migration': bool(live_migration)}
        self.cluster = cluster if cluster is not None else {}
        self.storage = storage
        self.live_migration_error = None
        # (step, instance uuid) of every live-migration step this host ran, for tests.
        self.migration_log = []
        self._lock = threading.Lock()
        self._guests = {}
        self.cluster[host] = self

    def init_host(self, host):
        self.cluster.pop(self.host, None)
        self.host = host
        self.cluster[host] = self

    def get_available_resource(self):
        return {'hypervisor_hostname': self.host, 'hypervisor_type': 'fake',
                'hypervisor_version': 1000, 'vcpus': self.vcpus,
                'memory_mb': self.memory_mb, 'local_gb': self.local_gb,
                'host_ip': '127.0.0.1',
                'cpu_info': {'arch': 'x86_64', 'model': 'fake',
                             'topology': {'sockets': 1, 'cores': self.vcpus,
                                          'threads': 1}}}

    def _injected_error(self, instance):
        return _injected(self.spawn_error, instance)

    def spawn(self, instance, image, image_path):
        missing = driver.missing_keys(instance)
        if missing:
            raise exception.VirtError(reason='instance lacks %s' % ', '.join(missing))
        if self.spawn_delay:
            # Sleep outside the lock so parallel spawns overlap like real ones.
            time.sleep(self.spawn_delay)
        err = self._injected_error(instance)
        if err is not None:
            raise err
        uuid = instance['uuid']
        with self._lock:
            if uuid in self._guests:
                raise exception.VirtError(reason='instance %s already exists' % uuid)
            self._guests[uuid] = {'instance': dict(instance), 'image': image,
                                  'image_path': image_path,
                                  'power_state': power_state.RUNNING,
                                  'vnc_port': self._free_port()}

    def _free_port(self):
        ports = {g['vnc_port'] for g in self._guests.values()}
        return next(p for p in itertools.count(VNC_BASE) if p not in ports)

    def destroy(self, instance):
        with self._lock:
            self._guests.pop(instance['uuid'], None)

    def list_instance_uuids(self):
        with self._lock:
            return list(self._guests)

    def get_power_state(self, instance):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            return guest['power_state'] if guest else power_state.NOSTATE

    def set_power_state(self, instance, state):
        """Test hook: pretend the guest changed state behind the manager's back."""
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            if guest is None:
                raise exception.InstanceNotFound(uuid=instance['uuid'])
            guest['power_state'] = state

    def instance_exists(self, instance):
        with self._lock:
            return instance['uuid'] in self._guests

    def instance_disk_path(self, instance):
        # The fake keeps no files.
        return None

    # -- lifecycle actions: state changes on the in-memory guest ----------
    def _set(self, instance, state, expect=None, **fields):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            if guest is None:
                raise exception.InstanceNotFound(uuid=instance['uuid'])
            if expect is not None and guest['power_state'] not in expect:
                raise exception.VirtError(reason='guest %s is in power state %s' % (
                    instance['uuid'], guest['power_state']))
            guest['power_state'] = state
            guest.update(fields)
            return guest

    def power_off(self, instance, timeout):
        self._set(instance, power_state.SHUTDOWN)

    def power_on(self, instance, image, image_path):
        self._set(instance, power_state.RUNNING)

    def reboot(self, instance, image, image_path, reboot_type, soft_timeout):
        self._set(instance, power_state.RUNNING)

    def pause(self, instance):
        self._set(instance, power_state.PAUSED, expect=(power_state.RUNNING,))

    def unpause(self, instance):
        self._set(instance, power_state.RUNNING, expect=(power_state.PAUSED,))

    def suspend(self, instance):
        self._set(instance, power_state.SHUTDOWN, expect=(power_state.RUNNING,), saved=True)

    def resume(self, instance, image, image_path):
        self._set(instance, power_state.RUNNING, saved=False)

    def rescue(self, instance, rescue_image, rescue_image_path):
        self._set(instance, power_state.RUNNING, rescued=True)

    def unrescue(self, instance):
        self._set(instance, power_state.RUNNING, rescued=False)

    def snapshot(self, instance, target_path):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
        if guest is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        # The fake's "disk" is the image it booted from.
        shutil.copyfile(guest['image_path'], target_path)

    def get_host_uptime(self):
        return f' {time.strftime("%H:%M:%S")} up 0 min,  0 users,  load average: 0.00'

    def get_instance_diagnostics(self, instance):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
        if guest is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        state = {power_state.RUNNING: 'running', power_state.PAUSED: 'paused',
                 power_state.SUSPENDED: 'suspended'}.get(guest['power_state'], 'shutdown')
        return {'state': state, 'driver': 'libvirt', 'hypervisor': 'fake',
                'hypervisor_os': 'fake', 'uptime': 0, 'config_drive': False,
                'num_cpus': instance.get('vcpus') or 1, 'num_nics': 0, 'num_disks': 0,
                'memory_details': {'maximum': instance.get('memory_mb'), 'used': None},
                'cpu_details': [], 'disk_details': [], 'nic_details': []}

    def get_console_output(self, instance):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
        if guest is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        return guest.get('console', b'')

    def set_admin_password(self, instance, new_pass):
        guest = self._set(instance, self.get_power_state(instance))
        props = (guest.get('image') or {}).get('properties') or {}
        if props.get('hw_qemu_guest_agent') not in ('yes', 'true', True):
            raise exception.NotSupported(action='set the admin password',
                                         reason='the guest has no agent')
        guest['admin_password'] = new_pass

    def get_vnc_port(self, instance):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            if guest is None:
                raise exception.ConsoleNotAvailable(
                    reason=f'instance {instance["uuid"]} has no guest on {self.host}')
            if guest['power_state'] not in (power_state.RUNNING, power_state.PAUSED):
                raise exception.ConsoleNotAvailable(
                    reason=f'instance {instance["uuid"]} is not running')
            return guest['vnc_port']

    def set_vnc_port(self, instance, port):
        """Test hook: the guest's VNC server moved (a token for the old port must fail)."""
        self._set(instance, self.get_power_state(instance), vnc_port=port)

    # -- live migration: the guest moves to the peer fake in the same cluster -----
    def capability_refusal(self, capability):
        return f'its hypervisor (the fake driver, without {capability}) does not support it'

    def check_can_live_migrate_destination(self, instance, block_migration):
        self.migration_log.append(('check_destination', instance['uuid']))
        with self._lock:
            used = sum(g['instance'].get('memory_mb') or 0 for g in self._guests.values())
        if (instance.get('memory_mb') or 0) > self.memory_mb - used:
            raise exception.Invalid(f'Host {self.host} has {self.memory_mb - used} MB of '
                                    f'free memory; instance {instance["uuid"]} needs '
                                    f'{instance["memory_mb"]} MB.')
        return {'dest_host': self.host, 'storage': self.storage,
                'block_migration': block_migration}

    def check_can_live_migrate_source(self, instance, dest_check_data):
        self.migration_log.append(('check_source', instance['uuid']))
        if not self.instance_exists(instance):
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        shared = self.storage is not None and dest_check_data.get('storage') == self.storage
        block = driver.choose_block_migration(dest_check_data.get('block_migration'), shared)
        return dict(dest_check_data, source_host=self.host, block_migration=block,
                    is_shared_instance_path=shared)

    def pre_live_migration(self, instance, image, image_path, migrate_data):
        self.migration_log.append(('pre', instance['uuid']))
        return {'dest_uri': f'fake://{self.host}', 'inbound_addr': '127.0.0.1',
                'dest_instances_path': f'/fake/{self.host}'}

    def live_migration(self, instance, migrate_data):
        self.migration_log.append(('migrate', instance['uuid']))
        err = _injected(self.live_migration_error, instance)
        if err is not None:
            raise err
        dest = self.cluster.get(migrate_data['dest_host'])
        if dest is None:
            raise exception.VirtError(reason=f'no fake host {migrate_data["dest_host"]}')
        with self._lock:
            guest = self._guests.pop(instance['uuid'], None)
        if guest is None:
            raise exception.InstanceNotFound(uuid=instance['uuid'])
        dest.receive_guest(instance['uuid'], guest)

    def receive_guest(self, uuid, guest):
        """A guest arrives from a peer (keeping its power state, with a port of ours)."""
        with self._lock:
            self._guests[uuid] = dict(guest, vnc_port=self._free_port())

    def post_live_migration_source(self, instance, migrate_data):
        self.migration_log.append(('post_source', instance['uuid']))

    def post_live_migration_at_destination(self, instance, migrate_data):
        self.migration_log.append(('post_destination', instance['uuid']))

    def rollback_live_migration_at_destination(self, instance, migrate_data):
        self.migration_log.append(('rollback', instance['uuid']))
        with self._lock:
            self._guests.pop(instance['uuid'], None)


def _injected(err, instance):
    """The exception an injected ``err`` (instance, class or callable) asks to raise."""
    if err is None:
        return None
    if isinstance(err, BaseException):
        return err
    if isinstance(err, type) and issubclass(err, BaseException):
        return err()
    return err(instance)
