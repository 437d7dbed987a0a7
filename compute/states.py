"""The state table: vm_states, task_states, power states, and what each action allows."""
# vm_states
BUILDING = 'building'
ACTIVE = 'active'
STOPPED = 'stopped'
PAUSED = 'paused'
SUSPENDED = 'suspended'
RESIZED = 'resized'
RESCUED = 'rescued'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'
SOFT_DELETED = 'soft_deleted'
DELETED = 'deleted'
ERROR = 'error'

# task_states
SCHEDULING = 'scheduling'
SPAWNING = 'spawning'
DELETING = 'deleting'

TRANSIENT_BUILD = (SCHEDULING, SPAWNING)

ANY = object()


class Action:
    """One row of the table: where an action may start, what it sets, where it ends."""

    def __init__(self, name, vm_states, task_states=(None,), sets_task=None, ends=None,
                 check_lock=True, admin_only=False):
        self.name = name
        self.vm_states = vm_states
        self.task_states = task_states
        self.sets_task = sets_task
        self.ends = ends
        self.check_lock = check_lock
        self.admin_only = admin_only

    def allows(self, instance):
        return (self.vm_states is ANY or instance['vm_state'] in self.vm_states) and \
            (self.task_states is ANY or instance['task_state'] in self.task_states)


ACTIONS = {a.name: a for a in (
    Action('create', vm_states=(), sets_task=SCHEDULING, ends=ACTIVE),
    Action('delete', vm_states=ANY, task_states=ANY, sets_task=DELETING, ends=DELETED),
)}


def get(name):
    return ACTIONS[name]
