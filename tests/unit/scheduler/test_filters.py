"""Host filters on plain HostState objects, and the filter loader."""
import pytest

from scheduler import filters
from scheduler.filters import availability_zone
from scheduler.filters import compute_filter
from scheduler.filters import core
from scheduler.filters import disk
from scheduler.filters import ram
from scheduler import request_spec

SPEC = {'memory_mb': 1024, 'vcpus': 2, 'root_gb': 10, 'ephemeral_gb': 0, 'swap': 0}


def test_compute_filter_passes_up_and_enabled(make_host):
    assert compute_filter.ComputeFilter().host_passes(make_host(), SPEC)


@pytest.mark.parametrize('kwargs', [{'service': False}, {'up': False}, {'disabled': True}])
def test_compute_filter_rejects_missing_down_or_disabled(make_host, kwargs):
    assert not compute_filter.ComputeFilter().host_passes(make_host(**kwargs), SPEC)


def test_compute_filter_rejects_forced_down(make_host):
    assert not compute_filter.ComputeFilter().host_passes(make_host(forced_down=True), SPEC)


def test_availability_zone_filter(make_host):
    f = availability_zone.AvailabilityZoneFilter()
    host = make_host(availability_zone='az1')
    assert f.host_passes(host, SPEC)
    assert f.host_passes(host, dict(SPEC, availability_zone=None))
    assert f.host_passes(host, dict(SPEC, availability_zone='az1'))
    assert not f.host_passes(host, dict(SPEC, availability_zone='az2'))


def test_ram_filter_boundary_and_ratio(make_host):
    f = ram.RamFilter()
    assert f.host_passes(make_host(memory_mb=2048, memory_mb_used=1024), SPEC)
    assert not f.host_passes(make_host(memory_mb=2048, memory_mb_used=1025), SPEC)
    # Overcommit and the host's reserved memory both count.
    assert f.host_passes(make_host(memory_mb=1024, memory_mb_used=1024,
                                   ram_allocation_ratio=2.0), SPEC)
    assert not f.host_passes(make_host(memory_mb=2048, reserved_host_memory_mb=1025), SPEC)


def test_core_filter_boundary_and_ratio(make_host):
    f = core.CoreFilter()
    assert f.host_passes(make_host(vcpus=4, vcpus_used=2), SPEC)
    assert not f.host_passes(make_host(vcpus=4, vcpus_used=3), SPEC)
    assert f.host_passes(make_host(vcpus=2, vcpus_used=2, cpu_allocation_ratio=2.0), SPEC)


def test_disk_filter_counts_root_ephemeral_and_swap(make_host):
    f = disk.DiskFilter()
    spec = dict(SPEC, root_gb=5, ephemeral_gb=3, swap=1)
    # 5 + 3 + ceil(1 MB / 1024) = 9 GB.
    assert f.host_passes(make_host(local_gb=9), spec)
    assert not f.host_passes(make_host(local_gb=8), spec)
    assert f.host_passes(make_host(local_gb=5, disk_allocation_ratio=2.0), spec)


def test_resources_fall_back_to_flavor():
    spec = {'flavor': {'vcpus': 3, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 1,
                       'swap': 2048}}
    assert request_spec.resources(spec) == (3, 512, 4)
    assert request_spec.resources(dict(spec, vcpus=1)).vcpus == 1


def test_load_filters_by_class_name_in_order(conf):
    names = conf.filter_scheduler.enabled_filters
    loaded = filters.load_filters(names, conf)
    assert [type(f).__name__ for f in loaded] == names
    assert all(f.conf is conf for f in loaded)


def test_load_filters_by_dotted_path():
    loaded = filters.load_filters(['scheduler.filters.ram.RamFilter'])
    assert isinstance(loaded[0], ram.RamFilter)


@pytest.mark.parametrize('name', ['NoSuchFilter', 'scheduler.filters.ram.Nope',
                                  'scheduler.request_spec.Resources'])
def test_load_filters_rejects_unknown(name):
    with pytest.raises(ValueError):
        filters.load_filters([name])


def test_filter_hosts_keeps_order_and_drops_failures(make_host):
    hosts = [make_host(id=i, host=f'h{i}', vcpus=v) for i, v in enumerate([4, 1, 8])]
    passed = filters.filter_hosts(filters.load_filters(['CoreFilter', 'RamFilter']),
                                  hosts, SPEC)
    assert [h.host for h in passed] == ['h0', 'h2']
    assert filters.filter_hosts([core.CoreFilter()], hosts, dict(SPEC, vcpus=99)) == []
