"""The compute's shelve endpoint with a fake driver and a recording conductor: the failure
paths a functional test cannot provoke (a failed snapshot, destroy or spawn)."""
from common import exception
from compute import action
from compute import locks
from compute import repair
from compute import shelve
from compute.virt import fake
from conf import new_conf
from rpc import context as context_mod

CTXT = context_mod.admin_context()
UUID = '11111111-1111-1111-1111-111111111111'
SHELVED_IMAGE = {'id': 'shelved-img', 'properties': {}}


class Conductor:
    """Stands in for conductor.rpcapi: records the calls, answers like the real one."""

    def __init__(self, on_host=(), offload_error=None):
        self.calls = []
        self.on_host = list(on_host)
        self.offload_error = offload_error

    def instance_update(self, ctxt, host, uuid, updates, expected_task_state=None,
                        event=None, fault=None):
        self.calls.append(('instance_update', updates, expected_task_state, event, fault))
        return dict(self.on_host[0] if self.on_host else {'uuid': uuid}, **updates)

    def instance_offloaded(self, ctxt, host, uuid, event=None):
        self.calls.append(('instance_offloaded', uuid, event))
        if self.offload_error:
            raise self.offload_error
        return {'uuid': uuid, 'vm_state': 'shelved_offloaded', 'host': None}

    def image_delete(self, ctxt, host, image_id, unfinished_only=False):
        self.calls.append(('image_delete', image_id))

    def instances_on_host(self, ctxt, host):
        return self.on_host

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


class Snapshotter:
    def __init__(self, error=None):
        self.error = error
        self.captured = []
        self.discarded = []

    def capture(self, ctxt, instance, image_id):
        if self.error:
            raise self.error
        self.captured.append(image_id)

    def discard(self, ctxt, image_id):
        self.discarded.append(image_id)


class Store:
    def path(self, image_id):
        return '/images/' + image_id


class Notifier:
    def __init__(self):
        self.sent = []

    def instance(self, ctxt, action_name, phase, instance, fault=None):
        self.sent.append(f'instance.{action_name}.{phase}')


class BrokenDestroy(fake.FakeDriver):
    def destroy(self, instance):
        raise exception.VirtError(reason='device busy')


def instance(**extra):
    return dict({'uuid': UUID, 'display_name': 'vm', 'memory_mb': 128, 'vcpus': 1,
                 'root_gb': 1, 'ephemeral_gb': 0, 'flavor': {}, 'image_ref': 'img',
                 'vm_state': 'active', 'task_state': 'shelving',
                 'system_metadata': {'shelved_image_id': SHELVED_IMAGE['id']}}, **extra)


def make(conductor, driver=None, snapshotter=None, **overrides):
    conf = new_conf(register_messaging=False)
    for name, value in overrides.items():
        conf.set_override(name, value)
    driver = driver or fake.FakeDriver(host='h1')
    runner = action.ActionRunner('h1', driver, conductor, Notifier(), locks.InstanceLocks())
    repairer = repair.Repairer(runner)
    endpoint = shelve.ShelveEndpoint(conf, runner, Store(), snapshotter or Snapshotter(),
                                     repairer)
    return endpoint, driver


def running(driver):
    driver.spawn(instance(), {'id': 'img'}, '/images/img')


def test_a_failed_snapshot_deletes_the_image_and_keeps_the_vm_state():
    conductor = Conductor()
    snapshotter = Snapshotter(error=exception.VirtError(reason='disk full'))
    endpoint, driver = make(conductor, snapshotter=snapshotter)
    running(driver)
    endpoint.shelve_instance(CTXT, instance(), 'shelved-img', offload=True)
    assert snapshotter.discarded == ['shelved-img']
    *_steps, (_, updates, expected, event, fault) = conductor.named('instance_update')
    assert (updates['vm_state'], updates['task_state']) == ('active', None)
    assert 'shelving_offloading' in expected and 'disk full' in fault['message']
    assert event['result'] == 'Error'
    assert conductor.named('instance_offloaded') == []
    assert driver.list_instance_uuids() == [UUID]


def test_shelve_with_offload_ends_shelved_then_hands_the_host_back():
    conductor = Conductor()
    endpoint, driver = make(conductor)
    running(driver)
    endpoint.shelve_instance(CTXT, instance(), 'shelved-img', offload=True)
    steps = [c[1] for c in conductor.named('instance_update')]
    assert steps == [{'task_state': 'shelving_image_uploading'},
                     {'vm_state': 'shelved', 'task_state': 'shelving_offloading',
                      'power_state': 4}]
    # The offload belongs to the shelve's action: no event of its own.
    assert conductor.named('instance_offloaded') == [('instance_offloaded', UUID, None)]
    assert driver.list_instance_uuids() == []


def test_a_failed_offload_stays_shelved_with_a_fault():
    conductor = Conductor()
    endpoint, _driver = make(conductor, driver=BrokenDestroy(host='h1'))
    endpoint.shelve_offload_instance(CTXT, instance(vm_state='shelved',
                                                    task_state='shelving_offloading'))
    [(_, updates, expected, event, fault)] = conductor.named('instance_update')
    assert (updates['vm_state'], updates['task_state'], expected) == (
        'shelved', None, 'shelving_offloading')
    assert event['name'] == 'compute_shelve_offload_instance' and event['result'] == 'Error'
    assert 'device busy' in fault['message']
    assert conductor.named('instance_offloaded') == []


def test_a_failed_unshelve_spawn_goes_back_to_offloaded_and_keeps_the_image():
    conductor = Conductor()
    endpoint, driver = make(conductor, driver=fake.FakeDriver(
        host='h1', spawn_error=exception.VirtError(reason='no memory')))
    endpoint.unshelve_instance(CTXT, instance(vm_state='shelved_offloaded',
                                              task_state='unshelving'), SHELVED_IMAGE)
    [(_, updates, expected, event, fault)] = conductor.named('instance_update')
    assert (updates, expected) == ({}, 'unshelving')
    assert event['name'] == 'compute_unshelve_instance' and event['result'] == 'Error'
    assert 'no memory' in fault['message']
    assert conductor.named('instance_offloaded') == [('instance_offloaded', UUID, None)]
    assert conductor.named('image_delete') == []
    assert driver.list_instance_uuids() == []


def test_unshelve_spawns_from_the_shelved_image_then_deletes_it():
    conductor = Conductor()
    endpoint, driver = make(conductor)
    endpoint.unshelve_instance(CTXT, instance(vm_state='shelved_offloaded',
                                              task_state='unshelving'), SHELVED_IMAGE)
    [(_, updates, expected, event, _fault)] = conductor.named('instance_update')
    assert (updates['vm_state'], updates['task_state'], expected) == (
        'active', None, 'unshelving')
    assert event['result'] == 'Success'
    assert conductor.named('image_delete') == [('image_delete', 'shelved-img')]
    assert driver._guests[UUID]['image_path'] == '/images/shelved-img'


def test_periodic_offload_hands_back_an_instance_unshelved_meanwhile():
    old = {'shelved_image_id': 'x', 'shelved_at': '2000-01-01T00:00:00'}
    listed = instance(vm_state='shelved', task_state=None, system_metadata=old)
    # The claim's answer shows it was unshelved between the listing and the claim.
    conductor = Conductor(on_host=[dict(listed, vm_state='active')])
    conductor.instances_on_host = lambda ctxt, host: [listed]
    endpoint, driver = make(conductor, shelved_offload_time=60)
    running(driver)
    assert endpoint.offload_expired(CTXT) == []
    steps = [(c[1], c[2]) for c in conductor.named('instance_update')]
    assert steps == [({'task_state': 'shelving_offloading'}, None),
                     ({'task_state': None}, 'shelving_offloading')]
    assert driver.list_instance_uuids() == [UUID]
