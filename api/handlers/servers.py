"""/servers: create, list, detail, show, delete."""
import logging
import urllib.parse
import uuid as uuid_mod

from api import build_request
from api import console_auth
from api import policy
from api import quota
from api import schemas
from api import server_fields
from api import wsgi
from api.schemas import servers as server_schemas
from api.views import servers as views
from common import exception
from common import timeutils
from compute import states
from db import actions
from db import faults
from db import images
from db import instance_migrations
from db import instances
from db import server_groups
from db import tags as tags_db
from db import services
from scheduler import claims
from scheduler import request_spec

LOG = logging.getLogger(__name__)
PREFIX = '/compute/v2.1/servers'


def compute_base(req, deps):
    return deps.endpoint(req, '/compute')


def get_instance(req, deps, server_id):
    """The caller's instance ``server_id``; another project's is a 404, like a missing one."""
    ctxt = req.context
    try:
        uuid_mod.UUID(server_id)
    except ValueError as exc:
        raise exception.InstanceNotFound(uuid=server_id) from exc
    instance = instances.get(deps.db, server_id)
    policy.check_owner(ctxt, instance['project_id'], exception.InstanceNotFound(uuid=server_id))
    return instance


def create(req, deps):
    ctxt = req.context
    body = schemas.validate(server_schemas.CREATE, req.json_body_or_400())
    server = body['server']
    build_request.authorize(ctxt, server)
    min_count, max_count = build_request.counts(server)
    flavor = build_request.resolve_flavor(deps.db, ctxt, server['flavorRef'])
    image = build_request.resolve_image(deps.db, ctxt, server)
    build_request.check_fit(flavor, image)
    build_request.check_networks(server.get('networks'))
    build_request.check_security_groups(server.get('security_groups'))
    chosen = build_request.user_fields(deps.db, ctxt, server, req.api_version)
    disk_meta = server_fields.with_disk_config({}, server)
    if disk_meta:
        chosen['system_metadata'] = disk_meta
    zone = build_request.check_zone(deps.db, server.get('availability_zone'))
    quota.check_metadata(deps.conf, deps.db, ctxt.project_id, server.get('metadata'),
                         ctxt.user_id)
    count = quota.allowed_count(deps.conf, deps.db, ctxt.project_id, flavor, min_count,
                                max_count, ctxt.user_id)
    spec = request_spec.for_build(ctxt, flavor, image, zone, count)
    hints = build_request.scheduler_hints(body)
    group = build_request.resolve_group(deps.db, ctxt, hints)
    quota.check_group_members(deps.conf, deps.db, ctxt.project_id, group, count)
    build_request.add_placement(spec, hints, group)
    reservation, created = build_request.create_instances(
        deps.db, ctxt, server, flavor, image, zone, count, chosen)
    build_request.join_group(deps.db, spec, [i['uuid'] for i in created])
    deps.conductor_api.build_instances(ctxt, [i['uuid'] for i in created], spec)
    if build_request.return_reservation(server):
        return wsgi.json_response({'reservation_id': reservation}, 202)
    first = created[0]
    base = compute_base(req, deps)
    # Not views.basic: tempest's create schema has no 'name' (additionalProperties: false).
    out = {'id': first['uuid'], 'links': views.links(base, 'servers', first['uuid'])}
    out.update({'OS-DCF:diskConfig': server.get('OS-DCF:diskConfig', 'MANUAL'),
                'security_groups': [{'name': 'default'}],
                'adminPass': server.get('adminPass') or uuid_mod.uuid4().hex[:12]})
    return wsgi.json_response({'server': out}, 202,
                              {'Location': out['links'][0]['href']})


def _list(req, deps, detailed):
    ctxt = req.context
    params = req.GET
    filters, read_deleted = _filters(ctxt, params, req.api_version)
    if read_deleted:
        filters['read_deleted'] = True
    limit = _limit(params, deps.conf.api.max_limit)
    found = instances.list_(deps.db, filters, limit=limit, marker=params.get('marker'))
    base = compute_base(req, deps)
    if detailed:
        fault_map = _faults(deps, found)
        found = _with_tags(deps, found, req.api_version)
        items = [views.detail(i, base, req.api_version, ctxt.is_admin,
                              fault_map.get(i['uuid']), server_groups=None)
                 for i in found]
    else:
        items = [views.basic(i, base) for i in found]
    body = {'servers': items}
    if found and len(found) == limit:
        path = 'servers/detail' if detailed else 'servers'
        body['servers_links'] = [{'rel': 'next', 'href': f'{base}/v2.1/{path}?' + next_query(
            params, limit, found[-1]['uuid'])}]
    return wsgi.json_response(body)


def next_query(params, limit, marker):
    """The next page's query: the same filters (as Nova keeps them), limit and new marker."""
    kept = [(k, v) for k, v in params.items() if k not in ('limit', 'marker')]
    return urllib.parse.urlencode(kept + [('limit', limit), ('marker', marker)])


def _filters(ctxt, params, version):
    filters = {}
    all_tenants = 'all_tenants' in params and params.get('all_tenants', '').lower() not in (
        '0', 'false', 'off', 'no')
    if all_tenants:
        policy.authorize(ctxt, 'servers:index:get_all_tenants')
        project = params.get('tenant_id') or params.get('project_id')
        if project:
            filters['project_id'] = project
    else:
        filters['project_id'] = ctxt.project_id
    if params.get('name'):
        filters['name'] = params['name']
    if version >= TAGS_VERSION:
        filters.update({k: params[k].split(',') for k in tags_db.FILTER_KEYS if params.get(k)})
    if params.get('status'):
        filters['vm_state'] = views.vm_states_for_status(params['status'])
    if ctxt.is_admin:
        for key, column in (('host', 'host'), ('node', 'node')):
            if params.get(key):
                filters[column] = params[key]
    for key, column in (('image', 'image_ref'), ('flavor', 'flavor_id'),
                        ('reservation_id', 'reservation_id')):
        if params.get(key):
            filters[column] = params[key]
    read_deleted = ctxt.is_admin and schemas.to_bool(params.get('deleted', 'false'))
    read_deleted = _changes_window(params, filters) or read_deleted
    return filters, read_deleted


def _changes_window(params, filters):
    """changes-since / changes-before (2.66): servers changed in the window, deleted
    ones included as Nova lists them; a malformed time or an empty window is a 400."""
    window = {}
    for key, name in (('changes-since', 'changes_since'), ('changes-before', 'changes_before')):
        if key in params:
            try:
                window[name] = timeutils.parse(params[key])
            except ValueError:
                raise exception.Invalid(f'Invalid input for query parameters {key}. '
                                        f'Value: {params[key]}.') from None
    since, before = window.get('changes_since'), window.get('changes_before')
    if since and before and since > before:
        raise exception.Invalid('The value of changes-since must be less than or equal '
                                'to changes-before.')
    filters.update(window)
    return bool(window)


def _limit(params, max_limit):
    raw = params.get('limit')
    if raw is None:
        return max_limit
    try:
        value = int(raw)
    except ValueError as exc:
        raise exception.Invalid('limit param must be an integer') from exc
    if value < 0:
        raise exception.Invalid('limit param must be positive')
    return min(value, max_limit)


def _faults(deps, found):
    # Only a server in ERROR shows its fault; don't query for the others.
    failed = [i['uuid'] for i in found if i['vm_state'] == states.ERROR]
    return faults.latest(deps.db, failed) if failed else {}


def index(req, deps):
    policy.authorize(req.context, 'servers:index')
    return _list(req, deps, detailed=False)


def detail(req, deps):
    policy.authorize(req.context, 'servers:index')
    return _list(req, deps, detailed=True)


def show(req, deps, server_id):
    policy.authorize(req.context, 'servers:show')
    instance = with_tags(deps, get_instance(req, deps, server_id), req.api_version)
    fault = _faults(deps, [instance]).get(instance['uuid'])
    body = views.detail(instance, compute_base(req, deps), req.api_version,
                        req.context.is_admin, fault,
                        groups_for_view(deps, instance, req.api_version))
    return wsgi.json_response({'server': body})


def delete(req, deps, server_id):
    ctxt = req.context
    instance = get_instance(req, deps, server_id)
    policy.authorize(ctxt, 'servers:delete')
    check_lock(ctxt, instance)
    if _under_way(deps, instance, soft=True):
        return wsgi.json_response(None, 204)
    actions.start(deps.db, ctxt, instance['uuid'], 'delete')
    delete_instance(req, deps, instance, soft=True)
    return wsgi.json_response(None, 204)


def delete_instance(req, deps, instance, soft=False):
    """Delete ``instance`` (checked and recorded by the caller); forceDelete comes here too.

    With ``soft`` (DELETE), while [DEFAULT] reclaim_instance_interval > 0, a launched
    instance on a host that is up is soft-deleted (restorable) instead.
    """
    ctxt = req.context
    for _attempt in range(DELETE_ATTEMPTS):
        _refuse_while_migrating(instance)
        deleted = (_try_soft_delete(deps, ctxt, instance) if soft and _deferred(deps, instance)
                   else _try_delete(deps, ctxt, instance))
        if deleted:
            # Every delete path (soft, local, forced) ends here: its consoles close.
            console_auth.forget_tokens(deps, ctxt, instance['uuid'])
            return
        # A build finished (or a host was chosen) between our read and the
        # compare-and-swap: look again and delete what is there now.
        instance = get_instance(req, deps, instance['uuid'])
        if _under_way(deps, instance, soft):
            return
    raise exception.Conflict(f'Instance {instance["uuid"]} changed state repeatedly; '
                             'try again.')


def _refuse_while_migrating(instance):
    # The guest is on its way to another host: a delete cast to the source now would
    # leave it running on the destination. Its migration ends (or is repaired) first.
    if instance['task_state'] == states.MIGRATING:
        raise exception.Conflict(
            f'Cannot delete instance {instance["uuid"]} while it is being live-migrated; '
            'try again once the migration has ended.')


def _deferred(deps, instance):
    """Whether DELETE soft-deletes: Nova's rule (launched, and a live host to power it off)."""
    return (deps.conf.reclaim_instance_interval > 0 and bool(instance.get('launched_at'))
            and bool(instance['host']) and _compute_up(deps, instance['host']))


def _under_way(deps, instance, soft):
    """True when the delete asked for already happened or is in progress (a no-op 204)."""
    if instance['task_state'] == states.DELETING:
        return True
    return soft and _deferred(deps, instance) and (
        instance['task_state'] == states.SOFT_DELETING
        or (instance['vm_state'] == states.SOFT_DELETED and instance['task_state'] is None))


def _try_soft_delete(deps, ctxt, instance):
    """Hand the soft delete to the host; False if the instance moved on meanwhile."""
    try:
        instance = instances.update(
            deps.db, instance['uuid'],
            {'task_state': states.SOFT_DELETING, 'deleted_at': timeutils.utcnow()},
            expected_task_state=instance['task_state'], expected_host=instance['host'])
    except exception.UnexpectedTaskState:
        return False
    deps.compute_api.soft_delete_instance(ctxt, instance['host'], instance)
    return True


DELETE_ATTEMPTS = 5


def _end_open_move(deps, ctxt, instance):
    """A server deleted mid-resize: its migration ends and gives its claim back, and a
    source that keeps the disk for a revert is told to drop it (as a confirm)."""
    if instance['vm_state'] != states.RESIZED and instance['task_state'] not in (
            *states.RESIZE_STEPS, states.RESIZE_CONFIRMING, states.RESIZE_REVERTING):
        return
    for migration in instance_migrations.list_(
            deps.db, instance_uuid=instance['uuid'], migration_type=['resize', 'migration'],
            status=list(instance_migrations.RESIZE_OPEN)):
        ended = 'confirmed' if migration['status'] == 'finished' else 'error'
        try:
            instance_migrations.update(deps.db, migration['uuid'], {'status': ended},
                                       expected_status=migration['status'])
        except exception.UnexpectedTaskState:
            continue
        claims.release(deps.db, migration['uuid'])
        if ended == 'confirmed' and _compute_up(deps, migration['source_compute']):
            deps.compute_api.confirm_resize(ctxt, migration['source_compute'], instance,
                                            migration)


def _try_delete(deps, ctxt, instance):
    """Delete locally or hand the delete to the host; False if the instance moved on."""
    _end_open_move(deps, ctxt, instance)
    if not instance['host'] or not _compute_up(deps, instance['host']):
        _local_delete(deps, ctxt, instance)
        return True
    try:
        # Compare-and-swap against what we read, so a racing delete cannot cast twice.
        instance = instances.update(deps.db, instance['uuid'], {'task_state': states.DELETING},
                                    expected_task_state=instance['task_state'],
                                    expected_host=instance['host'])
    except exception.UnexpectedTaskState:
        return False
    deps.compute_api.terminate_instance(ctxt, instance['host'], instance)
    return True


def _compute_up(deps, host):
    found = services.list_(deps.db, host=host, binary='stratus-compute')
    return bool(found) and services.is_up(found[0], deps.services_down_time)


def _local_delete(deps, ctxt, instance):
    """No host will act (never scheduled, or its compute is down): delete in the database."""
    LOG.info('deleting %s locally (host %s)', instance['uuid'], instance['host'])
    claims.release(deps.db, instance['uuid'])
    # An offloaded instance's disk lives on only as its shelved image: it goes too.
    shelved_image = (instance.get('system_metadata') or {}).get('shelved_image_id')
    if shelved_image:
        try:
            images.delete(deps.db, shelved_image)
        except exception.ImageNotFound:
            pass
        deps.image_store.delete(shelved_image)
    instances.soft_delete(deps.db, instance['uuid'])
    actions.event_finish(deps.db, instance['uuid'], ctxt.request_id, 'api_local_delete',
                         'Success')


def groups_for_view(deps, instance, version):
    """The uuids of the instance's server groups for the 2.71+ server body (show, update,
    rebuild); below 2.71 the body has no such key, so no query."""
    if version < (2, 71):
        return ()
    return server_groups.groups_of(deps.db, instance['uuid'])


TAGS_VERSION = (2, 26)


def with_tags(deps, instance, version):
    """``instance`` with its ``tags`` for the 2.26+ server body (no query below 2.26)."""
    return _with_tags(deps, [instance], version)[0]


def _with_tags(deps, found, version):
    if version < TAGS_VERSION:
        return found
    tags = tags_db.for_many(deps.db, [i['uuid'] for i in found])
    return [dict(i, tags=tags.get(i['uuid'], [])) for i in found]


def check_lock(ctxt, instance):
    if instance.get('locked') and not ctxt.is_admin:
        raise exception.InstanceLocked(uuid=instance['uuid'])


ROUTES = [
    ('POST', PREFIX, create),
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/detail', detail),
    ('GET', PREFIX + '/{server_id}', show),
    ('DELETE', PREFIX + '/{server_id}', delete),
]
