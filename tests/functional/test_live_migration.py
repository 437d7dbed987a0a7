"""Live migration refused through the API: on libvirt's test driver (409, nothing left
behind), to non-admins (403), for bad bodies (400) and outside ACTIVE/PAUSED (409);
and the migration lists' views. The whole flow is in test_live_migration_flow.py."""
import pytest

from db import instances
from tests.functional import actions
from tests.functional.client import SERVERS
from tests.functional.live_migration import FAKE_HOSTS
from tests.functional.live_migration import MIGRATIONS
from tests.functional.live_migration import live
from tests.functional.live_migration import migrations_of

LIVE = live()


@pytest.fixture(scope='module')
def server_id(cloud, admin, image_id):
    """An ACTIVE server of admin's on a test-driver host."""
    with admin.booted('lm-testdriver', image_id) as found:
        assert instances.get(cloud.db, found)['host'] not in FAKE_HOSTS
        yield found


# -- refusals on the test driver ------------------------------------------------------
def test_test_driver_refuses_with_409_and_leaves_nothing(cloud, admin, server_id):
    before = instances.get(cloud.db, server_id)
    for body in (LIVE, live(host='compute-2' if before['host'] == 'compute-1'
                            else 'compute-1')):
        message = actions.refused(admin, server_id, body)
        assert message == (f'Compute host {before["host"]} cannot live-migrate: its '
                           'hypervisor (libvirt test:/// driver) does not support it.')
    after = instances.get(cloud.db, server_id)
    assert (after['host'], after['node'], after['vm_state'], after['task_state']) == (
        before['host'], before['node'], 'active', None)
    assert migrations_of(admin, server_id) == []
    listed = admin.get(f'{SERVERS}/{server_id}/os-instance-actions').json()
    assert [a['action'] for a in listed['instanceActions']] == ['create']


def test_non_admin_is_forbidden(demo, image_id):
    with demo.booted('lm-demo', image_id) as server_id:
        resp = demo.action(server_id, LIVE, version='2.30')
        assert resp.status_code == 403, resp.text
        assert 'os-migrate-server:migrate_live' in resp.json()['forbidden']['message']


@pytest.mark.parametrize('body, version', [
    ({'os-migrateLive': {'block_migration': 'auto'}}, '2.30'),          # host is required
    ({'os-migrateLive': {'host': None}}, '2.30'),                      # block_migration too
    (live(block='maybe'), '2.30'),
    (live(host=''), '2.30'),
    (live(force=True), '2.68'),                                        # force left in 2.68
    (live(disk_over_commit=False), '2.30'),                            # gone since 2.25
    (live(), '2.24'),                                                  # 'auto' came in 2.25
    (live(block=False), '2.24'),                                       # disk_over_commit needed
    ({'os-migrateLive': None}, '2.30'),
])
def test_bad_bodies_are_400(admin, server_id, body, version):
    resp = admin.action(server_id, body, version=version)
    assert resp.status_code == 400, (body, resp.text)


def test_old_microversion_body_is_accepted_until_the_host_check(admin, server_id):
    """disk_over_commit before 2.25 is accepted (and ignored): the refusal that comes
    is the test driver's 409, not a 400."""
    body = live(block=False, disk_over_commit=False)
    resp = admin.action(server_id, body, version='2.24')
    assert resp.status_code == 409, resp.text


def test_only_active_or_paused_and_idle(cloud, admin, server_id):
    actions.refused_elsewhere(cloud, admin, server_id, LIVE, ('active', 'paused'))


def test_stopped_server_is_409(admin, server_id):
    admin.accepted(server_id, {'os-stop': None})
    admin.wait_status(server_id, {'SHUTOFF'})
    try:
        assert 'vm_state stopped' in actions.refused(admin, server_id, LIVE)
    finally:
        admin.accepted(server_id, {'os-start': None})
        admin.wait_status(server_id, {'ACTIVE'})
