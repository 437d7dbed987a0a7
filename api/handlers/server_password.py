"""/servers/{id}/os-server-password: the password a guest agent posted; show and clear it."""
from api import policy
from api import wsgi
from api.handlers import servers as server_handlers
from db import instances

PREFIX = '/compute/v2.1/servers/{server_id}/os-server-password'
# The instance's system_metadata key the metadata service stores the agent's post under.
KEY = 'password'


def show(req, deps, server_id):
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(req.context, 'os-server-password:show')
    password = (instance.get('system_metadata') or {}).get(KEY) or ''
    return wsgi.json_response({'password': password})


def clear(req, deps, server_id):
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(req.context, 'os-server-password:clear')
    meta = dict(instance.get('system_metadata') or {})
    if meta.get(KEY):
        meta[KEY] = ''
        instances.update(deps.db, server_id, {'system_metadata': meta})
    return wsgi.json_response(None, 204)


ROUTES = [('GET', PREFIX, show), ('DELETE', PREFIX, clear)]
