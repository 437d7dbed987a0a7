"""lock / unlock: a flag in the database, no host involved."""
from api import policy
from api.handlers.actions import NO_ARGS
from api.handlers.actions import NULL
from api.handlers.actions import Spec
from common import exception
from db import instances

LOCK_BODY = {'oneOf': [
    NULL,
    {'type': 'object', 'properties': {
        'locked_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
     'additionalProperties': False}]}


def _lock(req, deps, instance, body):
    reason = (body or {}).get('locked_reason')
    if reason is not None and req.api_version < (2, 73):
        raise exception.Invalid('locked_reason is accepted from microversion 2.73.')
    owner = 'admin' if req.context.is_admin else 'owner'
    instances.update(deps.db, instance['uuid'], {'locked': True, 'locked_by': owner,
                                                 'locked_reason': reason})


def _unlock(req, deps, instance, body):
    if instance['locked_by'] == 'admin':
        policy.authorize(req.context, 'os-lock-server:unlock:unlock_override')
    instances.update(deps.db, instance['uuid'], {'locked': False, 'locked_by': None,
                                                 'locked_reason': None})


SPECS = [Spec('lock', 'os-lock-server:lock', LOCK_BODY, _lock),
         Spec('unlock', 'os-lock-server:unlock', NO_ARGS, _unlock)]
