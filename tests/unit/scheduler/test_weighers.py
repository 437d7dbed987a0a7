"""Weighers on plain HostState objects: normalization, multipliers, spread and stack."""
import pytest

from scheduler import weighers
from scheduler.weighers import core
from scheduler.weighers import disk
from scheduler.weighers import ram

SPEC = {'memory_mb': 512, 'vcpus': 1, 'root_gb': 1}


def _names(weighed):
    return [wh.host_state.host for wh in weighed]


def test_normalize():
    assert weighers.normalize([2, 4, 6]) == [0.0, 0.5, 1.0]
    assert weighers.normalize([5, 5]) == [0.0, 0.0]


def test_raw_values(make_host):
    host = make_host(vcpus=8, vcpus_used=3, memory_mb=4096, memory_mb_used=1024,
                     local_gb=50, local_gb_used=20)
    assert ram.RamWeigher().weigh(host, SPEC) == 3072
    assert core.CoreWeigher().weigh(host, SPEC) == 5
    assert disk.DiskWeigher().weigh(host, SPEC) == 30


def test_spread_prefers_most_free_ram(conf, make_host):
    hosts = [make_host(id=1, host='full', memory_mb_used=12000),
             make_host(id=2, host='empty'),
             make_host(id=3, host='half', memory_mb_used=8000)]
    weighed = weighers.weigh_hosts([ram.RamWeigher(conf)], hosts, SPEC)
    assert _names(weighed) == ['empty', 'half', 'full']
    assert weighed[0].weight == 1.0 and weighed[-1].weight == 0.0


def test_negative_multiplier_stacks(conf, make_host):
    conf.set_override('ram_weight_multiplier', -1.0, group='filter_scheduler')
    hosts = [make_host(id=1, host='empty'), make_host(id=2, host='busy', memory_mb_used=8000)]
    weighed = weighers.weigh_hosts([ram.RamWeigher(conf)], hosts, SPEC)
    assert _names(weighed) == ['busy', 'empty']


def test_multipliers_combine_normalized_values(conf, make_host):
    # 'cores' has far more free vCPUs; 'mem' more free RAM. Raw units (MB vs
    # cores) must not matter, only the multipliers.
    hosts = [make_host(id=1, host='mem', vcpus=2, memory_mb=65536),
             make_host(id=2, host='cores', vcpus=64, memory_mb=4096)]
    loaded = weighers.load_weighers(['RamWeigher', 'CoreWeigher'], conf)
    assert [w.weight for w in weighers.weigh_hosts(loaded, hosts, SPEC)] == [1.0, 1.0]
    conf.set_override('cpu_weight_multiplier', 2.0, group='filter_scheduler')
    weighed = weighers.weigh_hosts(loaded, hosts, SPEC)
    assert _names(weighed) == ['cores', 'mem']
    assert weighed[0].weight == pytest.approx(2.0)
    conf.set_override('cpu_weight_multiplier', 0.0, group='filter_scheduler')
    assert _names(weighers.weigh_hosts(loaded, hosts, SPEC)) == ['mem', 'cores']


def test_ties_keep_input_order(conf, make_host):
    hosts = [make_host(id=i, host=f'h{i}') for i in range(4)]
    loaded = weighers.load_weighers(conf.filter_scheduler.weighers, conf)
    assert _names(weighers.weigh_hosts(loaded, hosts, SPEC)) == ['h0', 'h1', 'h2', 'h3']
    assert weighers.weigh_hosts(loaded, [], SPEC) == []


def test_load_weighers(conf):
    loaded = weighers.load_weighers(conf.filter_scheduler.weighers, conf)
    assert [type(w).__name__ for w in loaded] == [
        'RamWeigher', 'CoreWeigher', 'DiskWeigher', 'ServerGroupSoftAffinityWeigher',
        'ServerGroupSoftAntiAffinityWeigher']
    assert isinstance(weighers.load_weighers(['scheduler.weighers.disk.DiskWeigher'])[0],
                      disk.DiskWeigher)
    with pytest.raises(ValueError):
        weighers.load_weighers(['NoSuchWeigher'])
