"""Server group filters and weighers, the same/different host filters, and the race rule."""
import pytest

from scheduler import group_policy
from scheduler import weighers
from scheduler.filters import affinity
from scheduler.filters import server_group
from scheduler.weighers import ram
from scheduler.weighers import server_group as sg_weighers

SPEC = {'memory_mb': 512, 'vcpus': 1, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}


def _spec(policy, hosts, rules=None):
    return dict(SPEC, instance_group={'uuid': 'g', 'policy': policy, 'rules': rules or {},
                                      'hosts': hosts})


@pytest.fixture
def two_hosts(make_host):
    return make_host(host='h1', id=1), make_host(host='h2', id=2)


def test_affinity_filter_first_member_anywhere_then_only_its_host(two_hosts):
    h1, h2 = two_hosts
    f = server_group.ServerGroupAffinityFilter()
    assert f.host_passes(h1, _spec('affinity', {})) and f.host_passes(h2, _spec('affinity', {}))
    assert f.host_passes(h1, _spec('affinity', {'h1': 1}))
    assert not f.host_passes(h2, _spec('affinity', {'h1': 1}))


def test_anti_affinity_filter_rejects_hosts_with_members(two_hosts):
    h1, h2 = two_hosts
    f = server_group.ServerGroupAntiAffinityFilter()
    assert not f.host_passes(h1, _spec('anti-affinity', {'h1': 1}))
    assert f.host_passes(h2, _spec('anti-affinity', {'h1': 1}))


def test_anti_affinity_filter_max_server_per_host(two_hosts):
    h1, _ = two_hosts
    f = server_group.ServerGroupAntiAffinityFilter()
    rules = {'max_server_per_host': 2}
    assert f.host_passes(h1, _spec('anti-affinity', {'h1': 1}, rules))
    assert not f.host_passes(h1, _spec('anti-affinity', {'h1': 2}, rules))


@pytest.mark.parametrize('policy', ['soft-affinity', 'soft-anti-affinity'])
def test_group_filters_ignore_other_policies_and_no_group(two_hosts, policy):
    h1, h2 = two_hosts
    for f in (server_group.ServerGroupAffinityFilter(),
              server_group.ServerGroupAntiAffinityFilter()):
        assert f.host_passes(h1, SPEC)
        assert f.host_passes(h1, _spec(policy, {'h2': 1}))
        assert f.host_passes(h2, _spec(policy, {'h2': 1}))
    assert server_group.ServerGroupAffinityFilter().host_passes(
        h1, _spec('anti-affinity', {'h2': 1}))
    assert server_group.ServerGroupAntiAffinityFilter().host_passes(
        h1, _spec('affinity', {'h1': 1}))


def test_same_and_different_host_filters(two_hosts):
    h1, h2 = two_hosts
    same, different = affinity.SameHostFilter(), affinity.DifferentHostFilter()
    assert same.host_passes(h1, SPEC) and different.host_passes(h1, SPEC)
    spec = dict(SPEC, scheduler_hints={'same_host': ['x']}, same_hosts=['h1'])
    assert same.host_passes(h1, spec) and not same.host_passes(h2, spec)
    # A same_host hint naming servers on no host leaves no host at all.
    assert not same.host_passes(h1, dict(SPEC, scheduler_hints={'same_host': 'x'}))
    spec = dict(SPEC, scheduler_hints={'different_host': ['x']}, different_hosts=['h1'])
    assert not different.host_passes(h1, spec) and different.host_passes(h2, spec)


def _ranked(weigher_list, hosts, spec):
    return [wh.host_state.host for wh in weighers.weigh_hosts(weigher_list, hosts, spec)]


def test_soft_affinity_outweighs_ram_spread(make_host, conf):
    # h1 already runs the member, so it has less free RAM: the RAM weigher alone picks h2.
    h1 = make_host(host='h1', id=1, memory_mb_used=4096)
    h2 = make_host(host='h2', id=2)
    spread = [ram.RamWeigher(conf)]
    assert _ranked(spread, [h1, h2], _spec('soft-affinity', {'h1': 1}))[0] == 'h2'
    both = spread + [sg_weighers.ServerGroupSoftAffinityWeigher(conf)]
    assert _ranked(both, [h1, h2], _spec('soft-affinity', {'h1': 1}))[0] == 'h1'


def test_soft_anti_affinity_prefers_hosts_without_members(make_host, conf):
    # h2 has more free RAM but runs two members; h1 runs one.
    h1 = make_host(host='h1', id=1, memory_mb_used=8192)
    h2 = make_host(host='h2', id=2)
    w = [ram.RamWeigher(conf), sg_weighers.ServerGroupSoftAntiAffinityWeigher(conf)]
    assert _ranked(w, [h1, h2], _spec('soft-anti-affinity', {'h1': 1, 'h2': 2}))[0] == 'h1'
    # Members everywhere: soft never rules a host out.
    assert len(_ranked(w, [h1, h2], _spec('soft-anti-affinity', {'h1': 5, 'h2': 5}))) == 2


def test_soft_weighers_are_neutral_for_other_policies(make_host):
    h1 = make_host(host='h1', id=1)
    for w in (sg_weighers.ServerGroupSoftAffinityWeigher(),
              sg_weighers.ServerGroupSoftAntiAffinityWeigher()):
        assert w.weigh(h1, SPEC) == 0
        assert w.weigh(h1, _spec('affinity', {'h1': 3})) == 0


def _placed(*rows):
    return [{'instance_uuid': u, 'host': h, 'claim_id': c} for u, h, c in rows]


def test_claim_holds_the_older_claim_wins():
    group = {'policy': 'anti-affinity', 'rules': {}}
    placed = _placed(('a', 'h1', 1), ('b', 'h1', 2))
    assert group_policy.claim_holds(group, placed, 'a')
    assert not group_policy.claim_holds(group, placed, 'b')
    assert group_policy.claim_holds(dict(group, rules={'max_server_per_host': 2}), placed, 'b')
    affine = {'policy': 'affinity', 'rules': {}}
    split = _placed(('a', 'h1', 1), ('b', 'h2', 2))
    assert group_policy.claim_holds(affine, split, 'a')
    assert not group_policy.claim_holds(affine, split, 'b')
    assert group_policy.claim_holds({'policy': 'soft-affinity'}, split, 'b')
    assert group_policy.claim_holds(group, placed, 'not-placed')
