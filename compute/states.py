"""Instance states and the action table: where each action may start and what it sets.

The API checks an action against its row (409 otherwise) before it acts; the
lifecycle actions add their rows here as they are built.
"""
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

ANY = None  # in a row: no check on that state


class Action:
    """One row: the vm_states and task_states an action may start from."""

    def __init__(self, name, vm_states=ANY, task_states=ANY, check_lock=True):
        self.name = name
        self.vm_states = vm_states
        self.task_states = task_states
        self.check_lock = check_lock

    def refusal(self, instance):
        """Why the action may not start on ``instance`` (a sentence), or None."""
        for attr, allowed in (('vm_state', self.vm_states), ('task_state', self.task_states)):
            if allowed is not ANY and instance[attr] not in allowed:
                return (f'Cannot \'{self.name}\' instance {instance["uuid"]} while it is in '
                        f'{attr} {instance[attr]}')
        return None


ACTIONS = {action.name: action for action in (
    # Lock and unlock only change a flag: any state, and a lock never blocks them.
    Action('lock', check_lock=False),
    Action('unlock', check_lock=False),
)}
