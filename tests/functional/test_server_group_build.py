"""The build task with server groups: reschedules keep the group's policy."""
import uuid

import pytest

from conf import new_conf
from db import compute_nodes
from db import faults
from db import instances
from db import request_specs
from db import server_groups
from rpc import context as context_mod
from tests.functional import test_conductor_build as base

FILTERS = ['ComputeFilter', 'RamFilter', 'ServerGroupAffinityFilter',
           'ServerGroupAntiAffinityFilter']


@pytest.fixture
def world(tmp_path):
    conf = new_conf(register_messaging=False)
    conf.set_override('max_attempts', 3, group='scheduler')
    conf.set_override('enabled_filters', FILTERS, group='filter_scheduler')
    db, conductor, compute, _ = base.three_hosts(tmp_path, conf)
    yield db, conductor, compute
    db.dispose()


def _grouped(db, ctxt, policy, count):
    group = server_groups.create(db, {'uuid': str(uuid.uuid4()), 'name': 'g', 'project_id': 'p',
                                      'user_id': 'u', 'policy': policy, 'rules': {}})
    uuids = [base.new_instance(db, ctxt) for _ in range(count)]
    server_groups.add_members(db, group['uuid'], uuids)
    spec = dict(base.SPEC, instance_group={'uuid': group['uuid'], 'policy': policy,
                                           'rules': {}})
    return spec, uuids


def test_reschedule_skips_an_alternate_a_member_took_since(world):
    db, conductor, compute = world
    ctxt = context_mod.admin_context()
    spec, (first, second) = _grouped(db, ctxt, 'anti-affinity', 2)
    conductor.build_instances(ctxt, [first], spec)
    first_host = compute.builds[0][0]
    conductor.build_instances(ctxt, [second], spec)
    second_host = compute.builds[1][0]
    free_host = ({'host-a', 'host-b', 'host-c'} - {first_host, second_host}).pop()
    # The first member's alternates were chosen before the second was placed: put the
    # second's host first among them, as a parallel build could have.
    saved = request_specs.get(db, first)
    node = {h: compute_nodes.get_by_host_node(db, h, h)['id'] for h in (second_host, free_host)}
    saved['alternates'] = [{'host': h, 'node': h, 'node_id': node[h]}
                           for h in (second_host, free_host)]
    request_specs.save(db, first, saved)
    conductor.build_failed(ctxt, first_host, first, 'spawn failed', 'trace')
    assert compute.builds[2][:2] == (free_host, first)
    assert instances.get(db, first)['host'] == free_host


def test_affinity_member_cannot_reschedule_away_from_its_group(world):
    db, conductor, compute = world
    ctxt = context_mod.admin_context()
    spec, members = _grouped(db, ctxt, 'affinity', 2)
    conductor.build_instances(ctxt, members, spec)
    hosts = {b[0] for b in compute.builds}
    assert len(hosts) == 1
    # Both alternates of the second member are other hosts: neither may take it.
    saved = request_specs.get(db, members[1])
    others = sorted({'host-a', 'host-b', 'host-c'} - hosts)
    saved['alternates'] = [{'host': h, 'node': h,
                            'node_id': compute_nodes.get_by_host_node(db, h, h)['id']}
                           for h in others]
    request_specs.save(db, members[1], saved)
    conductor.build_failed(ctxt, hosts.pop(), members[1], 'spawn failed', 'trace')
    assert len(compute.builds) == 2
    assert instances.get(db, members[1])['vm_state'] == 'error'
    assert 'Exceeded maximum number of retries' in faults.latest(db, [members[1]])[
        members[1]]['message']


def test_no_host_for_anti_affinity_member_is_no_valid_host(world):
    db, conductor, compute = world
    ctxt = context_mod.admin_context()
    spec, members = _grouped(db, ctxt, 'anti-affinity', 4)
    conductor.build_instances(ctxt, members, spec)
    assert compute.builds == []
    for member in members:
        assert instances.get(db, member)['vm_state'] == 'error'
        assert 'No valid host' in faults.latest(db, [member])[member]['message']
