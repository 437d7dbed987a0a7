"""Periodic power-state sync: what the hypervisor says about a guest is written to the database.

For the instances of this host with no action in progress, the guest's power
state is recorded, and a guest that stopped or vanished behind Stratus's back
(ACTIVE or PAUSED in the database, shut off, crashed or missing on the
hypervisor) turns the instance STOPPED. The sync only writes the database: it
never powers a guest on or off, so a stale read cannot hurt a guest.
"""
import logging

from common import exception
from compute import states
from compute.virt import power_state

LOG = logging.getLogger(__name__)
# Guests that are not running, for an instance the database says should run.
_STOPPED_POWER = (power_state.SHUTDOWN, power_state.CRASHED, power_state.NOSTATE)
# vm_states whose guest should be running (or paused) on the hypervisor.
_SHOULD_RUN = (states.ACTIVE, states.PAUSED)


def expected_vm_state(vm_state, power):
    """The vm_state the sync writes for ``vm_state`` given the guest's ``power``."""
    if vm_state in _SHOULD_RUN and power in _STOPPED_POWER:
        return states.STOPPED
    return vm_state


class PowerSync:
    """One run per [DEFAULT] sync_power_state_interval on one compute worker."""

    def __init__(self, host, driver, conductor_api, locks):
        self.host = host
        self.driver = driver
        self.conductor_api = conductor_api
        self.locks = locks

    def sync(self, ctxt):
        """Sync every idle instance of this host; returns the uuids it changed."""
        changed = []
        for instance in self.conductor_api.instances_on_host(ctxt, self.host):
            if instance['task_state'] is not None or self.locks.busy(instance['uuid']):
                continue
            try:
                if self._sync_one(ctxt, instance):
                    changed.append(instance['uuid'])
            except Exception:  # noqa: BLE001 - one bad instance must not stop the sync
                LOG.exception('power sync of %s failed', instance['uuid'])
        return changed

    def _sync_one(self, ctxt, instance):
        if self._differences(instance) is None:
            return False
        uuid = instance['uuid']
        with self.locks.hold(uuid):
            # An action may have finished since the listing: decide on a fresh row,
            # read while no action of this worker can end (we hold the lock).
            fresh = self._fresh(ctxt, uuid)
            if fresh is None or fresh['task_state'] is not None:
                return False
            values = self._differences(fresh)
            if values is None:
                return False
            if values.get('vm_state', fresh['vm_state']) != fresh['vm_state']:
                LOG.warning('guest of %s is %s on the hypervisor while the instance is %s; '
                            'it is now %s', uuid, power_state.name(values['power_state']),
                            fresh['vm_state'], values['vm_state'])
            try:
                # task_state None: an action the API starts meanwhile wins.
                self.conductor_api.instance_update(ctxt, self.host, uuid, values,
                                                   expected_task_state=None)
            except (exception.InstanceNotFound, exception.UnexpectedTaskState,
                    exception.HostMismatch) as exc:
                LOG.info('power sync left %s alone: %s', uuid, exception.summary(exc))
                return False
            return True

    def _differences(self, instance):
        """The updates that bring ``instance`` in line with its guest, or None."""
        power = self.driver.get_power_state(instance)
        values = {}
        if power != instance.get('power_state'):
            values['power_state'] = power
        vm_state = expected_vm_state(instance['vm_state'], power)
        if vm_state != instance['vm_state']:
            values.update(vm_state=vm_state, power_state=power)
        return values or None

    def _fresh(self, ctxt, uuid):
        for instance in self.conductor_api.instances_on_host(ctxt, self.host):
            if instance['uuid'] == uuid:
                return instance
        return None


DEFAULT_SPACING = 60  # seconds, for an interval of 0 (Nova: "the default rate")


def tasks(conf, manager, ctxt):
    """The periodic task list entry of the sync; none when the interval is -1 (off)."""
    interval = conf.sync_power_state_interval
    if interval < 0:
        return []
    sync = PowerSync(manager.host, manager.driver, manager.conductor_api, manager.locks)
    return [(interval or DEFAULT_SPACING, 'sync_power_states', lambda: sync.sync(ctxt))]
