"""The conductor's live migration against a real SQLite database and the real scheduler:
the task (destination, checks, retries, the 'error' ending) and the gateway through
which the two compute hosts move the migration along."""
import pytest

from common import exception
from compute import states
from conductor import live_migration
from db import actions
from db import allocations
from db import compute_nodes
from db import instance_migrations
from db import instances
from db import services
from rpc import context as context_mod
from scheduler import manager as scheduler_manager

UUID = '33333333-3333-4333-8333-333333333333'
CAN = {'live_migration': True}
CANNOT = {'live_migration': False, 'live_migration_refusal': 'its hypervisor says no'}


class Computes:
    """Stands in for compute.rpcapi: the destination check answers or raises per host."""

    def __init__(self, refusals=None):
        self.refusals = dict(refusals or {})
        self.sent = []

    def check_can_live_migrate_destination(self, ctxt, host, instance, block, migration):
        self.sent.append(('check', host))
        if host in self.refusals:
            raise self.refusals[host]
        return {'dest_host': host, 'block_migration': True}

    def live_migration(self, ctxt, host, instance, migration, migrate_data, image):
        self.sent.append(('live_migration', host, migration['dest_compute'], migrate_data,
                          image))


def _host(db, host, caps, zone='nova'):
    node = compute_nodes.report(db, host, host, {
        'hypervisor_type': 'fake', 'vcpus': 8, 'memory_mb': 8192, 'local_gb': 100,
        'availability_zone': zone, 'capabilities': caps})
    services.register(db, host, 'stratus-compute', 'compute')
    return node


@pytest.fixture
def world(db):
    """Hosts h1 (the source), h2 and h4 that can live-migrate, h3 that cannot; a
    migrating instance on h1 with its claim and a queued migration."""
    nodes = {h: _host(db, h, CAN if h != 'h3' else CANNOT, zone='z2' if h == 'h2' else 'nova')
             for h in ('h1', 'h2', 'h3', 'h4')}
    ctxt = context_mod.admin_context()
    instances.create(db, {'uuid': UUID, 'display_name': 'vm', 'project_id': 'p',
                          'user_id': 'u', 'flavor_id': '1', 'flavor': {'name': 'f'},
                          'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'vm_state': 'active',
                          'task_state': states.MIGRATING, 'host': 'h1', 'node': 'h1'})
    allocations.claim(db, nodes['h1']['id'], UUID, 1, 512, 1)
    actions.start(db, ctxt, UUID, 'live-migration')
    migration = instance_migrations.create(db, {
        'instance_uuid': UUID, 'source_compute': 'h1', 'source_node': 'h1',
        'status': 'queued'})
    return {'ctxt': ctxt, 'nodes': nodes, 'migration': migration}


def _endpoint(conf, db, computes):
    return live_migration.LiveMigrationEndpoint(
        conf, db, scheduler_manager.SchedulerManager(conf, db), computes)


def _events(db, ctxt):
    return {e['event']: e for e in actions.get(db, UUID, ctxt.request_id)['events']}


def _run(conf, db, world, computes, host=None, force=False):
    endpoint = _endpoint(conf, db, computes)
    endpoint.live_migrate_instance(world['ctxt'], UUID, world['migration']['uuid'], host,
                                   'auto', force)
    return endpoint, instance_migrations.get(db, world['migration']['uuid'])


def test_picks_a_capable_host_claims_it_for_the_migration_and_casts(conf, db, world):
    computes = Computes()
    _, migration = _run(conf, db, world, computes, host='h4')
    assert (migration['status'], migration['dest_compute'], migration['dest_node']) == (
        'preparing', 'h4', 'h4')
    assert allocations.get(db, migration['uuid'])['node_id'] == world['nodes']['h4']['id']
    [(_, source, dest, data, image)] = [s for s in computes.sent if s[0] == 'live_migration']
    assert (source, dest, data['dest_host'], image) == ('h1', 'h4', 'h4', None)
    events = _events(db, world['ctxt'])
    assert events['conductor_live_migrate_instance']['result'] == 'Success'
    assert events['compute_check_can_live_migrate_destination']['host'] == 'h4'


def test_the_scheduler_never_picks_the_source_nor_a_host_that_cannot(conf, db, world):
    computes = Computes(refusals={'h2': exception.Invalid('h2 has no room')})
    _, migration = _run(conf, db, world, computes)
    assert migration['dest_compute'] == 'h4'
    assert [s[1] for s in computes.sent if s[0] == 'check'] in (['h4'], ['h2', 'h4'])
    assert allocations.get(db, migration['uuid'])['node_id'] == world['nodes']['h4']['id']
    assert compute_nodes.get(db, world['nodes']['h2']['id'])['running_vms'] == 0


def test_when_every_destination_refuses_the_migration_ends_in_error(conf, db, world):
    computes = Computes(refusals={'h2': exception.Invalid('h2 has no room'),
                                  'h4': exception.Invalid('h4 has no room')})
    _, migration = _run(conf, db, world, computes)
    assert migration['status'] == 'error'
    assert allocations.get(db, migration['uuid']) is None
    instance = instances.get(db, UUID)
    assert (instance['vm_state'], instance['task_state'], instance['host']) == (
        'active', None, 'h1')
    event = _events(db, world['ctxt'])['conductor_live_migrate_instance']
    assert event['result'] == 'Error' and 'has no room' in event['traceback']
    assert not [s for s in computes.sent if s[0] == 'live_migration']


def test_a_named_host_that_refuses_is_not_replaced(conf, db, world):
    computes = Computes(refusals={'h2': exception.Invalid('h2 has no room')})
    _, migration = _run(conf, db, world, computes, host='h2')
    assert migration['status'] == 'error'
    assert [s[1] for s in computes.sent] == ['h2']


def test_a_repeated_message_does_nothing(conf, db, world):
    computes = Computes()
    endpoint, _ = _run(conf, db, world, computes, host='h2')
    endpoint.live_migrate_instance(world['ctxt'], UUID, world['migration']['uuid'], 'h2',
                                   'auto')
    assert len([s for s in computes.sent if s[0] == 'live_migration']) == 1


def _running(conf, db, world):
    endpoint, migration = _run(conf, db, world, Computes(), host='h2')
    endpoint.migration_update(world['ctxt'], 'h1', migration['uuid'], 'running', 'preparing')
    return endpoint, migration


def test_landing_moves_host_node_zone_and_claim(conf, db, world):
    endpoint, migration = _running(conf, db, world)
    with pytest.raises(exception.HostMismatch):
        endpoint.live_migration_landed(world['ctxt'], 'h1', UUID, migration['uuid'], 1)
    for _ in range(2):   # a repeated report changes nothing more
        instance = endpoint.live_migration_landed(world['ctxt'], 'h2', UUID,
                                                  migration['uuid'], 1)
    assert (instance['host'], instance['node'], instance['availability_zone'],
            instance['task_state']) == ('h2', 'h2', 'z2', states.MIGRATING)
    assert allocations.get(db, UUID)['node_id'] == world['nodes']['h2']['id']
    assert allocations.get(db, migration['uuid']) is None
    assert compute_nodes.get(db, world['nodes']['h1']['id'])['memory_mb_used'] == 0
    with pytest.raises(exception.HostMismatch):
        endpoint.live_migration_finished(world['ctxt'], 'h2', UUID, migration['uuid'],
                                         'completed')
    done = endpoint.live_migration_finished(world['ctxt'], 'h1', UUID, migration['uuid'],
                                            'completed')
    assert (done['host'], done['task_state']) == ('h2', None)
    assert instance_migrations.get(db, migration['uuid'])['status'] == 'completed'


def test_a_failed_migration_gives_the_destination_claim_back(conf, db, world):
    endpoint, migration = _running(conf, db, world)
    with pytest.raises(exception.HostMismatch):
        endpoint.live_migration_finished(world['ctxt'], 'h1', UUID, migration['uuid'],
                                         'failed', updates={'host': 'h9'})
    instance = endpoint.live_migration_finished(
        world['ctxt'], 'h1', UUID, migration['uuid'], 'failed',
        fault={'code': 500, 'message': 'link down'}, updates={'power_state': 1})
    assert (instance['host'], instance['task_state']) == ('h1', None)
    assert allocations.get(db, migration['uuid']) is None
    assert allocations.get(db, UUID)['node_id'] == world['nodes']['h1']['id']
    assert instance_migrations.get(db, migration['uuid'])['status'] == 'failed'


def test_an_abandoned_migration_says_how_far_it_got(conf, db, world):
    endpoint, migration = _running(conf, db, world)
    with pytest.raises(exception.HostMismatch):
        endpoint.live_migration_abandoned(world['ctxt'], 'h4', UUID, 'restart')
    found = endpoint.live_migration_abandoned(world['ctxt'], 'h1', UUID, 'restart')
    assert (found['status'], found['previous_status']) == ('error', 'running')
    assert allocations.get(db, migration['uuid']) is None
    assert endpoint.live_migration_abandoned(world['ctxt'], 'h1', UUID, 'again') is None
    with pytest.raises(exception.HostMismatch):
        endpoint.migration_update(world['ctxt'], 'h1', migration['uuid'], 'completed',
                                  'running')
