"""Runs one lifecycle action on a compute host: lock, notify, act, then finish or fail cleanly.

Every action ends with one compare-and-swap through the conductor from its
transient task_state, which also closes the action's event (with the traceback
on failure) and, on failure, records a fault: no task_state stays set.
"""
import logging
import time
import traceback

from common import exception
from common import timeutils
from compute import states
from compute.virt import power_state

LOG = logging.getLogger(__name__)
# The instance was deleted, or another action or host took it over, meanwhile: the
# work ends quietly rather than fighting over the instance.
MOVED_ON = (exception.InstanceNotFound, exception.UnexpectedTaskState,
            exception.HostMismatch)


class Failed(Exception):
    """Raised by an action's work to fail it with this vm_state and message."""

    def __init__(self, message, vm_state=None):
        super().__init__(message)
        self.vm_state = vm_state


class ActionRunner:
    """Shared by every action endpoint of one compute worker."""

    def __init__(self, host, driver, conductor_api, notifier, locks, debug_pause=0.0):
        self.host = host
        # Crash tests need an action to be caught mid-way; never set in production.
        self.debug_pause = debug_pause
        self.driver = driver
        self.conductor_api = conductor_api
        self.notifier = notifier
        self.locks = locks

    def run(self, ctxt, instance, name, work, notify=None, method=None, started_from=None):
        """Run ``work(instance)`` for the action row ``name`` and finish it.

        ``work`` returns a dict of extra updates (or None). The end vm_state
        comes from the row; ``started_from`` is the vm_state the API saw
        (rebuild of a STOPPED instance ends STOPPED). Returns the updated
        instance, or None when the action failed or the instance moved on.
        """
        row = states.ACTIONS[name]
        notify = notify or name
        event_name = 'compute_' + (method or name)
        origin = started_from or instance['vm_state']
        with self.locks.hold(instance['uuid']):
            started = timeutils.utcnow().isoformat()
            self.notifier.instance(ctxt, notify, 'start', instance)
            try:
                if self.debug_pause:
                    time.sleep(self.debug_pause)
                extra = work(instance) or {}
            except Exception as exc:  # noqa: BLE001 - every failure is recorded, then ends
                self._fail(ctxt, instance, row, origin, notify, event_name, started, exc)
                return None
            values = {'vm_state': row.end(origin), 'task_state': None,
                      'power_state': self.power_state(instance)}
            values.update(extra)
            event = {'name': event_name, 'result': 'Success', 'start_time': started}
            updated = self.finish(ctxt, instance, list(row.working_states), values,
                                  event=event)
            if updated is not None:
                self.notifier.instance(ctxt, notify, 'end', updated)
            return updated

    def finish(self, ctxt, instance, expected_task_state, values, event=None, fault=None):
        """Compare-and-swap through the conductor; None when someone else moved it
        (deleted, reset by an admin): their state wins, ours is dropped."""
        try:
            return self.conductor_api.instance_update(
                ctxt, self.host, instance['uuid'], values,
                expected_task_state=expected_task_state, event=event, fault=fault)
        except (exception.InstanceNotFound, exception.UnexpectedTaskState,
                exception.HostMismatch) as exc:
            LOG.info('instance %s moved on during the action (%s); leaving it',
                     instance['uuid'], exception.summary(exc))
            return None

    def set_task_state(self, ctxt, instance, expected, task_state):
        """Advance to a later transient step (snapshot pending -> uploading)."""
        updated = self.finish(ctxt, instance, expected, {'task_state': task_state})
        if updated is None:
            raise Failed(f'instance {instance["uuid"]} changed state during the action')
        return updated

    def power_state(self, instance):
        try:
            return self.driver.get_power_state(instance)
        except exception.StratusError:
            return power_state.NOSTATE

    def _fail(self, ctxt, instance, row, origin, notify, event_name, started, exc):
        event, fault = failure(exc, event_name, started)
        LOG.warning('%s of %s failed: %s', row.name, instance['uuid'], fault['message'])
        self.notifier.instance(ctxt, notify, 'error', instance, fault=fault['message'])
        vm_state = getattr(exc, 'vm_state', None) or row.failed(origin)
        values = {'vm_state': vm_state, 'task_state': None,
                  'power_state': self.power_state(instance)}
        self.finish(ctxt, instance, list(row.working_states), values, event=event,
                    fault=fault)


def failure(exc, event_name, started, prefix=''):
    """The Error event (with the traceback) and the fault that record ``exc``; call it
    from the ``except`` block that caught ``exc``."""
    details = traceback.format_exc()
    event = {'name': event_name, 'result': 'Error', 'start_time': started,
             'traceback': details}
    fault = {'code': getattr(exc, 'code', 500) or 500,
             'message': prefix + exception.summary(exc), 'details': details}
    return event, fault
