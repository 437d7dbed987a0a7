"""FakeDriver: contract behaviour, injected failures and thread safety."""
import threading
import time

import pytest

from common import exception
from compute.virt import driver
from compute.virt import fake
from compute.virt import power_state


def test_is_a_compute_driver():
    assert isinstance(fake.FakeDriver(), driver.ComputeDriver)


def test_resources_follow_constructor():
    drv = fake.FakeDriver(vcpus=3, memory_mb=1024, local_gb=7)
    drv.init_host('h9')
    res = drv.get_available_resource()
    assert (res['hypervisor_hostname'], res['vcpus'], res['memory_mb'], res['local_gb']) == \
        ('h9', 3, 1024, 7)
    assert isinstance(res['hypervisor_version'], int)


def test_lifecycle(make_instance):
    drv, inst = fake.FakeDriver(), make_instance()
    assert drv.get_power_state(inst) == power_state.NOSTATE
    drv.spawn(inst, {}, '/nowhere')
    assert drv.instance_exists(inst)
    assert drv.get_power_state(inst) == power_state.RUNNING
    assert drv.list_instance_uuids() == [inst['uuid']]
    assert drv.instance_disk_path(inst) is None
    drv.set_power_state(inst, power_state.CRASHED)
    assert drv.get_power_state(inst) == power_state.CRASHED
    drv.destroy(inst)
    drv.destroy(inst)
    assert not drv.instance_exists(inst)
    with pytest.raises(exception.VirtError):
        drv.spawn({'uuid': 'x'}, {}, '/nowhere')


def test_duplicate_spawn_refused(make_instance):
    drv, inst = fake.FakeDriver(), make_instance()
    drv.spawn(inst, {}, None)
    with pytest.raises(exception.VirtError):
        drv.spawn(inst, {}, None)


@pytest.mark.parametrize('error', [exception.VirtError(reason='boom'), exception.VirtError])
def test_spawn_error_exception(make_instance, error):
    drv, inst = fake.FakeDriver(spawn_error=error), make_instance()
    with pytest.raises(exception.VirtError):
        drv.spawn(inst, {}, None)
    assert not drv.instance_exists(inst)


def test_spawn_error_callable_picks_instances(make_instance):
    bad, good = make_instance(display_name='bad'), make_instance()

    def fail_bad(inst):
        if inst['display_name'] == 'bad':
            return exception.VirtError(reason='injected')
        return None

    drv = fake.FakeDriver(spawn_error=fail_bad)
    with pytest.raises(exception.VirtError, match='injected'):
        drv.spawn(bad, {}, None)
    drv.spawn(good, {}, None)
    assert drv.list_instance_uuids() == [good['uuid']]


def test_parallel_spawns_overlap_and_are_all_recorded(make_instance):
    drv = fake.FakeDriver(spawn_delay=0.05)
    insts = [make_instance() for _ in range(20)]
    start = time.monotonic()
    threads = [threading.Thread(target=drv.spawn, args=(i, {}, None)) for i in insts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - start < 0.05 * len(insts) / 2
    assert sorted(drv.list_instance_uuids()) == sorted(i['uuid'] for i in insts)
