"""After a crash of the compute worker: end every action it left half-done in a consistent state.

An interrupted action cannot resume (its messages are gone), so the instance
gets task_state None, the vm_state its guest really is in (or ERROR where the
row says a failure leaves ERROR), and a fault that says what happened. Action
families register a hook for a task_state that needs more (a shelve that had
already removed the guest, say).
"""
import logging

from compute import states
from compute.virt import power_state

LOG = logging.getLogger(__name__)

# The row whose work a transient task_state belongs to.
_ROW_OF_TASK = {}
for _row in states.ACTIONS.values():
    for _task in _row.working_states:
        _ROW_OF_TASK.setdefault(_task, _row)


def vm_state_from_power(vm_state, power):
    """What the guest's power state says the vm_state is, given the one before."""
    if power == power_state.RUNNING:
        return states.RESCUED if vm_state == states.RESCUED else states.ACTIVE
    if power == power_state.PAUSED:
        return states.PAUSED
    if vm_state in (states.SUSPENDED, states.SHELVED, states.SOFT_DELETED):
        return vm_state
    return states.STOPPED


class Repairer:
    def __init__(self, runner):
        self.runner = runner
        self.hooks = {}

    def register(self, task_state, hook):
        """``hook(ctxt, instance, why)`` handles ``task_state`` instead of the generic
        repair; ``why`` ends the fault's sentence 'X was interrupted by ...'."""
        self.hooks[task_state] = hook

    def restart_reason(self):
        return f'a restart of the compute service on {self.runner.host}'

    def repair(self, ctxt, instance, why=None):
        """End the action ``instance`` is stuck in; ``why`` defaults to a restart."""
        why = why or self.restart_reason()
        task = instance['task_state']
        if task in self.hooks:
            return self.hooks[task](ctxt, instance, why)
        return self.generic(ctxt, instance, why)

    def generic(self, ctxt, instance, why=None):
        """task_state None; vm_state from the guest's power (or ERROR); a fault."""
        task = instance['task_state']
        row = _ROW_OF_TASK.get(task)
        if row is None:
            return None
        power = self.runner.power_state(instance)
        vm_state = (states.ERROR if row.error_state == states.ERROR
                    else vm_state_from_power(instance['vm_state'], power))
        LOG.info('%s of %s was interrupted; it is now %s', row.name, instance['uuid'],
                 vm_state)
        message = interrupted(row.name, why or self.restart_reason())
        return self.runner.finish(ctxt, instance, task,
                                  {'vm_state': vm_state, 'task_state': None,
                                   'power_state': power},
                                  fault={'code': 500, 'message': message})


def interrupted(action, why):
    """The fault message of an action that could not finish."""
    return f'{action} was interrupted by {why}.'
