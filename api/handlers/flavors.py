"""/flavors: list, detail, show, create, update (description), delete."""
import uuid as uuid_mod

from api import policy
from api import schemas
from api import wsgi
from api.schemas import flavors as flavor_schemas
from api.handlers.servers import next_query
from api.views import flavors as views
from common import exception
from db import flavors

PREFIX = '/compute/v2.1/flavors'


def _base(req, deps):
    return deps.endpoint(req, '/compute')


def _is_public_param(req):
    raw = req.GET.get('is_public')
    if raw is None:
        return True
    if raw.lower() == 'none':
        return None
    if raw.lower() not in ('true', 'false', '1', '0', 't', 'f', 'yes', 'no', 'on', 'off'):
        raise exception.Invalid(f'Invalid is_public filter [{raw}]')
    return schemas.to_bool(raw) or raw.lower() in ('t',)


def _int_param(req, name):
    raw = req.GET.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise exception.Invalid(f'Invalid {name} filter [{raw}]') from exc
    # Clamp to what SQLite can compare against (a larger value matches nothing anyway).
    return max(min(value, 2 ** 63 - 1), -2 ** 63)


def _list(req, deps, detailed):
    ctxt = req.context
    policy.authorize(ctxt, 'flavors:index')
    is_public = _is_public_param(req)
    if not ctxt.is_admin:
        is_public = True
    limit = _int_param(req, 'limit')
    if limit is not None and limit < 0:
        raise exception.Invalid('limit param must be positive')
    limit = min(limit if limit is not None else deps.conf.api.max_limit, deps.conf.api.max_limit)
    found = flavors.list_(deps.db, is_public=is_public,
                          project_id=None if ctxt.is_admin else ctxt.project_id,
                          min_ram=_int_param(req, 'minRam'), min_disk=_int_param(req, 'minDisk'),
                          limit=limit, marker=req.GET.get('marker'))
    base = _base(req, deps)
    view = views.detail if detailed else views.basic
    body = {'flavors': [view(f, base, req.api_version) for f in found]}
    if found and len(found) == limit:
        path = 'flavors/detail' if detailed else 'flavors'
        body['flavors_links'] = [{'rel': 'next', 'href': f'{base}/v2.1/{path}?' + next_query(
            req.GET, limit, found[-1]['flavorid'])}]
    return wsgi.json_response(body)


def index(req, deps):
    return _list(req, deps, False)


def detail(req, deps):
    return _list(req, deps, True)


def show(req, deps, flavor_id):
    ctxt = req.context
    policy.authorize(ctxt, 'flavors:index')
    flavor = flavors.get(deps.db, flavor_id, project_id=ctxt.project_id, is_admin=ctxt.is_admin)
    return wsgi.json_response({'flavor': views.detail(flavor, _base(req, deps),
                                                      req.api_version)})


def create(req, deps):
    policy.authorize(req.context, 'flavors:manage')
    body = schemas.validate(flavor_schemas.CREATE, req.json_body_or_400())['flavor']
    if 'description' in body and req.api_version < (2, 55):
        raise exception.Invalid('description is only accepted from microversion 2.55.')
    values = _values(body)
    flavor = flavors.create(deps.db, values)
    return wsgi.json_response({'flavor': views.detail(flavor, _base(req, deps),
                                                      req.api_version)})


def _values(body):
    def num(key, default=0, kind=int):
        raw = body.get(key, default)
        try:
            return kind(raw if raw not in ('', None) else default)
        except (TypeError, ValueError) as exc:
            raise exception.Invalid(f'Invalid input for field/attribute {key}.') from exc

    values = {
        'name': body['name'].strip(),
        'flavorid': str(body['id'] if body.get('id') is not None else uuid_mod.uuid4()),
        'memory_mb': num('ram'), 'vcpus': num('vcpus'), 'root_gb': num('disk'),
        'ephemeral_gb': num('OS-FLV-EXT-DATA:ephemeral'), 'swap': num('swap'),
        'rxtx_factor': num('rxtx_factor', 1.0, float),
        'is_public': schemas.to_bool(body.get('os-flavor-access:is_public', True)),
        'description': body.get('description'),
    }
    for key, low, high in (('memory_mb', 1, 2 ** 31 - 1), ('vcpus', 1, 2 ** 31 - 1),
                           ('root_gb', 0, 2 ** 31 - 1), ('ephemeral_gb', 0, 2 ** 31 - 1),
                           ('swap', 0, 2 ** 31 - 1)):
        if not low <= values[key] <= high:
            raise exception.Invalid(f'Invalid input for field/attribute {key}: must be '
                                    f'between {low} and {high}.')
    if values['rxtx_factor'] <= 0:
        raise exception.Invalid('rxtx_factor must be greater than 0.')
    return values


def update(req, deps, flavor_id):
    policy.authorize(req.context, 'flavors:manage')
    if req.api_version < (2, 55):
        raise exception.NotFound('The resource could not be found.')
    body = schemas.validate(flavor_schemas.UPDATE, req.json_body_or_400())['flavor']
    flavor = flavors.update(deps.db, flavor_id, {'description': body['description']})
    return wsgi.json_response({'flavor': views.detail(flavor, _base(req, deps),
                                                      req.api_version)})


def delete(req, deps, flavor_id):
    policy.authorize(req.context, 'flavors:manage')
    flavors.delete(deps.db, flavor_id)
    return wsgi.json_response(None, 202)


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/detail', detail),
    ('POST', PREFIX, create),
    ('GET', PREFIX + '/{flavor_id}', show),
    ('PUT', PREFIX + '/{flavor_id}', update),
    ('DELETE', PREFIX + '/{flavor_id}', delete),
]
