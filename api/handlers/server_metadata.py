"""/servers/{id}/metadata: list, replace, merge; show, set and delete one item."""
import sys

from api import policy
from api import quota
from api import wsgi
from api.handlers import servers as server_handlers
from api.schemas import metadata as meta_schemas
from common import exception
from compute import states
from db import instances

PREFIX = '/compute/v2.1/servers/{server_id}/metadata'
# Nova changes metadata only of a server at rest in one of these states.
_WRITABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED)


def _read(req, deps, server_id, rule):
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(req.context, rule)
    return instance


def _write(req, deps, server_id, rule, change):
    """Apply ``change(old) -> new`` to the metadata of a server that may change now."""
    ctxt = req.context
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(ctxt, rule)
    # As Nova: a missing item is a 404 before the server's lock and state are looked at.
    new = change(dict(instance.get('metadata') or {}))
    quota.check_metadata(deps.conf, deps.db, instance['project_id'], new)
    server_handlers.check_lock(ctxt, instance)
    if instance['vm_state'] not in _WRITABLE or instance['task_state'] is not None:
        raise exception.InstanceInvalidState(
            action='update metadata of', uuid=server_id,
            attr='vm_state/task_state',
            state=f"{instance['vm_state']}/{instance['task_state']}")
    # Compare-and-swap: a task that started meanwhile wins, and this write is a 409.
    instances.update(deps.db, server_id, {'metadata': new}, expected_task_state=None,
                     expected_vm_state=list(_WRITABLE))
    return new


def index(req, deps, server_id):
    instance = _read(req, deps, server_id, 'server-metadata:index')
    return wsgi.json_response({'metadata': instance.get('metadata') or {}})


def replace(req, deps, server_id):
    wanted = meta_schemas.all_from(req)
    return wsgi.json_response({'metadata': _write(
        req, deps, server_id, 'server-metadata:update_all', lambda old: dict(wanted))})


def merge(req, deps, server_id):
    wanted = meta_schemas.all_from(req)
    return wsgi.json_response({'metadata': _write(
        req, deps, server_id, 'server-metadata:create', lambda old: {**old, **wanted})})


def show(req, deps, server_id, key):
    metadata = _read(req, deps, server_id, 'server-metadata:show').get('metadata') or {}
    return wsgi.json_response(meta_schemas.item(metadata, key))


def set_item(req, deps, server_id, key):
    value = meta_schemas.item_from(req, key)
    _write(req, deps, server_id, 'server-metadata:update', lambda old: {**old, key: value})
    return wsgi.json_response({'meta': {key: value}})


def delete_item(req, deps, server_id, key):
    _write(req, deps, server_id, 'server-metadata:delete', meta_schemas.without(key))
    return wsgi.json_response(None, 204)


ROUTES = meta_schemas.routes(PREFIX, sys.modules[__name__])
