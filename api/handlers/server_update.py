"""PUT /servers/{id}: rename, describe (2.19+), set access IPs; the server as Nova shows it."""
from api import policy
from api import schemas
from api import server_fields
from api import wsgi
from api.handlers import servers as server_handlers
from api.schemas import servers as server_schemas
from api.views import servers as views
from db import instances

PREFIX = '/compute/v2.1/servers/{server_id}'

# Before 2.75 Nova answers an update with the basic server body only: none of the
# extension attributes GET shows (it shows them all from 2.75 on).
_BASIC_KEYS = {'id', 'name', 'status', 'image', 'flavor', 'fault', 'user_id', 'tenant_id',
               'created', 'updated', 'progress', 'metadata', 'links', 'addresses', 'hostId',
               'OS-DCF:diskConfig', 'accessIPv4', 'accessIPv6'}
_VERSIONED_KEYS = (((2, 9), 'locked'), ((2, 19), 'description'), ((2, 26), 'tags'),
                   ((2, 63), 'trusted_image_certificates'), ((2, 71), 'server_groups'),
                   ((2, 73), 'locked_reason'))


def update(req, deps, server_id):
    ctxt = req.context
    version = req.api_version
    body = schemas.validate(server_schemas.UPDATE, req.json_body_or_400())['server']
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(ctxt, 'servers:update')
    # Nova updates these fields on a locked or busy server too: no lock or state check.
    values = server_fields.values(body, version)
    if 'name' in body:
        values['display_name'] = body['name']
    disk_meta = server_fields.with_disk_config(instance, body)
    if disk_meta is not None:
        values['system_metadata'] = disk_meta
    if values:
        instance = instances.update(deps.db, server_id, values)
    instance = server_handlers.with_tags(deps, instance, version)
    groups = server_handlers.groups_for_view(deps, instance, version)
    shown = views.detail(instance, server_handlers.compute_base(req, deps), version,
                         ctxt.is_admin, server_groups=groups)
    return wsgi.json_response({'server': _for_version(shown, version)})


def _for_version(shown, version):
    if version >= (2, 75):
        return shown
    keys = _BASIC_KEYS | {key for since, key in _VERSIONED_KEYS if version >= since}
    body = {k: v for k, v in shown.items() if k in keys}
    # The basic body's addresses carry no OS-EXT-IPS extension attributes either.
    body['addresses'] = {net: [{k: v for k, v in a.items() if not k.startswith('OS-EXT-IPS')}
                               for a in addrs]
                         for net, addrs in (shown.get('addresses') or {}).items()}
    return body


ROUTES = [('PUT', PREFIX, update)]
