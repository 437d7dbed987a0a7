"""Live migration (os-migrateLive): an admin moves a running server to another host.

The API refuses what it can tell at once: a source host whose hypervisor cannot
live-migrate (409), a named target host that is unknown, down, disabled, the
source itself or unable to live-migrate (400). Then it records a 'queued'
migration and casts the rest to the conductor.
"""
from api import policy
from api import schemas
from api.handlers.actions import Spec
from api.handlers.actions import begin
from common import exception
from compute import states
from db import compute_nodes
from db import instance_migrations
from db import instances
from db import services

HOST = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}
BLOCK_OR_AUTO = {'anyOf': [schemas.BOOLEAN, {'enum': ['auto']}]}
AUTO_VERSION = (2, 25)          # block_migration 'auto'; disk_over_commit gone
FORCE_VERSIONS = ((2, 30), (2, 67))
COMPUTE_BINARY = 'stratus-compute'


def body_schema(version):
    """Nova's os-migrateLive body at ``version``."""
    props = {'host': HOST}
    required = ['host', 'block_migration']
    if version < AUTO_VERSION:
        # disk_over_commit is accepted and ignored: disks are checked by the claim.
        props.update(block_migration=schemas.BOOLEAN, disk_over_commit=schemas.BOOLEAN)
        required.append('disk_over_commit')
    else:
        props['block_migration'] = BLOCK_OR_AUTO
    if FORCE_VERSIONS[0] <= version <= FORCE_VERSIONS[1]:
        props['force'] = schemas.BOOLEAN
    return {'type': 'object', 'properties': props, 'required': required,
            'additionalProperties': False}


def _check(req, deps, instance, args):
    """Refuse what the database already tells; the normalized arguments."""
    if not (deps.conductor_api.can_live_migrate() and deps.compute_api.can_live_migrate()):
        raise exception.Conflict('Live migration is not available while [upgrade_levels] '
                                 'caps the conductor below 1.2 or the computes below 1.3.')
    able, why = compute_nodes.can(_source_node(deps, instance), 'live_migration')
    if not able:
        raise exception.Conflict(f'Compute host {instance["host"]} cannot live-migrate: '
                                 f'{why}.')
    host = args.get('host')
    force = host is not None and schemas.to_bool(args.get('force', False))
    if host is not None:
        policy.authorize(req.context, 'os-migrate-server:migrate_live:host')
        _check_target(deps, instance, host, force)
    block = args['block_migration']
    return {'host': host, 'force': force,
            'block_migration': 'auto' if block == 'auto' else schemas.to_bool(block)}


def _source_node(deps, instance):
    try:
        return compute_nodes.get_by_host_node(deps.db, instance['host'], instance['node'])
    except exception.ComputeHostNotFound:
        raise exception.Conflict(f'Compute host {instance["host"]} has not reported its '
                                 'node; it cannot live-migrate.') from None


def _check_target(deps, instance, host, force):
    """400 for a target host that cannot take the instance, whatever the scheduler says."""
    if host == instance['host']:
        raise exception.Invalid(f'The target host {host} is the host the instance runs '
                                'on; a live migration needs another one.')
    nodes = compute_nodes.list_(deps.db, host=host)
    if not nodes:
        raise exception.Invalid(f'Compute host {host} could not be found.')
    able, why = compute_nodes.can(nodes[0], 'live_migration')
    if not able:
        raise exception.Invalid(f'Compute host {host} cannot live-migrate: {why}.')
    found = services.list_(deps.db, host=host, binary=COMPUTE_BINARY)
    if not found or not services.is_up(found[0], deps.services_down_time):
        raise exception.Invalid(f'Compute service of {host} is unavailable at this time.')
    if found[0]['disabled'] and not force:
        raise exception.Invalid(f'Compute service of {host} is disabled.')


def _migrate_live(req, deps, instance, args):
    ctxt = req.context
    instance = begin(deps, instance, states.ACTIONS['os-migrateLive'])
    migration = None
    try:
        migration = instance_migrations.create(deps.db, {
            'instance_uuid': instance['uuid'], 'migration_type': 'live-migration',
            'source_compute': instance['host'], 'source_node': instance['node'],
            'dest_compute': args['host'], 'status': 'queued',
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id})
        deps.conductor_api.live_migrate_instance(ctxt, instance['uuid'], migration['uuid'],
                                                 args['host'], args['block_migration'],
                                                 args['force'])
    except Exception:
        _undo(deps, instance, migration)
        raise


def _undo(deps, instance, migration):
    """Nothing was sent: the instance leaves 'migrating', the record says 'error'."""
    if migration is not None:
        instance_migrations.update(deps.db, migration['uuid'], {'status': 'error'})
    try:
        instances.update(deps.db, instance['uuid'], {'task_state': None},
                         expected_task_state=states.MIGRATING)
    except exception.StratusError:
        pass


SPECS = [
    Spec('os-migrateLive', 'os-migrate-server:migrate_live', body_schema, _migrate_live,
         record='live-migration', prepare=_check),
]
