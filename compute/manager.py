"""Compute RPC endpoints: build and terminate guests; start-up repair; heartbeats."""
import logging
import traceback

from common import exception
from common import timeutils
from compute import action
from compute import console
from compute import diagnostics
from compute import disk_transfer
from compute import evacuate
from compute import guest
from compute import live_migration
from compute import locks
from compute import power
from compute import repair
from compute import rescue
from compute import resize
from compute import shelve
from compute import snapshot
from compute import snapshot_actions
from compute import states
from compute.virt import power_state

LOG = logging.getLogger(__name__)
BINARY = 'stratus-compute'
BUILD_EVENT = 'compute__do_build_and_run_instance'
DELETE_EVENT = 'compute_terminate_instance'


class ComputeManager:
    RPC_API_VERSION = '1.5'

    def __init__(self, conf, host, driver, conductor_api, notifier, image_store,
                 resource_tracker, compute_api=None, consoleauth_api=None, transfers=None):
        self.conf = conf
        self.host = host
        self.driver = driver
        self.conductor_api = conductor_api
        self.notifier = notifier
        self.image_store = image_store
        self.rt = resource_tracker
        self.locks = locks.InstanceLocks()
        self.runner = action.ActionRunner(host, driver, conductor_api, notifier, self.locks,
                                          conf.compute.debug_action_pause)
        self.repairer = repair.Repairer(self.runner)
        # Serves the disks of outgoing resizes and cold migrations (stopped with the service).
        self.transfers = transfers or disk_transfer.TransferServer.from_conf(conf)
        self.evacuation = evacuate.EvacuateEndpoint(self.runner, image_store, consoleauth_api)
        self.resizer = resize.ResizeEndpoint(conf, self.runner, compute_api, consoleauth_api,
                                             image_store, self.repairer, self.transfers)
        self.snapshotter = snapshot.Snapshotter(host, driver, conductor_api, image_store,
                                               conf.compute.debug_action_pause)
        # The action families, served on the same topic beside this manager.
        self.endpoints = [power.PowerEndpoint(conf, self.runner, image_store, self.repairer),
                          snapshot_actions.SnapshotEndpoint(self.runner, self.snapshotter,
                                                            self.repairer),
                          rescue.RescueEndpoint(self.runner, image_store),
                          guest.GuestEndpoint(self.runner),
                          console.ConsoleEndpoint(conf, driver),
                          diagnostics.DiagnosticsEndpoint(driver),
                          shelve.ShelveEndpoint(conf, self.runner, image_store,
                                                self.snapshotter, self.repairer),
                          # compute_api reaches the other host of a migration.
                          live_migration.LiveMigrationEndpoint(
                              conf, self.runner, compute_api, consoleauth_api, image_store,
                              self.repairer),
                          self.resizer,
                          self.evacuation]

    # -- RPC endpoints -----------------------------------------------------
    def build_and_run_instance(self, ctxt, instance, image, request_spec, alternates):
        uuid = instance['uuid']
        with self.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, 'create', 'start', instance)
            try:
                self.driver.spawn(instance, image, self.image_store.path(image['id']))
            except Exception as exc:  # noqa: BLE001 - any spawn failure reschedules
                self._build_failed(ctxt, instance, exc)
                return
            event = {'name': BUILD_EVENT, 'result': 'Success', 'start_time': started}
            try:
                instance = self.conductor_api.instance_update(
                    ctxt, self.host, uuid,
                    {'vm_state': states.ACTIVE, 'task_state': None,
                     'power_state': power_state.RUNNING,
                     'launched_at': timeutils.utcnow().isoformat()},
                    expected_task_state=states.SPAWNING, event=event)
            except (exception.InstanceNotFound, exception.UnexpectedTaskState,
                    exception.HostMismatch) as exc:
                # Deleted or taken over while we spawned: the guest must not linger.
                LOG.info('instance %s changed during build (%s); removing the guest', uuid,
                         exception.summary(exc))
                self.driver.destroy(instance)
                return
            self.notifier.instance(ctxt, 'create', 'end', instance)
            LOG.info('instance %s is running', uuid)

    def _build_failed(self, ctxt, instance, exc):
        LOG.warning('build of %s failed: %s', instance['uuid'], exc)
        details = traceback.format_exc()
        self.notifier.instance(ctxt, 'create', 'error', instance, fault=str(exc))
        try:
            self.driver.destroy(instance)
        except Exception:  # noqa: BLE001 - cleanup is best effort; the failure goes on
            LOG.exception('cleanup after failed build of %s', instance['uuid'])
        self.conductor_api.build_failed(ctxt, self.host, instance['uuid'],
                                        exception.summary(exc), details)

    def terminate_instance(self, ctxt, instance):
        uuid = instance['uuid']
        with self.locks.hold(uuid):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, 'delete', 'start', instance)
            try:
                self.driver.destroy(instance)
            except Exception as exc:  # noqa: BLE001 - report, keep the row for a retry
                LOG.exception('destroy of %s failed', uuid)
                self._delete_failed(ctxt, instance, exc, started)
                return
            event = {'name': DELETE_EVENT, 'result': 'Success', 'start_time': started}
            self.conductor_api.instance_destroyed(ctxt, self.host, uuid, event=event)
            LOG.info('instance %s is deleted', uuid)
            self.notifier.instance(ctxt, 'delete', 'end', dict(instance, vm_state='deleted'))

    def _delete_failed(self, ctxt, instance, exc, started):
        event = {'name': DELETE_EVENT, 'result': 'Error', 'start_time': started,
                 'traceback': traceback.format_exc()}
        fault = {'code': 500, 'message': f'Delete failed: {exception.summary(exc)}'}
        self.notifier.instance(ctxt, 'delete', 'error', instance, fault=fault['message'])
        self.conductor_api.instance_update(
            ctxt, self.host, instance['uuid'],
            {'vm_state': states.ERROR, 'task_state': None}, event=event, fault=fault)

    def list_guests(self, ctxt):
        return [{'uuid': uuid, 'power_state': self.driver.get_power_state({'uuid': uuid})}
                for uuid in self.driver.list_instance_uuids()]

    # -- start-up and periodic work -----------------------------------------
    def init_host(self, ctxt):
        """Report inventory, then repair instances a crash left in a transient state."""
        self.driver.init_host(self.host)
        self.conductor_api.wait_until_ready(ctxt)
        self.heartbeat(ctxt)
        self.rt.report(ctxt)
        self._remove_evacuated(ctxt)
        self._abandon_incoming_moves(ctxt)
        for instance in self.conductor_api.instances_on_host(ctxt, self.host):
            try:
                self._repair(ctxt, instance)
            except Exception:  # noqa: BLE001 - one bad instance must not block start-up
                LOG.exception('could not repair instance %s', instance['uuid'])

    def _repair(self, ctxt, instance):
        task = instance['task_state']
        if task == states.DELETING:
            LOG.info('finishing the interrupted delete of %s', instance['uuid'])
            self.terminate_instance(ctxt, instance)
        elif instance['vm_state'] == states.BUILDING:
            LOG.info('build of %s was interrupted; putting it in ERROR', instance['uuid'])
            self.driver.destroy(instance)
            self.conductor_api.instance_update(
                ctxt, self.host, instance['uuid'],
                {'vm_state': states.ERROR, 'task_state': None,
                 'power_state': power_state.NOSTATE},
                expected_task_state=task,
                fault={'code': 500, 'message': 'Build was interrupted by a restart of the '
                                               f'compute service on {self.host}.'})
        elif task in states.TRANSIENT:
            self.repairer.repair(ctxt, instance)

    def _abandon_incoming_moves(self, ctxt):
        try:
            self.resizer.abandon_incoming(ctxt, self.repairer.restart_reason())
        except Exception:  # noqa: BLE001 - start-up goes on; the source's deadline repairs
            LOG.exception('could not look for moves interrupted on %s', self.host)

    def _remove_evacuated(self, ctxt):
        try:
            self.evacuation.remove_evacuated(ctxt)
        except Exception:  # noqa: BLE001 - start-up goes on; the next start tries again
            LOG.exception('could not look for guests evacuated from %s', self.host)

    def check_build_timeouts(self, ctxt):
        """Builds past [compute] build_timeout go to ERROR with a fault, and other actions
        past [compute] stuck_task_timeout are ended as after a restart, when no worker
        holds the instance: their message was lost, nothing will ever finish them."""
        now = timeutils.utcnow()
        for instance in self.conductor_api.instances_on_host(ctxt, self.host):
            task = instance['task_state']
            if task not in states.TRANSIENT or task == states.DELETING or \
                    self.locks.busy(instance['uuid']):
                continue
            changed = timeutils.parse(instance.get('updated_at') or instance['created_at'])
            age = (now - changed).total_seconds()
            if task == states.SPAWNING:
                timeout = self.conf.compute.build_timeout
                if timeout and age >= timeout:
                    LOG.warning('build of %s timed out after %d s', instance['uuid'], timeout)
                    self._fail_stuck_build(ctxt, instance, f'Build timed out after {timeout} s '
                                                           f'on {self.host}.')
                continue
            timeout = self.conf.compute.stuck_task_timeout
            if timeout and age >= timeout:
                LOG.warning('%s of %s made no progress for %d s', task, instance['uuid'], age)
                self.repairer.repair(ctxt, instance, why=f'no progress for {timeout} s on '
                                                         f'{self.host} (a lost message)')

    def _fail_stuck_build(self, ctxt, instance, message):
        try:
            self.conductor_api.instance_update(
                ctxt, self.host, instance['uuid'],
                {'vm_state': states.ERROR, 'task_state': None},
                expected_task_state=states.SPAWNING, fault={'code': 500, 'message': message})
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            return
        self.driver.destroy(instance)

    def heartbeat(self, ctxt):
        self.conductor_api.service_heartbeat(ctxt, self.host, BINARY, f'compute.{self.host}')

    def report_resources(self, ctxt):
        self.rt.report(ctxt)
