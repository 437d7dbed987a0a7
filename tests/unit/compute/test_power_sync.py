"""The periodic power-state sync with a fake driver and a recording conductor."""
import pytest

from common import exception
from compute import locks
from compute import power_sync
from compute.virt import fake
from compute.virt import power_state
from conf import new_conf
from tests.unit.compute.test_manager import CTXT
from tests.unit.compute.test_manager import RecordingConductor
from tests.unit.compute.test_manager import instance as make_instance

UUID = '44444444-4444-4444-4444-444444444444'


class Listings(RecordingConductor):
    """instances_on_host answers from a list of listings, one per call (the last repeats)."""

    def __init__(self, *listings, update_error=None):
        super().__init__(update_error=update_error)
        self.listings = [list(listing) for listing in listings]

    def instances_on_host(self, ctxt, host):
        self.calls.append(('instances_on_host',))
        return self.listings.pop(0) if len(self.listings) > 1 else self.listings[0]


def idle(vm_state='active', power=power_state.RUNNING, **extra):
    return make_instance(UUID, vm_state=vm_state, task_state=None, power_state=power, **extra)


def run(conductor, guest_power=None, locks_busy=False):
    """One sync of host h1 whose fake driver runs UUID in ``guest_power`` (None: no guest)."""
    driver = fake.FakeDriver(host='h1')
    if guest_power is not None:
        driver.spawn(make_instance(UUID), {'id': 'img'}, '/images/img')
        driver.set_power_state({'uuid': UUID}, guest_power)
    instance_locks = locks.InstanceLocks()
    sync = power_sync.PowerSync('h1', driver, conductor, instance_locks)
    if not locks_busy:
        return sync.sync(CTXT)
    with instance_locks.hold(UUID):  # an action of this worker is running
        return sync.sync(CTXT)


@pytest.mark.parametrize('row,guest,expected', [
    (idle(), power_state.SHUTDOWN, {'vm_state': 'stopped', 'power_state': 4}),
    (idle(), power_state.CRASHED, {'vm_state': 'stopped', 'power_state': 6}),
    (idle(), None, {'vm_state': 'stopped', 'power_state': 0}),
    (idle('paused', power_state.PAUSED), power_state.SHUTDOWN,
     {'vm_state': 'stopped', 'power_state': 4}),
    # Only the power state is recorded: these do not mean the guest stopped.
    (idle(), power_state.PAUSED, {'power_state': 3}),
    (idle('stopped', power_state.SHUTDOWN), power_state.RUNNING, {'power_state': 1}),
    (idle('suspended'), power_state.SHUTDOWN, {'power_state': 4}),
    (idle('soft_deleted'), power_state.SHUTDOWN, {'power_state': 4}),
    (idle('error'), None, {'power_state': 0}),
])
def test_a_guest_that_changed_behind_our_back_is_recorded(row, guest, expected):
    conductor = Listings([row])
    assert run(conductor, guest) == [UUID]
    [(_, uuid, updates, expected_task, _fault)] = conductor.named('instance_update')
    assert (uuid, updates, expected_task) == (UUID, expected, None)


@pytest.mark.parametrize('row,guest', [
    (idle(), power_state.RUNNING),
    (idle('stopped', power_state.SHUTDOWN), power_state.SHUTDOWN),
    (idle('suspended', power_state.SHUTDOWN), power_state.SHUTDOWN),
    (idle('stopped', power_state.NOSTATE), None),
])
def test_nothing_is_written_when_the_database_is_right(row, guest):
    conductor = Listings([row])
    assert run(conductor, guest) == []
    assert conductor.named('instance_update') == []


def test_instances_with_a_task_or_a_busy_lock_are_skipped():
    busy_task = dict(idle(), task_state='powering-off')
    conductor = Listings([busy_task])
    assert run(conductor, power_state.SHUTDOWN) == []
    conductor = Listings([idle()])
    assert run(conductor, power_state.SHUTDOWN, locks_busy=True) == []
    assert conductor.named('instance_update') == []


def test_the_decision_is_made_on_a_fresh_row():
    # Listed ACTIVE, but a suspend finished before the sync took the lock.
    conductor = Listings([idle()], [idle('suspended', power_state.SHUTDOWN)])
    assert run(conductor, power_state.SHUTDOWN) == []
    assert conductor.named('instance_update') == []
    # Listed idle, but an action started meanwhile.
    conductor = Listings([idle()], [dict(idle(), task_state='powering-on')])
    assert run(conductor, power_state.SHUTDOWN) == []
    assert conductor.named('instance_update') == []


def test_a_racing_action_wins_the_compare_and_swap():
    conductor = Listings([idle()], update_error=exception.UnexpectedTaskState(
        expected='None', actual='powering-on'))
    assert run(conductor, power_state.SHUTDOWN) == []
    assert len(conductor.named('instance_update')) == 1


def test_one_failing_instance_does_not_stop_the_others():
    class Broken(fake.FakeDriver):
        def get_power_state(self, instance):
            if instance['uuid'] == 'bad':
                raise exception.VirtError(reason='hypervisor hiccup')
            return power_state.SHUTDOWN

    conductor = Listings([dict(idle(), uuid='bad'), idle()])
    sync = power_sync.PowerSync('h1', Broken(host='h1'), conductor, locks.InstanceLocks())
    assert sync.sync(CTXT) == [UUID]


@pytest.mark.parametrize('interval,expected', [(-1, None), (0, 60), (600, 600)])
def test_periodic_interval(interval, expected):
    conf = new_conf(register_messaging=False)
    conf.set_override('sync_power_state_interval', interval)

    class Manager:
        host, driver, conductor_api, locks = 'h1', None, None, None

    found = power_sync.tasks(conf, Manager(), CTXT)
    assert [t[0] for t in found] == ([] if expected is None else [expected])
