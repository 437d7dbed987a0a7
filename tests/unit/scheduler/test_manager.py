"""select_destinations against a real SQLite file database: placement, claims, alternates."""
import datetime
import json
import uuid

import pytest
import sqlalchemy as sa

from common import exception
from common import timeutils
from db import allocations
from db import compute_nodes
from db import models
from db import services
from scheduler import manager as manager_mod

SPEC = {'memory_mb': 1024, 'vcpus': 1, 'root_gb': 10, 'ephemeral_gb': 0, 'swap': 0,
        'flavor': {'name': 'm1.small'}}


def _uuids(count):
    return [str(uuid.uuid4()) for _ in range(count)]


def _hosts(selections):
    return [[d['host'] for d in selection] for selection in selections]


def _allocation_count(db):
    with db.session() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(models.Allocation))


def _service_id(db, host):
    return services.list_(db, host=host)[0]['id']


@pytest.fixture
def manager(conf, db):
    return manager_mod.SchedulerManager(conf, db)


def test_rpc_version_and_empty_request(manager):
    assert manager.RPC_API_VERSION == '1.0'
    assert manager.select_destinations(None, SPEC, []) == []


def test_places_on_the_emptier_host_and_claims(manager, db, add_compute):
    add_compute(db, 'small', vcpus=4, memory_mb=4096, local_gb=40)
    big = add_compute(db, 'big', vcpus=16, memory_mb=32768, local_gb=400)
    [instance] = _uuids(1)
    result = manager.select_destinations(None, SPEC, [instance])
    assert result[0][0] == {'host': 'big', 'node': 'big-node', 'node_id': big['id']}
    json.dumps(result)  # plain data for the wire
    assert allocations.get(db, instance)['node_id'] == big['id']
    node = compute_nodes.get(db, big['id'])
    assert (node['vcpus_used'], node['memory_mb_used'], node['local_gb_used']) == (1, 1024, 10)


def test_spreads_the_instances_of_one_request(manager, db, add_compute):
    for host in ('h1', 'h2', 'h3'):
        add_compute(db, host)
    result = manager.select_destinations(None, SPEC, _uuids(3), return_alternates=False)
    assert sorted(h[0] for h in _hosts(result)) == ['h1', 'h2', 'h3']


def test_no_valid_host_when_full(manager, db, add_compute):
    add_compute(db, 'tiny', vcpus=1, memory_mb=512, local_gb=5)
    with pytest.raises(exception.NoValidHost) as info:
        manager.select_destinations(None, SPEC, _uuids(1))
    assert 'There are not enough hosts available.' in str(info.value)
    assert _allocation_count(db) == 0


def test_all_or_nothing_releases_earlier_claims(manager, db, add_compute):
    node = add_compute(db, 'h1', vcpus=2)
    add_compute(db, 'h2', vcpus=8, memory_mb=1024)  # room for one by RAM
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(None, SPEC, _uuids(4))
    assert _allocation_count(db) == 0
    for n in compute_nodes.list_(db):
        assert (n['vcpus_used'], n['memory_mb_used'], n['local_gb_used'],
                n['running_vms']) == (0, 0, 0, 0)
    # The same three fit once the request is sized to the room.
    assert len(manager.select_destinations(None, SPEC, _uuids(3))) == 3
    assert compute_nodes.get(db, node['id'])['vcpus_used'] == 2


def test_existing_claims_are_not_released_on_failure(manager, db, add_compute):
    add_compute(db, 'h1', vcpus=2)
    [earlier] = _uuids(1)
    manager.select_destinations(None, SPEC, [earlier])
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(None, SPEC, _uuids(2))
    assert allocations.get(db, earlier) is not None
    assert _allocation_count(db) == 1


@pytest.mark.parametrize('max_attempts,return_alternates,expected', [
    (3, True, 3), (5, True, 4), (1, True, 1), (3, False, 1)])
def test_alternates(conf, db, add_compute, max_attempts, return_alternates, expected):
    conf.set_override('max_attempts', max_attempts, group='scheduler')
    for host in ('h1', 'h2', 'h3', 'h4'):
        add_compute(db, host)
    add_compute(db, 'full', vcpus=0)
    manager = manager_mod.SchedulerManager(conf, db)
    instances = _uuids(2)
    result = manager.select_destinations(None, SPEC, instances, return_alternates)
    for instance, selection in zip(instances, result):
        hosts = [d['host'] for d in selection]
        assert len(hosts) == expected and len(set(hosts)) == expected
        assert 'full' not in hosts
        assert set(selection[0]) == {'host', 'node', 'node_id'}
        assert allocations.get(db, instance)['node_id'] == selection[0]['node_id']
    assert _allocation_count(db) == 2  # alternates are not claimed


def test_disabled_down_and_missing_services_are_skipped(conf, manager, db, add_compute):
    # The skipped hosts are the emptiest, so only the filter keeps them out.
    for host in ('disabled', 'down', 'forced', 'orphan'):
        add_compute(db, host, vcpus=64, memory_mb=65536, service=host != 'orphan')
    add_compute(db, 'ok', vcpus=2)
    services.update(db, _service_id(db, 'disabled'), {'disabled': True})
    services.update(db, _service_id(db, 'forced'), {'forced_down': True})
    old = timeutils.utcnow() - datetime.timedelta(seconds=conf.service_down_time + 1)
    services.update(db, _service_id(db, 'down'), {'last_seen_up': old})
    result = manager.select_destinations(None, SPEC, _uuids(2))
    assert _hosts(result) == [['ok'], ['ok']]
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(None, SPEC, _uuids(1))


def test_availability_zone(manager, db, add_compute):
    add_compute(db, 'big', vcpus=64, zone='az1')
    add_compute(db, 'small', vcpus=2, zone='az2')
    spec = dict(SPEC, availability_zone='az2')
    assert _hosts(manager.select_destinations(None, spec, _uuids(2))) == [['small'], ['small']]
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(None, dict(SPEC, availability_zone='az3'), _uuids(1))


def test_ignore_hosts_and_force_hosts(manager, db, add_compute):
    add_compute(db, 'best', vcpus=64)
    add_compute(db, 'other', vcpus=4)
    spec = dict(SPEC, ignore_hosts=['best'])
    assert _hosts(manager.select_destinations(None, spec, _uuids(1))) == [['other']]
    spec = dict(SPEC, force_hosts=['other'])
    assert _hosts(manager.select_destinations(None, spec, _uuids(1))) == [['other']]


def test_lost_claim_falls_back_to_the_next_host(manager, db, add_compute):
    best = add_compute(db, 'best', vcpus=8)
    add_compute(db, 'next', vcpus=4)
    stale = manager.host_manager.get_host_states()
    # A parallel scheduler fills 'best' after this one read the hosts.
    allocations.claim(db, best['id'], 'other-scheduler', 8, 0, 0)
    manager.host_manager.get_host_states = lambda ctxt=None: stale
    [selection] = manager.select_destinations(None, SPEC, _uuids(1))
    # The lost host is no alternate either.
    assert [d['host'] for d in selection] == ['next']


def test_host_subset_size_picks_among_the_best(conf, db, add_compute):
    conf.set_override('host_subset_size', 2, group='filter_scheduler')
    add_compute(db, 'a', vcpus=64)
    add_compute(db, 'b', vcpus=63)
    add_compute(db, 'worst', vcpus=2)
    manager = manager_mod.SchedulerManager(conf, db)
    firsts = set()
    for instance in _uuids(30):
        firsts.add(manager.select_destinations(None, SPEC, [instance])[0][0]['host'])
        allocations.release(db, instance)  # keep the weights as they were
    assert firsts == {'a', 'b'}


def test_unknown_filter_is_a_config_error(conf, db):
    conf.set_override('enabled_filters', ['NoSuchFilter'], group='filter_scheduler')
    with pytest.raises(ValueError):
        manager_mod.SchedulerManager(conf, db)
