"""select_destinations with server groups and host hints, against a real SQLite database."""
import uuid

import pytest

from common import exception
from db import allocations
from db import instances
from db import server_groups
from scheduler import manager as manager_mod
from scheduler import placement

SPEC = {'memory_mb': 512, 'vcpus': 1, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
        'flavor': {'name': 'm1.tiny'}}
FILTERS = ['ComputeFilter', 'RamFilter', 'ServerGroupAffinityFilter',
           'ServerGroupAntiAffinityFilter', 'SameHostFilter', 'DifferentHostFilter']


@pytest.fixture
def manager(conf, db, add_compute):
    conf.set_override('enabled_filters', FILTERS, group='filter_scheduler')
    for host in ('h1', 'h2', 'h3'):
        add_compute(db, host)
    return manager_mod.SchedulerManager(conf, db)


def _group(db, policy, members, rules=None):
    group = server_groups.create(db, {'uuid': str(uuid.uuid4()), 'name': 'g', 'project_id': 'p',
                                      'user_id': 'u', 'policy': policy, 'rules': rules or {}})
    server_groups.add_members(db, group['uuid'], members)
    return dict(SPEC, instance_group={'uuid': group['uuid'], 'policy': policy,
                                      'rules': rules or {}})


def _new(count):
    return [str(uuid.uuid4()) for _ in range(count)]


def _first_hosts(selections):
    return [s[0]['host'] for s in selections]


def test_anti_affinity_multi_create_uses_distinct_hosts(manager, db):
    members = _new(3)
    hosts = _first_hosts(manager.select_destinations(None, _group(db, 'anti-affinity', members),
                                                     members))
    assert sorted(hosts) == ['h1', 'h2', 'h3']


def test_anti_affinity_more_members_than_hosts_fails_and_releases(manager, db):
    members = _new(4)
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(None, _group(db, 'anti-affinity', members), members)
    assert all(allocations.get(db, m) is None for m in members)


def test_anti_affinity_max_server_per_host(manager, db):
    members = _new(6)
    spec = _group(db, 'anti-affinity', members, {'max_server_per_host': 2})
    hosts = _first_hosts(manager.select_destinations(None, spec, members))
    assert sorted(hosts) == ['h1', 'h1', 'h2', 'h2', 'h3', 'h3']


def test_affinity_multi_create_uses_one_host_and_gives_no_other_alternates(manager, db):
    members = _new(3)
    selections = manager.select_destinations(None, _group(db, 'affinity', members), members)
    assert len(set(_first_hosts(selections))) == 1
    # After the first, every member's alternates can only be the group's host (claimed).
    assert all(len(s) == 1 for s in selections[1:])


def test_alternates_of_anti_affinity_member_skip_member_hosts(manager, db):
    first, second = _new(2)
    spec = _group(db, 'anti-affinity', [first, second])
    [[placed, *_]] = manager.select_destinations(None, spec, [first])
    [selection] = manager.select_destinations(None, spec, [second])
    assert placed['host'] not in [d['host'] for d in selection]


def test_soft_anti_affinity_spreads_then_doubles_up(manager, db):
    members = _new(4)
    hosts = _first_hosts(manager.select_destinations(
        None, _group(db, 'soft-anti-affinity', members), members))
    assert sorted(set(hosts)) == ['h1', 'h2', 'h3'] and len(hosts) == 4


def test_soft_affinity_stacks_on_one_host(conf, manager, db):
    conf.set_override('weighers', ['RamWeigher', 'CoreWeigher', 'DiskWeigher',
                                   'ServerGroupSoftAffinityWeigher'], group='filter_scheduler')
    members = _new(3)
    hosts = _first_hosts(manager_mod.SchedulerManager(conf, db).select_destinations(
        None, _group(db, 'soft-affinity', members), members))
    assert len(set(hosts)) == 1


def test_a_stale_view_loses_the_race_to_the_older_claim(conf, manager, db, monkeypatch):
    """Two members scheduled at once: the later claim on the same host backs off."""
    for option in ('ram_weight_multiplier', 'cpu_weight_multiplier', 'disk_weight_multiplier'):
        conf.set_override(option, -1.0, group='filter_scheduler')  # stack: the fullest first
    manager = manager_mod.SchedulerManager(conf, db)
    first, second = _new(2)
    spec = _group(db, 'anti-affinity', [first, second])
    [[placed, *_]] = manager.select_destinations(None, spec, [first])
    # The second request read the hosts before the first claim: its filters see no member.
    monkeypatch.setattr(placement, 'with_placement', lambda db, spec, uuid: spec)
    # Stacking makes the first member's host the best one, so the second claims it first.
    [[chosen, *_]] = manager.select_destinations(None, spec, [second])
    assert chosen['host'] != placed['host']


def _instance_on(db, host):
    inst = instances.create(db, {
        'uuid': str(uuid.uuid4()), 'display_name': 'x', 'project_id': 'p', 'user_id': 'u',
        'flavor_id': '1', 'flavor': {}, 'vm_state': 'active', 'host': host})
    return inst['uuid']


def test_same_host_and_different_host_hints(manager, db):
    on_h2 = _instance_on(db, 'h2')
    spec = dict(SPEC, scheduler_hints={'same_host': on_h2})
    assert _first_hosts(manager.select_destinations(None, spec, _new(1))) == ['h2']
    spec = dict(SPEC, scheduler_hints={'different_host': [on_h2, _instance_on(db, 'h1')]})
    assert _first_hosts(manager.select_destinations(None, spec, _new(1))) == ['h3']
    with pytest.raises(exception.NoValidHost):
        manager.select_destinations(
            None, dict(SPEC, scheduler_hints={'same_host': str(uuid.uuid4())}), _new(1))
