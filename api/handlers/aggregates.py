"""/os-aggregates: host aggregates, their hosts, metadata and availability zone (admin)."""
from api import policy
from api import schemas
from api import wsgi
from api.views import services as service_views
from common import exception
from db import aggregates
from db import instances
from db import services

PREFIX = '/compute/v2.1/os-aggregates'
_TIME = '%Y-%m-%dT%H:%M:%S.%f'
_LOOSE_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
               'pattern': r'^[^\x00-\x1f]*$'}
_ZONE = {'oneOf': [{'type': 'string', 'minLength': 1, 'maxLength': 255,
                    'pattern': r'^(?! )[^:\x00-\x1f]*(?<! )$'}, {'type': 'null'}]}
_HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[a-zA-Z0-9-._]*$'}
_META_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$'


def _wrap(key, properties, required=None, **extra):
    inner = {'type': 'object', 'properties': properties, 'additionalProperties': False, **extra}
    if required:
        inner['required'] = required
    return {'type': 'object', 'properties': {key: inner}, 'required': [key],
            'additionalProperties': False}


CREATE = _wrap('aggregate', {'name': schemas.NAME, 'availability_zone': _ZONE}, ['name'])
UPDATE = _wrap('aggregate', {'name': _LOOSE_NAME, 'availability_zone': _ZONE},
               anyOf=[{'required': ['name']}, {'required': ['availability_zone']}])
ACTIONS = {
    'add_host': _wrap('add_host', {'host': _HOST}, ['host']),
    'remove_host': _wrap('remove_host', {'host': _HOST}, ['host']),
    'set_metadata': _wrap('set_metadata', {'metadata': {
        'type': 'object', 'additionalProperties': False, 'patternProperties': {
            _META_KEY: {'type': ['string', 'null'], 'maxLength': 255}}}}, ['metadata']),
}


def _time(value):
    return value.strftime(_TIME) if value is not None else None


def _view(agg, version, created=False):
    """Nova's aggregate object as it prints it: no hosts/metadata on create, uuid at 2.41."""
    body = {'id': agg['id'], 'name': agg['name'], 'availability_zone': agg['availability_zone'],
            'created_at': _time(agg['created_at']), 'updated_at': _time(agg['updated_at']),
            'deleted': False, 'deleted_at': None}
    if not created:
        body.update(hosts=agg['hosts'], metadata=agg['metadata'])
    if version >= (2, 41):
        body['uuid'] = agg['uuid']
    return {'aggregate': body}


def _id(raw):
    """The aggregate id in the URL: an integer (else 400); one SQL cannot hold is not found."""
    try:
        ident = int(raw)
    except ValueError:
        raise exception.Invalid(f'id must be an integer, not {raw!r}.') from None
    if abs(ident) >= 2 ** 63:
        raise aggregates.AggregateNotFound(ident=raw)
    return ident


def _refuse(action, agg_id, why):
    raise exception.Invalid(f'Cannot {action} aggregate {agg_id}. Reason: {why}.')


def check_zone(deps, agg, zone, hosts, action, no_instances=False):
    """Nova's is_safe_to_update_az: a named zone, no host in another zone, no moved servers."""
    if not zone:
        _refuse(action, agg['id'], f'Aggregate {agg["name"]} does not support empty named '
                                   f'availability zone')
    if zone == service_views.INTERNAL_ZONE:
        _refuse(action, agg['id'], f'the {zone} availability zone holds no compute host')
    conflicts = sorted({z for host, zones in aggregates.zones_of_hosts(deps.db, hosts).items()
                        for agg_id, z in zones.items() if agg_id != agg['id'] and z != zone})
    if conflicts:
        _refuse(action, agg['id'], f'One or more hosts already in availability zone(s) '
                                   f'{conflicts}')
    if no_instances and hosts and zone != agg['availability_zone'] and instances.list_(
            deps.db, {'host': list(hosts)}, limit=1):
        _refuse(action, agg['id'], 'One or more hosts contain instances in this zone')


def index(req, deps):
    policy.authorize(req.context, 'os-aggregates:index')
    return wsgi.json_response({'aggregates': [
        _view(a, req.api_version)['aggregate'] for a in aggregates.list_(deps.db)]})


def create(req, deps):
    policy.authorize(req.context, 'os-aggregates:create')
    body = schemas.validate(CREATE, req.json_body_or_400())['aggregate']
    zone = body.get('availability_zone')
    if zone == service_views.INTERNAL_ZONE:
        raise exception.Invalid(f'Cannot create an aggregate in the {zone} availability zone.')
    agg = aggregates.create(deps.db, body['name'].strip(), zone or None)
    return wsgi.json_response(_view(agg, req.api_version, created=True))


def show(req, deps, aggregate_id):
    policy.authorize(req.context, 'os-aggregates:show')
    return wsgi.json_response(_view(aggregates.get(deps.db, _id(aggregate_id)),
                                    req.api_version))


def update(req, deps, aggregate_id):
    policy.authorize(req.context, 'os-aggregates:update')
    body = schemas.validate(UPDATE, req.json_body_or_400())['aggregate']
    agg = aggregates.get(deps.db, _id(aggregate_id))
    metadata = None
    if 'availability_zone' in body:
        check_zone(deps, agg, body['availability_zone'], agg['hosts'], 'update',
                   no_instances=True)
        metadata = {aggregates.AZ_KEY: body['availability_zone']}
    name = body['name'].strip() if 'name' in body else None
    agg = aggregates.update(deps.db, agg['id'], name=name, metadata=metadata)
    return wsgi.json_response(_view(agg, req.api_version))


def delete(req, deps, aggregate_id):
    policy.authorize(req.context, 'os-aggregates:delete')
    agg = aggregates.get(deps.db, _id(aggregate_id))
    if agg['hosts']:
        _refuse('delete', agg['id'], 'Host aggregate is not empty')
    aggregates.delete(deps.db, agg['id'])
    return wsgi.json_response(None, 200)


def action(req, deps, aggregate_id):
    body = req.json_body_or_400()
    name = next(iter(body), None) if isinstance(body, dict) and len(body) == 1 else None
    if name not in ACTIONS:
        raise exception.Invalid('Exactly one of add_host, remove_host or set_metadata is '
                                'required.')
    policy.authorize(req.context, f'os-aggregates:{name}')
    args = schemas.validate(ACTIONS[name], body)[name]
    agg = _ACTIONS[name](deps, _id(aggregate_id), args)
    return wsgi.json_response(_view(agg, req.api_version))


def _compute_host(deps, host):
    if not services.list_(deps.db, host=host, binary=service_views.COMPUTE):
        raise exception.ComputeHostNotFound(host=host)


def _add_host(deps, ident, args):
    host = args['host']
    _compute_host(deps, host)
    agg = aggregates.get(deps.db, ident)
    if agg['availability_zone'] is not None:
        try:
            check_zone(deps, agg, agg['availability_zone'], [host], 'add host to')
        except exception.Invalid as exc:  # Nova answers add_host's refusals with a 409
            raise exception.Conflict(str(exc)) from None
    if not aggregates.add_host(deps.db, ident, host):
        raise exception.Conflict(f'Aggregate {ident} already has host {host}.')
    return aggregates.get(deps.db, ident)


def _remove_host(deps, ident, args):
    host = args['host']
    try:
        _compute_host(deps, host)
        removed = aggregates.remove_host(deps.db, ident, host)
    except exception.NotFound:
        removed = False
    if not removed:
        raise exception.NotFound(f'Cannot remove host {host} in aggregate {ident}')
    return aggregates.get(deps.db, ident)


def _set_metadata(deps, ident, args):
    agg = aggregates.get(deps.db, ident)
    metadata = args['metadata']
    if aggregates.AZ_KEY in metadata:
        check_zone(deps, agg, metadata[aggregates.AZ_KEY], agg['hosts'], 'update metadata of',
                   no_instances=True)
    return aggregates.update(deps.db, ident, metadata=metadata)


_ACTIONS = {'add_host': _add_host, 'remove_host': _remove_host,
            'set_metadata': _set_metadata}

ROUTES = [
    ('GET', PREFIX, index),
    ('POST', PREFIX, create),
    ('GET', PREFIX + '/{aggregate_id}', show),
    ('PUT', PREFIX + '/{aggregate_id}', update),
    ('DELETE', PREFIX + '/{aggregate_id}', delete),
    ('POST', PREFIX + '/{aggregate_id}/action', action),
]
