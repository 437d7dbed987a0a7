"""/os-migrations (every migration, admin) and /servers/{id}/migrations (a server's
live migrations under way, admin)."""
from api import policy
from api import wsgi
from api.handlers import servers as server_handlers
from api.views import migrations as views
from common import exception
from common import timeutils
from db import compute_nodes
from db import instance_migrations

PREFIX = '/compute/v2.1/os-migrations'
SERVER_PREFIX = '/compute/v2.1/servers/{server_id}/migrations'
PAGING_VERSION = (2, 59)
# Query parameter -> list_ keyword, and the microversion it needs.
_FILTERS = (('host', 'host', (2, 1)), ('status', 'status', (2, 1)),
            ('instance_uuid', 'instance_uuid', (2, 1)),
            ('source_compute', 'source_compute', (2, 1)),
            ('migration_type', 'migration_type', (2, 1)),
            ('user_id', 'user_id', (2, 80)), ('project_id', 'project_id', (2, 80)))


def _dest_ips(deps):
    return {n['host']: n['host_ip'] for n in compute_nodes.list_(deps.db)}


def _since(params, name):
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return timeutils.parse(raw)
    except (TypeError, ValueError, OverflowError) as exc:
        raise exception.Invalid(f'Invalid input for query parameter {name}: {raw}') from exc


def _query(req, deps):
    """list_ keywords from the query string; paging from 2.59 on."""
    params, version = req.GET, req.api_version
    found = {kw: params[name] for name, kw, since in _FILTERS
             if version >= since and params.get(name)}
    if version >= PAGING_VERSION:
        found.update(limit=server_handlers._limit(params, deps.conf.api.max_limit),
                     marker=params.get('marker') or None,
                     changes_since=_since(params, 'changes-since'))
        if version >= (2, 66):
            found['changes_before'] = _since(params, 'changes-before')
    return found


def index(req, deps):
    policy.authorize(req.context, 'os-migrations:index')
    query = _query(req, deps)
    try:
        found = instance_migrations.list_(deps.db, **query)
    except exception.NotFound as exc:
        raise exception.Invalid(f'Marker {query.get("marker")} could not be found.') from exc
    base = deps.endpoint(req, '/compute')
    ips = _dest_ips(deps)
    body = {'migrations': [views.migration(m, req.api_version, ips, base) for m in found]}
    limit = query.get('limit')
    if limit and len(found) == limit:
        body['migrations_links'] = [{'rel': 'next', 'href': f'{base}/v2.1/os-migrations?' +
                                     server_handlers.next_query(req.GET, limit,
                                                                found[-1]['uuid'])}]
    return wsgi.json_response(body)


def _server(req, deps, server_id, rule):
    if req.api_version < (2, 23):
        raise exception.NotFound('The resource could not be found.')
    policy.authorize(req.context, rule)
    return server_handlers.get_instance(req, deps, server_id)


def server_index(req, deps, server_id):
    instance = _server(req, deps, server_id, 'servers:migrations:index')
    found = instance_migrations.list_(deps.db, instance_uuid=instance['uuid'],
                                      status=list(instance_migrations.IN_PROGRESS),
                                      migration_type='live-migration')
    ips = _dest_ips(deps)
    return wsgi.json_response({'migrations': [
        views.server_migration(m, req.api_version, ips, req.context.is_admin)
        for m in found]})


def server_show(req, deps, server_id, migration_id):
    instance = _server(req, deps, server_id, 'servers:migrations:show')
    missing = exception.NotFound(f'Migration {migration_id} for server {server_id} '
                                 'could not be found.')
    try:
        found = instance_migrations.get(deps.db, migration_id, instance_uuid=instance['uuid'])
    except exception.NotFound:
        raise missing from None
    if found['status'] not in instance_migrations.IN_PROGRESS:
        raise missing
    return wsgi.json_response({'migration': views.server_migration(
        found, req.api_version, _dest_ips(deps), req.context.is_admin)})


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', SERVER_PREFIX, server_index),
    ('GET', SERVER_PREFIX + '/{migration_id}', server_show),
]
