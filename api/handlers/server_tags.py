"""/servers/{id}/tags (2.26): list, replace and clear a server's tags; check, add, remove one."""
from api import policy
from api import schemas
from api import wsgi
from api.handlers import servers as server_handlers
from common import exception
from compute import states
from db import tags as tags_db

PREFIX = '/compute/v2.1/servers/{server_id}/tags'
MIN_VERSION = (2, 26)
MAX_TAGS = 50
TAG = {'type': 'string', 'minLength': 1, 'maxLength': 60, 'pattern': '^[^,/]*$'}
REPLACE_BODY = {'type': 'object', 'properties': {
    'tags': {'type': 'array', 'items': TAG, 'maxItems': MAX_TAGS}},
    'required': ['tags'], 'additionalProperties': False}
# Nova changes tags only of a server in one of these vm_states (task_state is not looked at).
_WRITABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED)


def _instance(req, deps, server_id, rule):
    if req.api_version < MIN_VERSION:
        raise exception.NotFound('The resource could not be found.')
    policy.authorize(req.context, rule)
    return server_handlers.get_instance(req, deps, server_id)


def _writable(req, deps, server_id, rule, action):
    instance = _instance(req, deps, server_id, rule)
    if instance['vm_state'] not in _WRITABLE:
        raise exception.Conflict(
            f"Cannot '{action}' instance {server_id} while it is in vm_state "
            f"{instance['vm_state']}")
    return instance


def index(req, deps, server_id):
    _instance(req, deps, server_id, 'os-server-tags:index')
    return wsgi.json_response({'tags': tags_db.get(deps.db, server_id)})


def show(req, deps, server_id, tag):
    _instance(req, deps, server_id, 'os-server-tags:show')
    if tag not in tags_db.get(deps.db, server_id):
        raise exception.NotFound(f"Server {server_id} has no tag '{tag}'")
    return wsgi.json_response(None, 204)


def replace(req, deps, server_id):
    _writable(req, deps, server_id, 'os-server-tags:update_all', 'update tags')
    body = schemas.validate(REPLACE_BODY, req.json_body_or_400())
    return wsgi.json_response({'tags': tags_db.replace(deps.db, server_id, body['tags'])})


def add(req, deps, server_id, tag):
    _writable(req, deps, server_id, 'os-server-tags:update', 'update tag')
    try:
        schemas.validate(TAG, tag)
    except exception.Invalid as exc:
        raise exception.Invalid(f"Tag '{tag}' is invalid. It must be a non empty string "
                                f"without characters '/' and ','. Validation error "
                                f"message: {exc}") from None
    existing = tags_db.get(deps.db, server_id)
    if len(existing) >= MAX_TAGS:
        raise exception.Invalid(f'The number of tags exceeded the per-server limit '
                                f'{MAX_TAGS}')
    if tag in existing or not tags_db.add(deps.db, server_id, tag):
        return wsgi.json_response(None, 204)
    location = f"{deps.endpoint(req, '/compute')}/v2.1/servers/{server_id}/tags/{tag}"
    return wsgi.json_response(None, 201, {'Location': location})


def delete(req, deps, server_id, tag):
    _writable(req, deps, server_id, 'os-server-tags:delete', 'delete tag')
    if not tags_db.remove(deps.db, server_id, tag):
        raise exception.NotFound(f'Tag {tag} could not be found for instance {server_id}.')
    return wsgi.json_response(None, 204)


def delete_all(req, deps, server_id):
    _writable(req, deps, server_id, 'os-server-tags:delete_all', 'delete tags')
    tags_db.remove(deps.db, server_id)
    return wsgi.json_response(None, 204)


ROUTES = [
    ('GET', PREFIX, index),
    ('PUT', PREFIX, replace),
    ('DELETE', PREFIX, delete_all),
    ('GET', PREFIX + '/{tag}', show),
    ('PUT', PREFIX + '/{tag}', add),
    ('DELETE', PREFIX + '/{tag}', delete),
]
