"""Instance states: the vm_states and task_states the control plane sets.

The per-action table (allowed states, transient task, end states) comes with the
lifecycle actions; the boot path uses building/scheduling/spawning -> active and
delete uses deleting.
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
