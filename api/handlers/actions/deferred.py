"""Deferred delete: restore a soft-deleted server, or forceDelete one now (os-deferred-delete)."""
from api.handlers import servers as server_handlers
from api.handlers.actions import NO_ARGS
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import image_of
from common import exception
from compute import states
from db import instances


def _restore(req, deps, instance, args):
    row = states.ACTIONS['restore']
    if instance['host']:
        # The host powers the guest on again; deleted_at no longer starts the reclaim clock.
        instance = begin(deps, instance, row, {'deleted_at': None})
        deps.compute_api.restore_instance(req.context, instance['host'], instance,
                                          image_of(deps, instance))
        return
    # No host holds a guest: nothing to power on, the database alone says it is back.
    try:
        instances.update(deps.db, instance['uuid'],
                         {'vm_state': states.ACTIVE, 'task_state': None, 'deleted_at': None},
                         expected_task_state=None, expected_vm_state=states.SOFT_DELETED)
    except exception.UnexpectedTaskState as exc:
        raise exception.Conflict(f'Cannot \'restore\' instance {instance["uuid"]}: it changed '
                                 f'state meanwhile ({exception.summary(exc)})') from exc


def _force_delete(req, deps, instance, args):
    if instance['task_state'] == states.DELETING:
        return  # a delete is already on its way
    server_handlers.delete_instance(req, deps, instance)


SPECS = [
    Spec('restore', 'os-deferred-delete:restore', NO_ARGS, _restore),
    # Nova records a forced delete as the delete it is.
    Spec('forceDelete', 'os-deferred-delete:force', NO_ARGS, _force_delete, record='delete'),
]
