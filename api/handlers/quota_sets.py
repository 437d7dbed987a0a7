"""/os-quota-sets: a project's (or user's) quota limits, usage and defaults; admins set them."""
from api import policy
from api import quota
from api import schemas
from api import wsgi
from api.schemas import quotas as quota_schemas
from api.views import quotas as views
from common import exception
from db import quotas as quota_rows

PREFIX = '/compute/v2.1/os-quota-sets'


def _authorize_read(ctxt, rule, project_id):
    """Readers see their own project's quotas; another project's only an admin (403)."""
    policy.authorize(ctxt, rule)
    if not ctxt.is_admin and ctxt.project_id != project_id:
        raise exception.Forbidden(f'Policy does not allow {rule} to be performed.')


def show(req, deps, project_id):
    _authorize_read(req.context, 'os-quota-sets:show', project_id)
    limits = quota.limits_for(deps.conf, deps.db, project_id, req.GET.get('user_id'))
    return wsgi.json_response({'quota_set': views.quota_set(limits, req.api_version,
                                                            project_id)})


def detail(req, deps, project_id):
    _authorize_read(req.context, 'os-quota-sets:detail', project_id)
    user_id = req.GET.get('user_id')
    limits = quota.limits_for(deps.conf, deps.db, project_id, user_id)
    used = quota.in_use(deps.db, project_id, user_id)
    return wsgi.json_response({'quota_set': views.detail(limits, used, req.api_version,
                                                         project_id)})


def defaults(req, deps, project_id):
    policy.authorize(req.context, 'os-quota-sets:defaults')
    limits = quota.defaults(deps.conf, deps.db)
    return wsgi.json_response({'quota_set': views.quota_set(limits, req.api_version,
                                                            project_id)})


def _requested(req):
    """({resource: int}, force) from a validated PUT body."""
    schema = quota_schemas.update('quota_set', quota.settable(req.api_version),
                                  {'force': schemas.BOOLEAN})
    body = schemas.validate(schema, req.json_body_or_400())['quota_set']
    force = schemas.to_bool(body.pop('force', False))
    values = {r: int(v) for r, v in body.items()}
    for resource, value in values.items():
        # The schema's minimum does not apply to strings such as "-5".
        if value < -1:
            raise exception.Invalid(f'Quota limit {value} for {resource} must be -1 or '
                                    'greater.')
    return values, force


def _check_values(deps, project_id, user_id, values, force):
    """400 for a limit under what is in use (unless forced) or, for a user, over the
    project's own limit."""
    used = quota.in_use(deps.db, project_id, user_id)
    project = quota.limits_for(deps.conf, deps.db, project_id) if user_id else {}
    for resource, value in values.items():
        if not force and value != -1 and value < used[resource]:
            raise exception.Invalid(
                f'Quota limit {value} for {resource} must be greater than or equal to '
                f'already used and reserved {used[resource]}.')
        cap = project.get(resource, -1)
        if user_id and cap != -1 and (value == -1 or value > cap):
            raise exception.Invalid(f'Quota limit {value} for {resource} must be in the '
                                    f'range of -1 and {cap}.')


def update(req, deps, project_id):
    policy.authorize(req.context, 'os-quota-sets:update')
    user_id = req.GET.get('user_id')
    values, force = _requested(req)
    _check_values(deps, project_id, user_id, values, force)
    quota_rows.set_limits(deps.db, project_id, values, user_id)
    limits = quota.limits_for(deps.conf, deps.db, project_id, user_id)
    return wsgi.json_response({'quota_set': views.quota_set(limits, req.api_version)})


def delete(req, deps, project_id):
    policy.authorize(req.context, 'os-quota-sets:delete')
    quota_rows.delete_limits(deps.db, project_id, req.GET.get('user_id'))
    return wsgi.json_response(None, 202)


ROUTES = [
    ('GET', PREFIX + '/{project_id}/detail', detail),
    ('GET', PREFIX + '/{project_id}/defaults', defaults),
    ('GET', PREFIX + '/{project_id}', show),
    ('PUT', PREFIX + '/{project_id}', update),
    ('DELETE', PREFIX + '/{project_id}', delete),
]
