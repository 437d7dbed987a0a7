"""The snapshot/backup endpoint with its collaborators injected: a fake driver, a recording
conductor that keeps the instance's task_state as the real compare-and-swap would."""
import pytest

from common import exception
from compute import action
from compute import locks
from compute import repair
from compute import snapshot
from compute import snapshot_actions
from compute.virt import fake
from image import qemu_img
from image import store as store_mod
from rpc import context as context_mod

CTXT = context_mod.admin_context()
UUID = '11111111-1111-1111-1111-111111111111'
IMAGE_ID = '22222222-2222-2222-2222-222222222222'


class Conductor:
    """Records every call; instance_update is a CAS against the task_state it keeps."""

    def __init__(self, task_state):
        self.task_state = task_state
        self.calls = []

    def instance_update(self, ctxt, host, uuid, updates, expected_task_state=None,
                        event=None, fault=None):
        expected = expected_task_state if isinstance(expected_task_state, list) \
            else [expected_task_state]
        if self.task_state not in expected:
            raise exception.UnexpectedTaskState(expected=expected, actual=self.task_state)
        self.task_state = updates.get('task_state', self.task_state)
        self.calls.append(('instance_update', updates, event and event['result'], fault))
        return {'uuid': uuid, **updates}

    def image_update(self, ctxt, host, image_id, values):
        self.calls.append(('image_update', values['status']))
        return {'id': image_id, **values}

    def image_delete(self, ctxt, host, image_id, unfinished_only=False):
        self.calls.append(('image_delete', image_id))
        self.unfinished_only = unfinished_only

    def rotate_backups(self, ctxt, host, uuid, backup_type, rotation):
        self.calls.append(('rotate_backups', backup_type, rotation))

    def steps(self):
        return [c[1]['task_state'] if c[0] == 'instance_update' else c[:2]
                for c in self.calls]


class NullNotifier:
    def instance(self, *args, **kwargs):
        pass


@pytest.fixture
def store(tmp_path):
    return store_mod.LocalStore(str(tmp_path / 'images'))


def _endpoint(tmp_path, store, task_state, spawn=True):
    driver = fake.FakeDriver(host='h1')
    if spawn:
        base = str(tmp_path / 'base.qcow2')
        qemu_img.create_blank(base, 2 ** 20)
        driver.spawn(_instance(task_state), {'id': 'base'}, base)
    conductor = Conductor(task_state)
    runner = action.ActionRunner('h1', driver, conductor, NullNotifier(),
                                 locks.InstanceLocks())
    snapper = snapshot.Snapshotter('h1', driver, conductor, store)
    return snapshot_actions.SnapshotEndpoint(runner, snapper, repair.Repairer(runner)), conductor


def _instance(task_state, vm_state='stopped'):
    return {'uuid': UUID, 'display_name': 'vm', 'memory_mb': 64, 'vcpus': 1, 'root_gb': 1,
            'ephemeral_gb': 0, 'flavor': {}, 'image_ref': 'base', 'vm_state': vm_state,
            'task_state': task_state}


def test_snapshot_steps_and_the_image_lifecycle(tmp_path, store):
    endpoint, conductor = _endpoint(tmp_path, store, 'image_snapshot_pending')
    endpoint.snapshot_instance(CTXT, _instance('image_snapshot_pending'), IMAGE_ID)
    assert conductor.steps() == ['image_uploading', ('image_update', 'saving'),
                                 ('image_update', 'active'), None]
    final = conductor.calls[-1]
    assert final[1]['vm_state'] == 'stopped' and final[2] == 'Success'
    assert store.exists(IMAGE_ID)


def test_a_second_delivery_leaves_the_finished_image_alone(tmp_path, store):
    endpoint, conductor = _endpoint(tmp_path, store, None)  # the first one already ended
    endpoint.snapshot_instance(CTXT, _instance('image_snapshot_pending'), IMAGE_ID)
    assert not [c for c in conductor.calls if c[0].startswith('image_')]


def test_failed_copy_deletes_the_image_and_records_a_fault(tmp_path, store):
    endpoint, conductor = _endpoint(tmp_path, store, 'image_snapshot_pending', spawn=False)
    endpoint.snapshot_instance(CTXT, _instance('image_snapshot_pending'), IMAGE_ID)
    assert conductor.steps()[:3] == ['image_uploading', ('image_update', 'saving'),
                                     ('image_delete', IMAGE_ID)]
    _, updates, result, fault = conductor.calls[-1]
    assert (updates['vm_state'], updates['task_state'], result) == ('stopped', None, 'Error')
    assert fault['message']
    assert not store.exists(IMAGE_ID)


@pytest.mark.parametrize('rotation, copied', [(2, True), (0, False)])
def test_backup_copies_then_rotates(tmp_path, store, rotation, copied):
    endpoint, conductor = _endpoint(tmp_path, store, 'image_backup')
    endpoint.backup_instance(CTXT, _instance('image_backup'), IMAGE_ID, 'daily', rotation)
    rotate = ('rotate_backups', 'daily')
    expected = (['image_uploading', ('image_update', 'saving'), ('image_update', 'active')]
                if copied else []) + [rotate, None]
    assert conductor.steps() == expected
    assert conductor.calls[-2] == ('rotate_backups', 'daily', rotation)
    assert store.exists(IMAGE_ID) is copied


def test_restart_mid_snapshot_drops_the_unfinished_image_only(tmp_path, store):
    endpoint, conductor = _endpoint(tmp_path, store, 'image_uploading')
    instance = dict(_instance('image_uploading', vm_state='active'),
                    system_metadata={'snapshot_image_id': IMAGE_ID})
    endpoint.repairer.repair(CTXT, instance)
    assert conductor.calls[0] == ('image_delete', IMAGE_ID)
    assert conductor.unfinished_only  # an image that did become active is kept
    _, updates, _, fault = conductor.calls[-1]
    assert updates['task_state'] is None and updates['vm_state'] == 'active'
    assert 'interrupted' in fault['message']
