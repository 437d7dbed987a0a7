"""Migration rows (compare-and-swap status, filters, paging) and moving a claim."""
import datetime

import pytest

from common import exception
from common import timeutils
from db import allocations
from db import compute_nodes
from db import instance_migrations


def _migration(db, instance='i-1', **values):
    return instance_migrations.create(db, dict({
        'instance_uuid': instance, 'source_compute': 'h1', 'dest_compute': 'h2',
        'status': 'queued'}, **values))


def test_status_changes_only_from_the_expected_one(db):
    made = _migration(db)
    assert made['migration_type'] == 'live-migration' and len(made['uuid']) == 36
    moved = instance_migrations.update(db, made['uuid'], {'status': 'preparing'},
                                       expected_status='queued')
    assert moved['status'] == 'preparing' and moved['updated_at'] is not None
    with pytest.raises(exception.UnexpectedTaskState):
        instance_migrations.update(db, made['uuid'], {'status': 'running'},
                                   expected_status=['queued'])
    with pytest.raises(exception.Invalid):
        instance_migrations.update(db, made['uuid'], {'instance_uuid': 'other'})
    with pytest.raises(exception.NotFound):
        instance_migrations.update(db, 'nope', {'status': 'error'})
    assert instance_migrations.get(db, made['id'])['uuid'] == made['uuid']
    assert instance_migrations.get(db, made['uuid'], instance_uuid='i-1')['id'] == made['id']
    with pytest.raises(exception.NotFound):
        instance_migrations.get(db, made['uuid'], instance_uuid='i-2')


def test_list_filters_newest_first_and_pages(db):
    first = _migration(db, status='completed')
    second = _migration(db, 'i-2', source_compute='h3', dest_compute='h1')
    third = _migration(db, 'i-3', source_compute='h3', dest_compute='h4', status='error')
    uuids = lambda found: [m['uuid'] for m in found]  # noqa: E731
    assert uuids(instance_migrations.list_(db)) == [third['uuid'], second['uuid'],
                                                   first['uuid']]
    assert uuids(instance_migrations.list_(db, host='h1')) == [second['uuid'], first['uuid']]
    assert uuids(instance_migrations.list_(db, status=['queued', 'error'])) == [
        third['uuid'], second['uuid']]
    assert uuids(instance_migrations.list_(db, limit=1, marker=third['uuid'])) == [
        second['uuid']]
    assert instance_migrations.in_progress(db, 'i-2')['uuid'] == second['uuid']
    assert instance_migrations.in_progress(db, 'i-1') is None
    later = timeutils.utcnow() + datetime.timedelta(minutes=5)
    assert instance_migrations.list_(db, changes_since=later) == []
    assert len(instance_migrations.list_(db, changes_before=later)) == 3
    with pytest.raises(exception.NotFound):
        instance_migrations.list_(db, marker='nope')


def test_a_moved_claim_frees_the_old_node(db):
    old = compute_nodes.report(db, 'h1', 'h1', {'hypervisor_type': 'x', 'vcpus': 4,
                                                 'memory_mb': 4096, 'local_gb': 10})
    new = compute_nodes.report(db, 'h2', 'h2', {'hypervisor_type': 'x', 'vcpus': 4,
                                                 'memory_mb': 4096, 'local_gb': 10})
    allocations.claim(db, old['id'], 'inst', 1, 512, 1)
    allocations.claim(db, new['id'], 'migr', 1, 512, 1)
    assert allocations.move(db, 'inst', 'migr')
    assert allocations.get(db, 'inst')['node_id'] == new['id']
    assert allocations.get(db, 'migr') is None
    freed, taken = compute_nodes.get(db, old['id']), compute_nodes.get(db, new['id'])
    assert (freed['memory_mb_used'], freed['running_vms']) == (0, 0)
    assert (taken['memory_mb_used'], taken['running_vms']) == (512, 1)
    assert not allocations.move(db, 'inst', 'migr')   # a repeated report


def test_capabilities_are_reported_and_read(db):
    node = compute_nodes.report(db, 'h1', 'h1', {
        'hypervisor_type': 'x', 'capabilities': {'live_migration': False,
                                                 'live_migration_refusal': 'no way'}})
    assert compute_nodes.can(node, 'live_migration') == (False, 'no way')
    node = compute_nodes.report(db, 'h1', 'h1', {'hypervisor_type': 'x',
                                                 'capabilities': {'live_migration': True}})
    assert compute_nodes.can(node, 'live_migration') == (True, None)
    assert compute_nodes.can({'capabilities': None}, 'live_migration')[0] is False
