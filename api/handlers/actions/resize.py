"""Resize and cold migration (resize, migrate), and their ending (confirmResize,
revertResize).

The API refuses what it can tell at once: an unknown or identical flavor, a smaller
root disk, a flavor too small for the image (400), a quota the new flavor breaks
(403), a source compute that is down or capped below the RPC version these need
(409), and for migrate a named host that cannot take the server (400). Then it
records a 'pre-migrating' migration holding both flavors and casts to the conductor.
"""
from api import build_request
from api import policy
from api import quota
from api import server_fields
from api import wsgi
from api.handlers.actions import NO_ARGS
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import image_of
from api.handlers.actions import system_metadata
from common import exception
from compute import states
from db import compute_nodes
from db import flavors
from db import instance_migrations
from db import instances
from db import services

COMPUTE_BINARY = 'stratus-compute'
HOST_VERSION = (2, 56)
_DISK_CONFIG = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}
RESIZE_SCHEMA = {
    'type': 'object',
    'properties': {'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
                   'OS-DCF:diskConfig': _DISK_CONFIG},
    'required': ['flavorRef'], 'additionalProperties': False}


def migrate_schema(version):
    if version < HOST_VERSION:
        return NO_ARGS
    return {'anyOf': [{'type': 'null'}, {
        'type': 'object', 'additionalProperties': False,
        'properties': {'host': {'type': ['string', 'null'], 'minLength': 1,
                                'maxLength': 255}}}]}


def _check_source(deps, instance):
    if not (deps.conductor_api.can_resize() and deps.compute_api.can_resize()):
        raise exception.Conflict('Resize and cold migration are not available while '
                                 '[upgrade_levels] caps the conductor below 1.3 or the '
                                 'computes below 1.5.')
    found = services.list_(deps.db, host=instance['host'], binary=COMPUTE_BINARY)
    if not found or not services.is_up(found[0], deps.services_down_time):
        raise exception.Conflict(f'Compute service of {instance["host"]} is unavailable at '
                                 'this time.')


def _prepare_resize(req, deps, instance, args):
    _check_source(deps, instance)
    ref = str(args['flavorRef']).rstrip('/').rsplit('/', 1)[-1]
    try:
        flavor = flavors.get(deps.db, ref, project_id=req.context.project_id,
                             is_admin=req.context.is_admin)
    except exception.FlavorNotFound:
        raise exception.Invalid('Unable to locate requested flavor.') from None
    old = instance.get('flavor') or {}
    if flavor['flavorid'] == (old.get('flavorid') or instance['flavor_id']):
        raise exception.Invalid('When resizing, instances must change flavor!')
    if flavor['root_gb'] < (old.get('root_gb') or instance['root_gb'] or 0):
        raise exception.Invalid('Server disk was unable to be resized because: Resizing '
                                'to a smaller disk flavor is not allowed.')
    image = image_of(deps, instance)
    if image:
        build_request.check_fit(flavor, image)
    _check_quota(deps, instance, flavor)
    return {'flavor': flavor, 'host': None, 'disk_config': args.get('OS-DCF:diskConfig')}


def _check_quota(deps, instance, flavor):
    """A bigger flavor must fit the project's cores and ram quota (403)."""
    _count, cores, ram = quota.usage(deps.db, instance['project_id'])
    for resource, used, delta in (('cores', cores, flavor['vcpus'] - instance['vcpus']),
                                  ('ram', ram, flavor['memory_mb'] - instance['memory_mb'])):
        if delta > 0:
            quota.check_count(deps.conf, deps.db, instance['project_id'], resource, used,
                              delta)


def _prepare_migrate(req, deps, instance, args):
    _check_source(deps, instance)
    host = (args or {}).get('host') if isinstance(args, dict) else None
    if host is not None:
        policy.authorize(req.context, 'os-migrate-server:migrate:host')
        if host == instance['host']:
            raise exception.Invalid(f'The target host {host} is the host the server runs '
                                    'on; a migration needs another one.')
        if not compute_nodes.list_(deps.db, host=host):
            raise exception.Invalid(f'Compute host {host} could not be found.')
    return {'flavor': None, 'host': host}


def _move(req, deps, instance, args):
    """Record the migration, mark the server and cast the move to the conductor."""
    ctxt = req.context
    old = dict(instance.get('flavor') or {}, **_flavor_id(deps, instance))
    new = build_request.flavor_snapshot(args['flavor']) if args['flavor'] else old
    if args['flavor']:
        new['id'] = args['flavor'].get('id')
    kind = 'resize' if args['flavor'] else 'migration'
    row = states.ACTIONS['resize' if args['flavor'] else 'migrate']
    meta = system_metadata(instance, old_vm_state=instance['vm_state'])
    if args.get('disk_config'):
        meta[server_fields.DISK_CONFIG_KEY] = args['disk_config']
    instance = begin(deps, instance, row, {'system_metadata': meta})
    migration = None
    try:
        migration = instance_migrations.create(deps.db, {
            'instance_uuid': instance['uuid'], 'migration_type': kind,
            'source_compute': instance['host'], 'source_node': instance['node'],
            'status': 'pre-migrating', 'old_flavor': old, 'new_flavor': new,
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id})
        deps.conductor_api.migrate_server(ctxt, instance['uuid'], migration['uuid'],
                                          args['host'])
    except Exception:
        if migration is not None:
            instance_migrations.update(deps.db, migration['uuid'], {'status': 'error'})
        instances.update(deps.db, instance['uuid'], {'task_state': None},
                         expected_task_state=states.RESIZE_PREP)
        raise


def _flavor_id(deps, instance):
    """The old flavor's database id for the os-migrations view (None once deleted)."""
    try:
        return {'id': flavors.get(deps.db, instance['flavor_id'])['id']}
    except exception.FlavorNotFound:
        return {'id': None}


def _decide(decision):
    def act(req, deps, instance, args):
        migration = instance_migrations.list_(deps.db, instance_uuid=instance['uuid'],
                                              status='finished', limit=1)
        if not migration:
            raise exception.NotFound(f'Instance {instance["uuid"]} has not been resized.')
        name = 'confirmResize' if decision == 'confirm' else 'revertResize'
        begin(deps, instance, states.ACTIONS[name])
        deps.conductor_api.resize_decided(req.context, instance['uuid'], decision)
        # Nova answers a confirm with 204, a revert with the plain 202.
        return wsgi.json_response(None, 204) if decision == 'confirm' else None
    return act


SPECS = [
    Spec('resize', 'servers:resize', RESIZE_SCHEMA, _move, prepare=_prepare_resize),
    Spec('migrate', 'os-migrate-server:migrate', migrate_schema, _move,
         prepare=_prepare_migrate),
    Spec('confirmResize', 'servers:confirm_resize', NO_ARGS, _decide('confirm'),
         record='confirmResize'),
    Spec('revertResize', 'servers:revert_resize', NO_ARGS, _decide('revert'),
         record='revertResize'),
]
