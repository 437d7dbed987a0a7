"""The compute manager with its collaborators injected: a fake driver and a recording conductor."""
import datetime

import pytest

from common import exception
from common import timeutils
from compute import manager as manager_mod
from compute.virt import fake
from conf import new_conf
from rpc import context as context_mod


class RecordingConductor:
    """Stands in for conductor.rpcapi; keeps what the compute reported."""

    def __init__(self, on_host=(), update_error=None):
        self.calls = []
        self.on_host = list(on_host)
        self.update_error = update_error

    def wait_until_ready(self, ctxt, deadline=None):
        self.calls.append(('wait_until_ready',))

    def instance_update(self, ctxt, host, uuid, updates, expected_task_state=None,
                        event=None, fault=None):
        self.calls.append(('instance_update', uuid, updates, expected_task_state, fault))
        if self.update_error:
            raise self.update_error
        return {'uuid': uuid, **updates}

    def build_failed(self, ctxt, host, uuid, reason, details=None):
        self.calls.append(('build_failed', uuid, reason))

    def instance_destroyed(self, ctxt, host, uuid, event=None):
        self.calls.append(('instance_destroyed', uuid))

    def instance_offloaded(self, ctxt, host, uuid, event=None):
        self.calls.append(('instance_offloaded', uuid))

    def image_delete(self, ctxt, host, image_id, unfinished_only=False):
        self.calls.append(('image_delete', image_id))

    def service_heartbeat(self, ctxt, host, binary, topic):
        self.calls.append(('service_heartbeat', host))

    def compute_node_report(self, ctxt, host, node, inventory):
        self.calls.append(('compute_node_report', node))

    def instances_on_host(self, ctxt, host):
        return self.on_host

    def evacuated_from(self, ctxt, host):
        return []

    def moves_to(self, ctxt, host):
        return []

    def resize_in_progress(self, ctxt, host, uuid):
        self.calls.append(('resize_in_progress', uuid))
        return None

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


class NullNotifier:
    def instance(self, *args, **kwargs):
        pass


class OneImageStore:
    def path(self, image_id):
        return '/images/' + image_id


class FixedTracker:
    def report(self, ctxt):
        return 'node'


def make(conductor, driver=None):
    conf = new_conf(register_messaging=False)
    driver = driver or fake.FakeDriver(host='h1')
    return manager_mod.ComputeManager(conf, 'h1', driver, conductor, NullNotifier(),
                                      OneImageStore(), FixedTracker()), driver


def instance(uuid='11111111-1111-1111-1111-111111111111', **extra):
    return dict({'uuid': uuid, 'display_name': 'vm', 'memory_mb': 128, 'vcpus': 1,
                 'root_gb': 1, 'ephemeral_gb': 0, 'flavor': {}, 'image_ref': 'img',
                 'vm_state': 'building', 'task_state': 'spawning',
                 'created_at': timeutils.utcnow().isoformat()}, **extra)


CTXT = context_mod.admin_context()
IMAGE = {'id': 'img'}


def test_build_reports_active_in_one_call():
    conductor = RecordingConductor()
    manager, driver = make(conductor)
    manager.build_and_run_instance(CTXT, instance(), IMAGE, {}, [])
    [(_, uuid, updates, expected, _fault)] = conductor.named('instance_update')
    assert updates['vm_state'] == 'active' and updates['task_state'] is None
    assert expected == 'spawning'
    assert uuid in driver.list_instance_uuids()


def test_failed_spawn_cleans_up_and_asks_for_a_reschedule():
    conductor = RecordingConductor()
    manager, driver = make(conductor, fake.FakeDriver(host='h1',
                                                      spawn_error=exception.VirtError(
                                                          reason='no disk')))
    manager.build_and_run_instance(CTXT, instance(), IMAGE, {}, [])
    [(_, uuid, reason)] = conductor.named('build_failed')
    assert 'no disk' in reason
    assert driver.list_instance_uuids() == []
    assert conductor.named('instance_update') == []


def test_instance_deleted_during_build_leaves_no_guest():
    conductor = RecordingConductor(update_error=exception.UnexpectedTaskState(
        expected='spawning', actual='deleting'))
    manager, driver = make(conductor)
    manager.build_and_run_instance(CTXT, instance(), IMAGE, {}, [])
    assert driver.list_instance_uuids() == []


def test_terminate_destroys_then_reports():
    conductor = RecordingConductor()
    manager, driver = make(conductor)
    manager.build_and_run_instance(CTXT, instance(), IMAGE, {}, [])
    manager.terminate_instance(CTXT, instance(task_state='deleting'))
    assert driver.list_instance_uuids() == []
    assert conductor.named('instance_destroyed') == [('instance_destroyed', instance()['uuid'])]


def test_init_host_repairs_interrupted_builds_and_deletes():
    building = instance('22222222-2222-2222-2222-222222222222')
    deleting = instance('33333333-3333-3333-3333-333333333333', vm_state='active',
                        task_state='deleting')
    conductor = RecordingConductor(on_host=[building, deleting])
    manager, _driver = make(conductor)
    manager.init_host(CTXT)
    [(_, uuid, updates, expected, fault)] = conductor.named('instance_update')
    assert (uuid, updates['vm_state'], expected) == (building['uuid'], 'error', 'spawning')
    assert 'interrupted' in fault['message']
    assert conductor.named('instance_destroyed') == [('instance_destroyed', deleting['uuid'])]
    assert conductor.calls[0] == ('wait_until_ready',)


@pytest.mark.parametrize('age,busy,expect_error', [(7200, False, True), (10, False, False),
                                                   (7200, True, False)])
def test_build_timeout(age, busy, expect_error):
    old = (timeutils.utcnow() - datetime.timedelta(seconds=age)).isoformat()
    stuck = instance(updated_at=old)
    conductor = RecordingConductor(on_host=[stuck])
    manager, _driver = make(conductor)
    if busy:
        with manager.locks.hold(stuck['uuid']):
            manager.check_build_timeouts(CTXT)
    else:
        manager.check_build_timeouts(CTXT)
    updates = conductor.named('instance_update')
    assert bool(updates) == expect_error
    if expect_error:
        assert updates[0][2]['vm_state'] == 'error' and 'timed out' in updates[0][4]['message']


def test_init_host_repairs_every_transient_task_state():
    """Each action's transient task_state leaves init_host with task_state None: a generic
    repair with a fault, or a family's own hook (soft delete finishes the delete)."""
    from compute import states
    transient = sorted(states.TRANSIENT - {states.SPAWNING, states.DELETING})
    rows = [instance(f'00000000-0000-0000-0000-{n:012d}', vm_state='active', task_state=t)
            for n, t in enumerate(transient)]
    conductor = RecordingConductor(on_host=rows)
    manager, driver = make(conductor)
    for row in rows:
        driver.spawn(row, IMAGE, '/images/img')
    manager.init_host(CTXT)
    ended = {}
    for call in conductor.named('instance_update'):
        if call[2].get('task_state', 'unset') is None:
            ended[call[1]] = call[2]
    for call in conductor.named('instance_offloaded'):
        ended[call[1]] = {'vm_state': states.SHELVED_OFFLOADED}
    repaired = {row['task_state']: ended.get(row['uuid']) for row in rows}
    missing = [t for t, updates in repaired.items() if updates is None]
    assert not missing, f'left transient: {missing}'
    assert repaired[states.SHELVING_OFFLOADING]['vm_state'] == states.SHELVED_OFFLOADED
    assert repaired[states.SOFT_DELETING]['vm_state'] == states.SOFT_DELETED
    assert repaired[states.REBOOTING]['vm_state'] == states.ACTIVE
    assert repaired[states.REBUILDING]['vm_state'] == states.ERROR


@pytest.mark.parametrize('age,busy,ended', [(7200, False, True), (10, False, False),
                                            (7200, True, False)])
def test_an_action_whose_message_was_lost_is_ended_with_a_fault(age, busy, ended):
    old = (timeutils.utcnow() - datetime.timedelta(seconds=age)).isoformat()
    stuck = instance(vm_state='active', task_state='powering-off', updated_at=old)
    conductor = RecordingConductor(on_host=[stuck])
    manager, driver = make(conductor)
    driver.spawn(stuck, IMAGE, '/images/img')
    if busy:
        with manager.locks.hold(stuck['uuid']):
            manager.check_build_timeouts(CTXT)
    else:
        manager.check_build_timeouts(CTXT)
    updates = conductor.named('instance_update')
    assert bool(updates) is ended
    if ended:
        [(_, _uuid, values, expected, fault)] = updates
        assert (values['task_state'], values['vm_state'], expected) == (
            None, 'active', 'powering-off')
        assert 'lost message' in fault['message']
