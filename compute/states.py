"""Instance states and the action table: where each action may start, what it sets, where it ends.

The API checks an action against its row (409 otherwise) and moves the instance
into the row's transient task_state with a compare-and-swap; the compute host
finishes it with another compare-and-swap from that task_state to the end state.
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
SOFT_DELETING = 'soft-deleting'
RESTORING = 'restoring'
REBOOTING = 'rebooting'
REBOOTING_HARD = 'rebooting_hard'
POWERING_OFF = 'powering-off'
POWERING_ON = 'powering-on'
PAUSING = 'pausing'
UNPAUSING = 'unpausing'
SUSPENDING = 'suspending'
RESUMING = 'resuming'
RESCUING = 'rescuing'
UNRESCUING = 'unrescuing'
REBUILDING = 'rebuilding'
IMAGE_SNAPSHOT_PENDING = 'image_snapshot_pending'
IMAGE_BACKUP = 'image_backup'
IMAGE_UPLOADING = 'image_uploading'
SHELVING = 'shelving'
SHELVING_IMAGE_UPLOADING = 'shelving_image_uploading'
SHELVING_OFFLOADING = 'shelving_offloading'
UNSHELVING = 'unshelving'
UPDATING_PASSWORD = 'updating_password'
MIGRATING = 'migrating'
RESIZE_PREP = 'resize_prep'
RESIZE_MIGRATING = 'resize_migrating'
RESIZE_MIGRATED = 'resize_migrated'
RESIZE_FINISH = 'resize_finish'
RESIZE_REVERTING = 'resize_reverting'
RESIZE_CONFIRMING = 'resize_confirming'
# The steps of a resize or cold migration, in order, up to VERIFY_RESIZE.
RESIZE_STEPS = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)

ANY = None  # in a row: no check on that state
SAME = 'same'  # as an end state: the vm_state the action started from
IDLE = (None,)  # no other action in progress

# A hard reboot may interrupt these (a guest stuck pausing or rebooting).
ALLOW_REBOOT = (None, REBOOTING, REBOOTING_HARD, PAUSING, UNPAUSING, SUSPENDING, RESUMING)
# Task states a compute host works in; init_host repairs each after a crash.
TRANSIENT = frozenset({
    SPAWNING, DELETING, SOFT_DELETING, RESTORING, REBOOTING, REBOOTING_HARD,
    POWERING_OFF, POWERING_ON, PAUSING, UNPAUSING, SUSPENDING, RESUMING, RESCUING,
    UNRESCUING, REBUILDING, IMAGE_SNAPSHOT_PENDING, IMAGE_BACKUP, IMAGE_UPLOADING,
    SHELVING, SHELVING_IMAGE_UPLOADING, SHELVING_OFFLOADING, UNSHELVING,
    UPDATING_PASSWORD, MIGRATING, *RESIZE_STEPS, RESIZE_REVERTING, RESIZE_CONFIRMING})

_SNAPSHOTTABLE = (ACTIVE, STOPPED, PAUSED, SUSPENDED)


class Action:
    """One row: the states an action may start from, its transient task_state,
    the vm_state it ends in on success, and the vm_state a failure leaves."""

    def __init__(self, name, vm_states=ANY, task_states=IDLE, task_state=None,
                 end_state=SAME, error_state=SAME, check_lock=True, needs_host=False,
                 later=()):
        self.name = name
        # Later transient steps the host may move through (snapshot -> upload).
        self.working_states = ((task_state,) + tuple(later)) if task_state else ()
        self.vm_states = vm_states
        self.task_states = task_states
        self.task_state = task_state
        self.end_state = end_state
        self.error_state = error_state
        self.check_lock = check_lock
        self.needs_host = needs_host

    def refusal(self, instance):
        """Why the action may not start on ``instance`` (a sentence), or None."""
        for attr, allowed in (('vm_state', self.vm_states), ('task_state', self.task_states)):
            if allowed is not ANY and instance[attr] not in allowed:
                return (f'Cannot \'{self.name}\' instance {instance["uuid"]} while it is in '
                        f'{attr} {instance[attr]}')
        if self.needs_host and not instance.get('host'):
            return (f'Cannot \'{self.name}\' instance {instance["uuid"]}: it is not on '
                    'any host')
        return None

    def end(self, started_from):
        """The vm_state after success, given the vm_state the action started from."""
        return started_from if self.end_state == SAME else self.end_state

    def failed(self, started_from):
        """The vm_state after a failure, given the vm_state the action started from."""
        return started_from if self.error_state == SAME else self.error_state


def _host_action(name, vm_states, task_state, end_state=SAME, task_states=IDLE,
                 error_state=SAME, later=()):
    return Action(name, vm_states, task_states, task_state, end_state, error_state,
                  needs_host=True, later=later)


ACTIONS = {action.name: action for action in (
    # Lock and unlock only change a flag: any state, and a lock never blocks them.
    Action('lock', check_lock=False),
    Action('unlock', check_lock=False),
    # An admin's repair tool: any state, no lock check, no host needed.
    Action('os-resetState', task_states=ANY, check_lock=False),
    _host_action('reboot', (ACTIVE,), REBOOTING, ACTIVE),
    _host_action('reboot_hard', (ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR), REBOOTING_HARD,
                 ACTIVE, task_states=ALLOW_REBOOT, error_state=ERROR),
    _host_action('os-stop', (ACTIVE, ERROR), POWERING_OFF, STOPPED),
    _host_action('os-start', (STOPPED,), POWERING_ON, ACTIVE),
    _host_action('pause', (ACTIVE,), PAUSING, PAUSED),
    _host_action('unpause', (PAUSED,), UNPAUSING, ACTIVE),
    _host_action('suspend', (ACTIVE,), SUSPENDING, SUSPENDED),
    _host_action('resume', (SUSPENDED,), RESUMING, ACTIVE),
    _host_action('rescue', (ACTIVE, STOPPED, ERROR), RESCUING, RESCUED),
    _host_action('unrescue', (RESCUED,), UNRESCUING, ACTIVE),
    # Rebuild ends STOPPED when it started STOPPED (the API passes that on).
    _host_action('rebuild', (ACTIVE, STOPPED, ERROR), REBUILDING, ACTIVE,
                 error_state=ERROR),
    _host_action('createImage', _SNAPSHOTTABLE, IMAGE_SNAPSHOT_PENDING,
                 later=(IMAGE_UPLOADING,)),
    _host_action('createBackup', _SNAPSHOTTABLE, IMAGE_BACKUP, later=(IMAGE_UPLOADING,)),
    _host_action('shelve', _SNAPSHOTTABLE, SHELVING, SHELVED,
                 later=(SHELVING_IMAGE_UPLOADING, SHELVING_OFFLOADING)),
    _host_action('shelveOffload', (SHELVED,), SHELVING_OFFLOADING, SHELVED_OFFLOADED),
    # An offloaded instance has no host: the conductor schedules it again.
    Action('unshelve', (SHELVED, SHELVED_OFFLOADED), IDLE, UNSHELVING, ACTIVE),
    Action('restore', (SOFT_DELETED,), IDLE, RESTORING, ACTIVE),
    Action('forceDelete', task_states=ANY),
    _host_action('changePassword', (ACTIVE,), UPDATING_PASSWORD),
    # The guest keeps running (or paused) throughout; only its host changes.
    _host_action('os-migrateLive', (ACTIVE, PAUSED), MIGRATING),
    # Resize and cold migrate: the guest moves powered off and waits in RESIZED (shown
    # VERIFY_RESIZE) for confirmResize or revertResize, each of which ends the move.
    _host_action('resize', (ACTIVE, STOPPED), RESIZE_PREP, RESIZED,
                 later=RESIZE_STEPS[1:]),
    _host_action('migrate', (ACTIVE, STOPPED), RESIZE_PREP, RESIZED, later=RESIZE_STEPS[1:]),
    _host_action('confirmResize', (RESIZED,), RESIZE_CONFIRMING),
    # The source host is down: the server is built again elsewhere, whatever it was doing.
    _host_action('evacuate', (ACTIVE, STOPPED, ERROR), REBUILDING, ACTIVE, task_states=ANY,
                 error_state=ERROR),
    _host_action('revertResize', (RESIZED,), RESIZE_REVERTING),
    # Reads only: no task_state, any vm_state, but a host must hold the guest.
    Action('os-getConsoleOutput', task_states=ANY, check_lock=False, needs_host=True),
    Action('os-getVNCConsole', task_states=ANY, check_lock=False, needs_host=True),
    # Not a body key: DELETE /servers/{id} while [DEFAULT] reclaim_instance_interval > 0.
    Action('soft_delete', task_states=ANY, task_state=SOFT_DELETING,
           end_state=SOFT_DELETED),
)}
