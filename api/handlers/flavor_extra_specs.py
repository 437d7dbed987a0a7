"""/flavors/{id}/os-extra_specs: read by anyone who sees the flavor, changed by admins."""
from api import policy
from api import schemas
from api import wsgi
from api.schemas import flavors as flavor_schemas
from common import exception
from db import flavors

PREFIX = '/compute/v2.1/flavors/{flavor_id}/os-extra_specs'


def _specs(req, deps, flavor_id):
    ctxt = req.context
    policy.authorize(ctxt, 'flavors:extra_specs:index')
    return flavors.get(deps.db, flavor_id, project_id=ctxt.project_id,
                       is_admin=ctxt.is_admin)['extra_specs']


def index(req, deps, flavor_id):
    return wsgi.json_response({'extra_specs': _specs(req, deps, flavor_id)})


def create(req, deps, flavor_id):
    policy.authorize(req.context, 'flavors:extra_specs:manage')
    body = schemas.validate(flavor_schemas.EXTRA_SPECS, req.json_body_or_400())
    specs = {k: _text(v) for k, v in body['extra_specs'].items()}
    flavors.set_extra_specs(deps.db, flavor_id, specs)
    return wsgi.json_response({'extra_specs': specs})


def show(req, deps, flavor_id, key):
    specs = _specs(req, deps, flavor_id)
    if key not in specs:
        raise exception.NotFound(f'Flavor {flavor_id} has no extra specs with key {key}.')
    return wsgi.json_response({key: specs[key]})


def update(req, deps, flavor_id, key):
    policy.authorize(req.context, 'flavors:extra_specs:manage')
    body = schemas.validate(flavor_schemas.EXTRA_SPEC_ONE, req.json_body_or_400())
    if key not in body:
        raise exception.Invalid('Request body and URI mismatch')
    value = _text(body[key])
    flavors.set_extra_specs(deps.db, flavor_id, {key: value})
    return wsgi.json_response({key: value})


def delete(req, deps, flavor_id, key):
    policy.authorize(req.context, 'flavors:extra_specs:manage')
    flavors.delete_extra_spec(deps.db, flavor_id, key)
    # Nova's extra spec delete has no @wsgi.response: a plain 200 with no body.
    return wsgi.json_response(None, 200)


def _text(value):
    if isinstance(value, bool):
        return str(value)
    return str(value)


ROUTES = [
    ('GET', PREFIX, index),
    ('POST', PREFIX, create),
    ('GET', PREFIX + '/{key}', show),
    ('PUT', PREFIX + '/{key}', update),
    ('DELETE', PREFIX + '/{key}', delete),
]
