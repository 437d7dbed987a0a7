"""POST /servers/{id}/action: one body key names the action; each is validated, checked
against the state table, recorded as an instance action, then carried out."""
import importlib

from api import policy
from api import schemas
from api import wsgi
from api.handlers import servers as server_handlers
from common import exception
from common import timeutils
from db import actions

PREFIX = '/compute/v2.1/servers/{server_id}/action'
# One module per family of actions under api/handlers/actions/.
_FAMILIES = ('lock', 'power', 'deferred', 'images', 'rescue', 'guest', 'shelve', 'console',
             'migrate', 'resize', 'evacuate')


def _specs():
    found = {}
    for family in _FAMILIES:
        module = importlib.import_module(f'api.handlers.actions.{family}')
        found.update({spec.name: spec for spec in module.SPECS})
    return found


SPECS = _specs()


def action(req, deps, server_id):
    ctxt = req.context
    body = req.json_body_or_400()
    if not isinstance(body, dict) or len(body) != 1:
        raise exception.Invalid('The action body must name exactly one action.')
    name, args = next(iter(body.items()))
    spec = SPECS.get(name)
    if spec is None or req.api_version < spec.min_version or (
            spec.max_version and req.api_version > spec.max_version):
        raise exception.Invalid(f'There is no such action: {name}')
    schemas.validate(spec.schema_for(req.api_version), args)
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(ctxt, spec.rule)
    row = spec.row_for(args)
    if row.check_lock:
        server_handlers.check_lock(ctxt, instance)
    refusal = row.refusal(instance)
    if refusal:
        raise exception.Conflict(refusal)
    if spec.prepare is not None:
        args = spec.prepare(req, deps, instance, args)
    if spec.action_name is None:
        return spec.act(req, deps, instance, args)
    started = timeutils.utcnow()
    actions.start(deps.db, ctxt, instance['uuid'], spec.action_name)
    event = f'api_{spec.action_name}'
    try:
        response = spec.act(req, deps, instance, args)
    except exception.StratusError as exc:
        actions.event_finish(deps.db, instance['uuid'], ctxt.request_id, event, 'Error',
                             exception.summary(exc), start_time=started)
        raise
    actions.event_finish(deps.db, instance['uuid'], ctxt.request_id, event, 'Success',
                         start_time=started)
    return response if response is not None else wsgi.json_response(None, 202)


ROUTES = [('POST', PREFIX, action)]
