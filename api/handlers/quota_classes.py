"""/os-quota-class-sets: the "default" class's limits, which every project starts from."""
from api import policy
from api import quota
from api import schemas
from api import wsgi
from api.schemas import quotas as quota_schemas
from api.views import quotas as views
from common import exception
from db import quotas as quota_rows

PREFIX = '/compute/v2.1/os-quota-class-sets'


def _resources(version):
    """Nova showed the server group limits of a class only from 2.50, when it dropped
    the nova-network ones; file injection went at 2.57."""
    if version < (2, 50):
        return [r for r in quota.shown(version)
                if r not in ('server_groups', 'server_group_members')]
    hidden = set(quota.NETWORK_RESOURCES)
    if version >= (2, 57):
        hidden.update(quota.INJECTED_RESOURCES)
    return [r for r in quota.RESOURCES if r not in hidden]


def _check_id(class_name):
    if not 1 <= len(class_name) <= 255:
        raise exception.Invalid('The quota class name must be 1 to 255 characters long.')


def show(req, deps, class_name):
    policy.authorize(req.context, 'os-quota-class-sets:show')
    _check_id(class_name)
    limits = quota.defaults(deps.conf, deps.db, class_name)
    body = views.quota_set(limits, req.api_version, class_name, _resources(req.api_version))
    return wsgi.json_response({'quota_class_set': body})


def update(req, deps, class_name):
    policy.authorize(req.context, 'os-quota-class-sets:update')
    _check_id(class_name)
    resources = _resources(req.api_version)
    if req.api_version < (2, 50):
        # Before 2.50 a class's server group limits could be set, just not shown.
        resources += ['server_groups', 'server_group_members', 'networks']
    schema = quota_schemas.update('quota_class_set', resources)
    body = schemas.validate(schema, req.json_body_or_400())['quota_class_set']
    values = {r: int(v) for r, v in body.items()}
    bad = [r for r, v in values.items() if v < -1]
    if bad:
        raise exception.Invalid(f'Quota limit for {bad[0]} must be -1 or greater.')
    quota_rows.set_class_limits(deps.db, class_name, values)
    limits = quota.defaults(deps.conf, deps.db, class_name)
    body = views.quota_set(limits, req.api_version, resources=_resources(req.api_version))
    return wsgi.json_response({'quota_class_set': body})


ROUTES = [
    ('GET', PREFIX + '/{class_name}', show),
    ('PUT', PREFIX + '/{class_name}', update),
]
