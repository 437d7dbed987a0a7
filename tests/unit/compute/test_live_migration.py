"""The compute side of live migration: two hosts' endpoints wired to each other directly
(no RPC), fake drivers that move guests, and a conductor that records what it is told."""
import pytest

from common import exception
from compute import action
from compute import live_migration
from compute import locks
from compute import repair
from compute.virt import fake
from conf import new_conf
from rpc import context as context_mod

CTXT = context_mod.admin_context()
UUID = '22222222-2222-4222-8222-222222222222'
IMAGE = {'id': 'img'}


class Loopback:
    """Stands in for compute.rpcapi: every call or cast goes straight to the named
    host's endpoint (a cast runs before it returns); each is recorded."""

    def __init__(self):
        self.endpoints = {}
        self.sent = []

    def __getattr__(self, method):
        def send(ctxt, host, *args, **kwargs):
            self.sent.append((method, host))
            return getattr(self.endpoints[host], method)(ctxt, *args, **kwargs)
        return send


class Conductor:
    """Keeps the migration's status and the instance's host as the real one would."""

    def __init__(self, instance, migration):
        self.instance = dict(instance)
        self.migration = dict(migration)
        self.calls = []
        self.previous = 'running'

    def migration_update(self, ctxt, host, uuid, status, expected_status, event=None):
        self.calls.append(('migration_update', host, status, event['name']))
        assert self.migration['status'] == expected_status
        self.migration['status'] = status
        return self.migration

    def live_migration_landed(self, ctxt, host, uuid, migration_uuid, power, event=None):
        self.calls.append(('landed', host, event['name']))
        self.instance.update(host=host, power_state=power)
        return self.instance

    def live_migration_finished(self, ctxt, host, uuid, migration_uuid, status, event=None,
                                fault=None, updates=None):
        self.calls.append(('finished', host, status, event['result'], fault, updates))
        self.migration['status'] = status
        self.instance.update(updates or {}, task_state=None)
        return self.instance

    def live_migration_abandoned(self, ctxt, host, uuid, reason):
        self.calls.append(('abandoned', host, reason))
        return dict(self.migration, status='error', previous_status=self.previous)

    def instance_update(self, ctxt, host, uuid, updates, expected_task_state=None,
                        event=None, fault=None):
        self.calls.append(('instance_update', host, updates, fault))
        self.instance.update(updates)
        return self.instance

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


class Tokens:
    def __init__(self):
        self.dropped = []

    def delete_tokens_for_instance(self, ctxt, uuid):
        self.dropped.append(uuid)


class Notes:
    def __init__(self):
        self.sent = []

    def instance(self, ctxt, action_name, phase, instance, fault=None):
        self.sent.append(f'{action_name}.{phase}')


class Images:
    def path(self, image_id):
        return '/images/' + image_id


class Cloud:
    """Hosts h1 (the source) and h2 with their endpoints; the guest runs on h1."""

    def __init__(self, dest_driver_cls=fake.FakeDriver):
        self.instance = {'uuid': UUID, 'display_name': 'vm', 'memory_mb': 128, 'vcpus': 1,
                         'root_gb': 1, 'ephemeral_gb': 0, 'flavor': {}, 'image_ref': 'img',
                         'vm_state': 'active', 'task_state': 'migrating', 'host': 'h1'}
        self.migration = {'uuid': 'm-1', 'instance_uuid': UUID, 'source_compute': 'h1',
                          'dest_compute': 'h2', 'status': 'preparing'}
        self.conductor = Conductor(self.instance, self.migration)
        self.compute_api, self.tokens, self.notes = Loopback(), Tokens(), Notes()
        cluster = {}
        self.drivers = {'h1': fake.FakeDriver('h1', live_migration=True, cluster=cluster),
                        'h2': dest_driver_cls('h2', live_migration=True, cluster=cluster)}
        self.endpoints = {h: self._endpoint(h, d) for h, d in self.drivers.items()}
        self.compute_api.endpoints = self.endpoints
        self.drivers['h1'].spawn(self.instance, IMAGE, '/images/img')

    def _endpoint(self, host, driver):
        runner = action.ActionRunner(host, driver, self.conductor, self.notes,
                                     locks.InstanceLocks())
        return live_migration.LiveMigrationEndpoint(
            new_conf(register_messaging=False), runner, self.compute_api, self.tokens,
            Images(), repair.Repairer(runner))

    def checked(self, block_migration='auto'):
        """migrate_data as the conductor gets it from the destination's check."""
        return self.endpoints['h2'].check_can_live_migrate_destination(
            CTXT, self.instance, block_migration, self.migration)

    def migrate(self):
        self.endpoints['h1'].live_migration(CTXT, self.instance, self.migration,
                                            self.checked(), IMAGE)


def test_the_guest_moves_and_the_migration_completes():
    cloud = Cloud()
    cloud.migrate()
    assert cloud.drivers['h2'].list_instance_uuids() == [UUID]
    assert cloud.drivers['h1'].list_instance_uuids() == []
    assert [c[:3] for c in cloud.conductor.calls] == [
        ('migration_update', 'h1', 'running'), ('landed', 'h2', live_migration.POST_EVENT),
        ('finished', 'h1', 'completed')]
    assert cloud.conductor.named('migration_update')[0][3] == live_migration.PRE_EVENT
    assert cloud.conductor.instance['host'] == 'h2'
    assert cloud.tokens.dropped == [UUID]
    assert [m for m, _ in cloud.compute_api.sent] == [
        'check_can_live_migrate_source', 'pre_live_migration',
        'post_live_migration_at_destination']
    assert [step for step, _ in cloud.drivers['h1'].migration_log] == [
        'check_source', 'migrate', 'post_source']
    assert [step for step, _ in cloud.drivers['h2'].migration_log] == [
        'check_destination', 'pre', 'post_destination']
    assert 'live_migration_post.end' in cloud.notes.sent


def test_a_failed_move_rolls_the_destination_back_and_keeps_the_tokens():
    cloud = Cloud()
    cloud.drivers['h1'].live_migration_error = exception.VirtError(reason='link down')
    cloud.migrate()
    [(_, host, status, result, fault, updates)] = cloud.conductor.named('finished')
    assert (host, status, result) == ('h1', 'failed', 'Error')
    assert fault['message'] == 'Live migration to h2 failed: Hypervisor error: link down'
    assert updates == {'power_state': cloud.drivers['h1'].get_power_state(cloud.instance)}
    assert ('rollback_live_migration_at_destination', 'h2') in cloud.compute_api.sent
    assert ('rollback', UUID) in cloud.drivers['h2'].migration_log
    assert cloud.drivers['h1'].list_instance_uuids() == [UUID]
    assert cloud.tokens.dropped == []
    assert cloud.conductor.instance['host'] == 'h1'


def test_a_failed_preparation_rolls_back_before_anything_moved():
    class NoRoom(fake.FakeDriver):
        def pre_live_migration(self, instance, image, image_path, migrate_data):
            raise exception.VirtError(reason='disk full')

    cloud = Cloud(dest_driver_cls=NoRoom)
    cloud.migrate()
    assert cloud.conductor.named('migration_update') == []
    assert cloud.conductor.named('finished')[0][2] == 'failed'
    assert ('rollback', UUID) in cloud.drivers['h2'].migration_log


def test_a_destination_that_cannot_take_over_ends_in_error_without_rollback():
    class Refuses(fake.FakeDriver):
        def post_live_migration_at_destination(self, instance, migrate_data):
            raise exception.VirtError(reason='no domain')

    cloud = Cloud(dest_driver_cls=Refuses)
    cloud.migrate()
    [(_, _, status, _, fault, updates)] = cloud.conductor.named('finished')
    assert (status, updates) == ('error', {'vm_state': 'error'})
    assert 'The guest moved to h2, but h2 could not take the instance over' in \
        fault['message']
    assert ('rollback', UUID) not in cloud.drivers['h2'].migration_log


def test_the_destination_check_removes_its_probe_when_the_source_refuses():
    class Probing(fake.FakeDriver):
        cleaned = []

        def cleanup_live_migration_destination_check(self, dest_check_data):
            self.cleaned.append(dest_check_data['dest_host'])

    cloud = Cloud(dest_driver_cls=Probing)
    with pytest.raises(exception.Invalid, match='do not share'):
        cloud.checked(block_migration=False)
    assert Probing.cleaned == ['h2']


@pytest.mark.parametrize('previous, rolled_back', [('preparing', True), ('running', False)])
def test_repair_ends_the_migration_and_rolls_back_only_an_unstarted_one(previous,
                                                                       rolled_back):
    cloud = Cloud()
    cloud.conductor.previous = previous
    cloud.endpoints['h1']._repair(CTXT, cloud.instance, 'a restart')
    [(_, host, reason)] = cloud.conductor.named('abandoned')
    assert (host, reason) == ('h1', 'live migration was interrupted by a restart.')
    [(_, _, updates, fault)] = cloud.conductor.named('instance_update')
    assert (updates['vm_state'], updates['task_state']) == ('active', None)
    assert fault['message'] == 'live migration was interrupted by a restart.'
    assert (('rollback', UUID) in cloud.drivers['h2'].migration_log) is rolled_back


def test_repair_of_a_guest_that_left_puts_the_instance_in_error():
    cloud = Cloud()
    cloud.drivers['h1'].destroy(cloud.instance)
    cloud.endpoints['h1']._repair(CTXT, cloud.instance, 'a restart')
    [(_, _, updates, fault)] = cloud.conductor.named('instance_update')
    assert updates['vm_state'] == 'error'
    assert 'The guest is no longer on h1.' in fault['message']
