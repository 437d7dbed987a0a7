"""The conductor's build task with a real database and scheduler; RPC neighbours injected."""
import pytest

from common import exception
from conductor import manager as conductor_manager
from conf import new_conf
from db import actions
from db import allocations
from db import compute_nodes
from db import engine
from db import faults
from db import instances
from db import migration
from db import services
from image import store as store_mod
from rpc import context as context_mod
from scheduler import manager as scheduler_manager

SPEC = {'vcpus': 1, 'memory_mb': 128, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
        'disk_gb': 1, 'image': {'id': 'img'}, 'flavor': {'name': 'm1.nano'}}


class RecordingCompute:
    """Stands in for compute.rpcapi: records the casts the conductor sends."""

    def __init__(self):
        self.builds = []

    def build_and_run_instance(self, ctxt, host, instance, image, request_spec, alternates):
        self.builds.append((host, instance['uuid'], [a['host'] for a in alternates]))


class InProcessScheduler:
    """Stands in for scheduler.rpcapi by calling the real scheduler manager directly."""

    def __init__(self, manager):
        self.manager = manager

    def select_destinations(self, ctxt, request_spec, instance_uuids):
        return self.manager.select_destinations(ctxt, request_spec, instance_uuids)


class SilentNotifier:
    def __init__(self):
        self.sent = []

    def instance(self, ctxt, action, phase, instance, fault=None):
        self.sent.append((action, phase, instance['uuid']))


def three_hosts(tmp_path, conf):
    """A database with compute hosts host-a..c (4 vCPUs, 4 GiB, 40 GB each) and a real
    conductor over an in-process scheduler; (db, conductor, compute, notifier)."""
    db = engine.Database('sqlite:///' + str(tmp_path / 'stratus.sqlite'))
    migration.sync(db)
    for host in ('host-a', 'host-b', 'host-c'):
        compute_nodes.report(db, host, host, {
            'hypervisor_type': 'test', 'vcpus': 4, 'memory_mb': 4096, 'local_gb': 40,
            'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0,
            'disk_allocation_ratio': 1.0})
        services.register(db, host, 'stratus-compute', 'compute')
    compute = RecordingCompute()
    notifier = SilentNotifier()
    conductor = conductor_manager.ConductorManager(
        conf, db, InProcessScheduler(scheduler_manager.SchedulerManager(conf, db)), compute,
        notifier, store_mod.LocalStore(str(tmp_path / 'images')))
    return db, conductor, compute, notifier


@pytest.fixture
def world(tmp_path):
    conf = new_conf(register_messaging=False)
    conf.set_override('max_attempts', 2, group='scheduler')
    db, conductor, compute, notifier = three_hosts(tmp_path, conf)
    yield conf, db, conductor, compute, notifier
    db.dispose()


def new_instance(db, ctxt):
    import uuid
    inst = instances.create(db, {
        'uuid': str(uuid.uuid4()), 'display_name': 'x', 'project_id': 'p', 'user_id': 'u',
        'flavor_id': '42', 'flavor': {}, 'vm_state': 'building', 'task_state': 'scheduling',
        'memory_mb': 128, 'vcpus': 1, 'root_gb': 1})
    actions.start(db, ctxt, inst['uuid'], 'create')
    return inst['uuid']


def test_build_claims_and_casts_with_alternates(world):
    conf, db, conductor, compute, _ = world
    ctxt = context_mod.admin_context()
    uuid = new_instance(db, ctxt)
    conductor.build_instances(ctxt, [uuid], SPEC)
    [(host, built, alternates)] = compute.builds
    assert built == uuid and len(alternates) == 1 and host not in alternates
    inst = instances.get(db, uuid)
    assert (inst['host'], inst['task_state']) == (host, 'spawning')
    assert allocations.get(db, uuid)['vcpus'] == 1


def test_failed_build_reschedules_then_errors_after_max_attempts(world):
    conf, db, conductor, compute, notifier = world
    ctxt = context_mod.admin_context()
    uuid = new_instance(db, ctxt)
    conductor.build_instances(ctxt, [uuid], SPEC)
    first, _, [alternate] = compute.builds[0]
    conductor.build_failed(ctxt, first, uuid, 'disk exploded', 'trace')
    assert compute.builds[1][:2] == (alternate, uuid)
    assert instances.get(db, uuid)['host'] == alternate
    node = compute_nodes.get_by_host_node(db, alternate, alternate)
    assert allocations.get(db, uuid)['node_id'] == node['id']
    assert compute_nodes.get_by_host_node(db, first, first)['vcpus_used'] == 0

    conductor.build_failed(ctxt, alternate, uuid, 'disk exploded again', 'trace')
    assert len(compute.builds) == 2, 'max_attempts=2 allows no third host'
    inst = instances.get(db, uuid)
    assert (inst['vm_state'], inst['task_state']) == ('error', None)
    fault = faults.latest(db, [uuid])[uuid]
    assert 'Exceeded maximum number of retries' in fault['message']
    assert 'disk exploded again' in fault['message']
    assert allocations.get(db, uuid) is None
    assert ('create', 'error', uuid) in notifier.sent


def test_no_valid_host_puts_instance_in_error_with_fault(world):
    conf, db, conductor, compute, _ = world
    ctxt = context_mod.admin_context()
    uuid = new_instance(db, ctxt)
    conductor.build_instances(ctxt, [uuid], dict(SPEC, vcpus=64))
    assert compute.builds == []
    assert instances.get(db, uuid)['vm_state'] == 'error'
    assert 'No valid host' in faults.latest(db, [uuid])[uuid]['message']
    events = actions.get(db, uuid, ctxt.request_id)['events']
    assert [(e['event'], e['result']) for e in events] == [
        ('conductor_schedule_and_build_instances', 'Error')]


def test_instance_deleted_while_scheduling_gives_its_claim_back(world):
    conf, db, conductor, compute, _ = world
    ctxt = context_mod.admin_context()
    uuid = new_instance(db, ctxt)
    instances.soft_delete(db, uuid)
    conductor.build_instances(ctxt, [uuid], SPEC)
    assert compute.builds == []
    assert allocations.get(db, uuid) is None
    assert all(n['vcpus_used'] == 0 for n in compute_nodes.list_(db))


def test_a_host_may_only_touch_its_own_instances(world):
    conf, db, conductor, compute, _ = world
    ctxt = context_mod.admin_context()
    uuid = new_instance(db, ctxt)
    conductor.build_instances(ctxt, [uuid], SPEC)
    owner = compute.builds[0][0]
    intruder = next(h for h in ('host-a', 'host-b', 'host-c') if h != owner)
    with pytest.raises(exception.HostMismatch):
        conductor.instance_update(ctxt, intruder, uuid, {'vm_state': 'active'})
    with pytest.raises(exception.HostMismatch):
        conductor.instance_destroyed(ctxt, intruder, uuid)
    with pytest.raises(exception.HostMismatch):
        conductor.instance_update(ctxt, owner, uuid, {'host': intruder})
    with pytest.raises(exception.HostMismatch):
        conductor.compute_node_report(ctxt, intruder, owner, {'vcpus': 1})
    updated = conductor.instance_update(ctxt, owner, uuid, {'vm_state': 'active',
                                                            'task_state': None},
                                        expected_task_state='spawning')
    assert updated['vm_state'] == 'active'
    with pytest.raises(exception.UnexpectedTaskState):
        conductor.instance_update(ctxt, owner, uuid, {'task_state': None},
                                  expected_task_state='spawning')
