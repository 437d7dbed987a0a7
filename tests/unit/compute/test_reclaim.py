"""The periodic reclaim of soft-deleted instances, with the manager's real delete on a fake driver."""
import datetime

import pytest

from common import exception
from common import timeutils
from compute import reclaim
from conf import new_conf
from tests.unit.compute.test_manager import CTXT
from tests.unit.compute.test_manager import IMAGE
from tests.unit.compute.test_manager import instance as make_instance
from tests.unit.compute.test_manager import make
from tests.unit.compute.test_power_sync import Listings

UUID = '55555555-5555-5555-5555-555555555555'


def ago(seconds):
    return (timeutils.utcnow() - datetime.timedelta(seconds=seconds)).isoformat()


def soft_deleted(age=7200, **extra):
    return make_instance(UUID, vm_state='soft_deleted', task_state=None,
                         deleted_at=ago(age), **extra)


def reclaimer(conductor, interval=3600):
    """A Reclaimer over a manager whose fake driver runs the guest UUID."""
    manager, driver = make(conductor)
    driver.spawn(make_instance(UUID), IMAGE, '/images/img')
    conf = new_conf(register_messaging=False)
    conf.set_override('reclaim_instance_interval', interval)
    return reclaim.Reclaimer(conf, 'h1', conductor, manager.locks,
                             manager.terminate_instance), driver


def test_an_old_soft_deleted_instance_is_claimed_then_deleted():
    conductor = Listings([soft_deleted()])
    found, driver = reclaimer(conductor)
    assert found.reclaim(CTXT) == [UUID]
    [(_, uuid, updates, expected, _fault)] = conductor.named('instance_update')
    assert (uuid, updates, expected) == (UUID, {'task_state': 'deleting'}, None)
    assert conductor.named('instance_destroyed') == [('instance_destroyed', UUID)]
    assert driver.list_instance_uuids() == []


@pytest.mark.parametrize('row,interval', [
    (soft_deleted(age=60), 3600),                      # not old enough
    (soft_deleted(), 0),                               # deferred delete is off
    (dict(soft_deleted(), task_state='restoring'), 3600),
    (dict(soft_deleted(), vm_state='active'), 3600),
])
def test_what_is_not_due_stays(row, interval):
    conductor = Listings([row])
    found, driver = reclaimer(conductor, interval)
    assert found.reclaim(CTXT) == []
    assert conductor.named('instance_update') == []
    assert driver.list_instance_uuids() == [UUID]


def test_the_last_change_counts_without_deleted_at():
    row = dict(soft_deleted(), deleted_at=None, updated_at=ago(7200))
    found, _driver = reclaimer(Listings([row]))
    assert found.reclaim(CTXT) == [UUID]


def test_a_busy_instance_is_left_for_the_next_run():
    conductor = Listings([soft_deleted()])
    found, driver = reclaimer(conductor)
    with found.locks.hold(UUID):
        assert found.reclaim(CTXT) == []
    assert driver.list_instance_uuids() == [UUID]


def test_a_restore_that_finished_meanwhile_wins():
    conductor = Listings([soft_deleted()], [dict(soft_deleted(), vm_state='active')])
    found, driver = reclaimer(conductor)
    assert found.reclaim(CTXT) == []
    assert driver.list_instance_uuids() == [UUID]


def test_a_restore_that_started_meanwhile_wins_the_compare_and_swap():
    conductor = Listings([soft_deleted()], update_error=exception.UnexpectedTaskState(
        expected='None', actual='restoring'))
    found, driver = reclaimer(conductor)
    assert found.reclaim(CTXT) == []
    assert conductor.named('instance_destroyed') == []
    assert driver.list_instance_uuids() == [UUID]


def test_the_periodic_entry_uses_the_poll_interval():
    conf = new_conf(register_messaging=False)
    conf.set_override('reclaim_poll_interval', 7)
    manager, _driver = make(Listings([]))
    [(interval, name, func)] = reclaim.tasks(conf, manager, CTXT)
    assert (interval, name) == (7, 'reclaim_queued_deletes')
    assert func() == []  # reclaim_instance_interval is 0 by default: nothing to do
