"""POST /servers/{id}/action: one body key names the action; each is checked against the
state table, recorded as an instance action, then carried out."""
from api import policy
from api import schemas
from api import wsgi
from api.handlers import servers as server_handlers
from common import exception
from common import timeutils
from compute import states
from db import actions
from db import instances

PREFIX = '/compute/v2.1/servers/{server_id}/action'

LOCK_BODY = {'oneOf': [
    {'type': 'null'},
    {'type': 'object', 'properties': {
        'locked_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
     'additionalProperties': False}]}


def _lock(req, deps, instance, body):
    schemas.validate(LOCK_BODY, body)
    reason = (body or {}).get('locked_reason')
    if reason is not None and req.api_version < (2, 73):
        raise exception.Invalid('locked_reason is accepted from microversion 2.73.')
    owner = 'admin' if req.context.is_admin else 'owner'
    instances.update(deps.db, instance['uuid'], {'locked': True, 'locked_by': owner,
                                                 'locked_reason': reason})


def _unlock(req, deps, instance, body):
    schemas.validate({'type': 'null'}, body)
    if instance['locked_by'] == 'admin':
        policy.authorize(req.context, 'os-lock-server:unlock:unlock_override')
    instances.update(deps.db, instance['uuid'], {'locked': False, 'locked_by': None,
                                                 'locked_reason': None})


# action name -> (handler, policy rule)
HANDLERS = {'lock': (_lock, 'os-lock-server:lock'),
            'unlock': (_unlock, 'os-lock-server:unlock')}


def action(req, deps, server_id):
    ctxt = req.context
    body = req.json_body_or_400()
    if len(body) != 1:
        raise exception.Invalid('The action body must name exactly one action.')
    name, args = next(iter(body.items()))
    if name not in HANDLERS:
        raise exception.Invalid(f'There is no such action: {name}')
    handler, rule = HANDLERS[name]
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(ctxt, rule)
    row = states.ACTIONS[name]
    if row.check_lock:
        server_handlers.check_lock(ctxt, instance)
    refusal = row.refusal(instance)
    if refusal:
        raise exception.Conflict(refusal)
    started = timeutils.utcnow()
    actions.start(deps.db, ctxt, instance['uuid'], name)
    handler(req, deps, instance, args)
    actions.event_finish(deps.db, instance['uuid'], ctxt.request_id, f'api_{name}', 'Success',
                         start_time=started)
    return wsgi.json_response(None, 202)


ROUTES = [('POST', PREFIX, action)]
