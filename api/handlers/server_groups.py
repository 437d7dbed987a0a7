"""/os-server-groups: create, list, show and delete server groups."""
import uuid as uuid_mod

from api import policy
from api import quota
from api import schemas
from api import wsgi
from api.schemas import server_groups as sg_schemas
from api.views import server_groups as views
from common import exception
from db import server_groups

PREFIX = '/compute/v2.1/os-server-groups'


def _owned(req, deps, group_id):
    """The group ``group_id``; another project's is a 404 for a non-admin, like a missing one."""
    group = server_groups.get(deps.db, group_id)
    policy.check_owner(req.context, group['project_id'],
                       server_groups.ServerGroupNotFound(group_uuid=group_id))
    return group


def _policy_and_rules(body):
    """(policy, rules) from a create body of any microversion."""
    if 'policies' in body:
        return body['policies'][0], {}
    rules = dict(body.get('rules') or {})
    if rules and body['policy'] != 'anti-affinity':
        raise exception.Invalid('Only anti-affinity policy supports rules.')
    if 'max_server_per_host' in rules:
        # The schema lets '0' through as a string: check the number itself.
        value = int(rules['max_server_per_host'])
        if value < 1:
            raise exception.Invalid('Invalid input for field/attribute max_server_per_host. '
                                    f'Value: {value}. {value} is less than the minimum of 1')
        rules['max_server_per_host'] = value
    return body['policy'], rules


def create(req, deps):
    ctxt = req.context
    policy.authorize(ctxt, 'os-server-groups:create')
    body = schemas.validate(sg_schemas.create(req.api_version), req.json_body_or_400())
    group_policy, rules = _policy_and_rules(body['server_group'])
    quota.check_count(deps.conf, deps.db, ctxt.project_id, 'server_groups',
                      len(server_groups.list_(deps.db, ctxt.project_id)))
    group = server_groups.create(deps.db, {
        'uuid': str(uuid_mod.uuid4()), 'name': body['server_group']['name'],
        'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
        'policy': group_policy, 'rules': rules})
    return wsgi.json_response({'server_group': views.show(group, [], req.api_version)})


def _paging(params, api_version, max_limit):
    """(offset, limit) from the query; unknown parameters are a 400 from 2.75."""
    if api_version >= (2, 75):
        unknown = sorted(set(params) - set(sg_schemas.INDEX_QUERY_PARAMS))
        if unknown:
            raise exception.Invalid('Invalid input for query parameters. Additional '
                                    f'properties are not allowed ({", ".join(unknown)} '
                                    'were unexpected)')
    values = {}
    for name in ('offset', 'limit'):
        raw = params.get(name)
        try:
            values[name] = int(raw) if raw is not None else 0
        except ValueError as exc:
            raise exception.Invalid(f'{name} param must be an integer') from exc
        if values[name] < 0:
            raise exception.Invalid(f'{name} param must be positive')
    # As Nova's common.limited: limit=0 means the maximum.
    return values['offset'], min(max_limit, values['limit'] or max_limit)


def _sees_all_projects(ctxt, params):
    # Nova ignores all_projects (whatever its value) for callers the policy refuses.
    if 'all_projects' not in params:
        return False
    try:
        policy.authorize(ctxt, 'os-server-groups:index:all_projects')
    except exception.Forbidden:
        return False
    return True


def index(req, deps):
    ctxt = req.context
    policy.authorize(ctxt, 'os-server-groups:index')
    offset, limit = _paging(req.GET, req.api_version, deps.conf.api.max_limit)
    project = None if _sees_all_projects(ctxt, req.GET) else ctxt.project_id
    page = server_groups.list_(deps.db, project)[offset:offset + limit]
    members = server_groups.members(deps.db, [g['id'] for g in page])
    return wsgi.json_response({'server_groups': [
        views.show(g, members[g['id']], req.api_version) for g in page]})


def show(req, deps, group_id):
    policy.authorize(req.context, 'os-server-groups:show')
    group = _owned(req, deps, group_id)
    members = server_groups.members(deps.db, [group['id']])[group['id']]
    return wsgi.json_response({'server_group': views.show(group, members, req.api_version)})


def delete(req, deps, group_id):
    policy.authorize(req.context, 'os-server-groups:delete')
    group = _owned(req, deps, group_id)
    server_groups.delete(deps.db, group['uuid'])
    return wsgi.json_response(None, 204)


ROUTES = [
    ('POST', PREFIX, create),
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/{group_id}', show),
    ('DELETE', PREFIX + '/{group_id}', delete),
]
