"""Flavor access lists: GET os-flavor-access and the add/removeTenantAccess actions."""
from api import policy
from api import schemas
from api import wsgi
from api.schemas import flavors as flavor_schemas
from common import exception
from db import flavors

PREFIX = '/compute/v2.1/flavors/{flavor_id}'


def _view(flavor_id, projects):
    return {'flavor_access': [{'flavor_id': flavor_id, 'tenant_id': p} for p in projects]}


def index(req, deps, flavor_id):
    policy.authorize(req.context, 'flavors:access')
    flavor = flavors.get(deps.db, flavor_id)
    if flavor['is_public']:
        raise exception.NotFound('Access list not available for public flavors.')
    return wsgi.json_response(_view(flavor_id, flavors.access_list(deps.db, flavor_id)))


def action(req, deps, flavor_id):
    policy.authorize(req.context, 'flavors:access')
    body = schemas.validate(flavor_schemas.ACCESS_ACTION, req.json_body_or_400())
    if 'addTenantAccess' in body:
        projects = flavors.add_access(deps.db, flavor_id, body['addTenantAccess']['tenant'])
    else:
        projects = flavors.remove_access(deps.db, flavor_id,
                                         body['removeTenantAccess']['tenant'])
    return wsgi.json_response(_view(flavor_id, projects))


ROUTES = [
    ('GET', PREFIX + '/os-flavor-access', index),
    ('POST', PREFIX + '/action', action),
]
