"""Power actions through the API: reboot, stop/start, pause, suspend, resetState, power sync.

Each action is checked end to end: its state change, the disk's bytes (qemu-io),
the instance action with its api_ and compute_ events, and the versioned
notifications; plus 409 from every state the action may not start from, 409
on a locked server, and 404 for another project.
"""
import os

import pytest

from compute import power_sync
from rpc import context as context_mod
from tests.functional import disks
from tests.functional.actions import events_succeeded
from tests.functional.actions import manager_of
from tests.functional.actions import outside
from tests.functional.actions import refused
from tests.functional.actions import refused_in
from tests.functional.actions import run_action
from tests.functional.client import SERVERS as S

# Where each action may start (Nova's API preconditions), written out independently
# of compute/states.py so the test catches a wrong row.
ALLOWED = {
    'reboot-soft': ('active',),
    'reboot-hard': ('active', 'stopped', 'paused', 'suspended', 'error'),
    'os-stop': ('active', 'error'),
    'os-start': ('stopped',),
    'pause': ('active',),
    'unpause': ('paused',),
    'suspend': ('active',),
    'resume': ('suspended',),
    'restore': ('soft_deleted',),
}
BODIES = {
    'reboot-soft': {'reboot': {'type': 'SOFT'}},
    'reboot-hard': {'reboot': {'type': 'HARD'}},
    'os-stop': {'os-stop': None}, 'os-start': {'os-start': None},
    'pause': {'pause': None}, 'unpause': {'unpause': None},
    'suspend': {'suspend': None}, 'resume': {'resume': None},
    'restore': {'restore': None}, 'forceDelete': {'forceDelete': None},
}


@pytest.fixture
def server(demo, image_id):
    with demo.booted('power', image_id) as server_id:
        yield server_id


def test_stop_then_start_keeps_the_disk(cloud, demo, server, collector):
    path = disks.disk_path(cloud, server)
    disks.write_pattern(path, 0xA5)
    stopped = run_action(demo, server, {'os-stop': None}, 'stop', 'stop_instance', 'SHUTOFF',
                         collector, 'power_off')
    assert stopped['OS-EXT-STS:power_state'] == 4
    started = run_action(demo, server, {'os-start': None}, 'start', 'start_instance',
                         'ACTIVE', collector, 'power_on')
    assert started['OS-EXT-STS:task_state'] is None
    assert started['OS-EXT-STS:power_state'] == 1
    assert disks.has_pattern(disks.disk_path(cloud, server), 0xA5)
    events = demo.get(f'{S}/{server}/os-instance-actions').json()
    assert [a['action'] for a in events['instanceActions']][:2] == ['start', 'stop']


def test_soft_and_hard_reboot_keep_the_disk(cloud, demo, server, collector):
    path = disks.disk_path(cloud, server)
    disks.write_pattern(path, 0x5A)
    for kind in ('SOFT', 'HARD'):
        shown = run_action(demo, server, {'reboot': {'type': kind}}, 'reboot',
                           'reboot_instance', 'ACTIVE', collector, 'reboot')
        assert shown['OS-EXT-STS:power_state'] == 1
        assert disks.has_pattern(disks.disk_path(cloud, server), 0x5A)
    for bad in ({'type': 'WARM'}, {}, None, {'type': 'HARD', 'x': 1}):
        assert demo.action(server, {'reboot': bad}).status_code == 400


def test_hard_reboot_recreates_a_deleted_disk_from_the_image(cloud, demo, server):
    path = disks.disk_path(cloud, server)
    disks.write_pattern(path, 0x3C)
    os.unlink(path)
    run_action(demo, server, {'reboot': {'type': 'hard'}}, 'reboot', 'reboot_instance',
               'ACTIVE')
    assert os.path.exists(path)
    # A fresh overlay on the image: the bytes written before are gone, the disk reads.
    assert not disks.has_pattern(path, 0x3C)
    assert disks.has_pattern(path, 0x00)


@pytest.mark.parametrize('body, action, method, status', [
    ({'os-stop': None}, 'stop', 'stop_instance', 'SHUTOFF'),
    ({'suspend': None}, 'suspend', 'suspend_instance', 'SUSPENDED'),
], ids=['stopped', 'suspended'])
def test_hard_reboot_of_a_stopped_or_suspended_server_runs_it(demo, server, body, action,
                                                              method, status):
    run_action(demo, server, body, action, method, status)
    shown = run_action(demo, server, {'reboot': {'type': 'HARD'}}, 'reboot',
                       'reboot_instance', 'ACTIVE')
    assert shown['OS-EXT-STS:power_state'] == 1


def test_pause_and_unpause(demo, server, collector):
    paused = run_action(demo, server, {'pause': None}, 'pause', 'pause_instance', 'PAUSED',
                        collector, 'pause')
    assert paused['OS-EXT-STS:power_state'] == 3
    unpaused = run_action(demo, server, {'unpause': None}, 'unpause', 'unpause_instance',
                          'ACTIVE', collector, 'unpause')
    assert unpaused['OS-EXT-STS:power_state'] == 1


def test_suspend_and_resume_keep_the_disk(cloud, demo, server, collector):
    disks.write_pattern(disks.disk_path(cloud, server), 0xC3)
    suspended = run_action(demo, server, {'suspend': None}, 'suspend', 'suspend_instance',
                           'SUSPENDED', collector, 'suspend')
    assert suspended['OS-EXT-STS:power_state'] == 4
    resumed = run_action(demo, server, {'resume': None}, 'resume', 'resume_instance',
                         'ACTIVE', collector, 'resume')
    assert resumed['OS-EXT-STS:power_state'] == 1
    assert disks.has_pattern(disks.disk_path(cloud, server), 0xC3)


def test_reset_state_is_admin_only_and_database_only(admin, demo, server):
    assert demo.action(server, {'os-resetState': {'state': 'error'}}).status_code == 403
    assert admin.action(server, {'os-resetState': {'state': 'stopped'}}).status_code == 400
    assert admin.action(server, {'os-resetState': None}).status_code == 400
    request_id = admin.accepted(server, {'os-resetState': {'state': 'error'}})
    shown = admin.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ERROR', None)
    # Only the database changed: the guest still runs.
    assert shown['OS-EXT-STS:power_state'] == 1
    events_succeeded(admin, server, request_id, 'resetState', ['api_resetState'])
    admin.accepted(server, {'os-resetState': {'state': 'active'}})
    assert admin.server(server)['status'] == 'ACTIVE'


def test_each_disallowed_state_is_409(cloud, demo, server):
    for name, allowed in ALLOWED.items():
        refused_in(cloud, demo, server, BODIES[name], outside(allowed))
    # Another task in progress: only a hard reboot may interrupt a stuck pause.
    for name, allowed in ALLOWED.items():
        if name != 'reboot-hard' and 'active' in allowed:
            refused_in(cloud, demo, server, BODIES[name], ['active'], task_state='pausing')
    refused_in(cloud, demo, server, BODIES['reboot-hard'], ['active'],
               task_state='powering-off')
    assert demo.server(server)['status'] == 'ACTIVE'


def test_locked_server_refuses_its_owner_and_other_projects_see_404(admin, demo, alt,
                                                                       server):
    for name, body in BODIES.items():
        assert alt.action(server, body).status_code == 404, name
    assert alt.action(server, {'os-resetState': {'state': 'error'}}).status_code == 404
    demo.accepted(server, {'lock': None})
    for name, body in BODIES.items():
        assert 'locked' in refused(demo, server, body), name
    # An admin acts on a locked server.
    run_action(admin, server, {'pause': None}, 'pause', 'pause_instance', 'PAUSED')
    run_action(admin, server, {'unpause': None}, 'unpause', 'unpause_instance', 'ACTIVE')


def _sync(cloud, server_id):
    manager = manager_of(cloud, server_id)
    sync = power_sync.PowerSync(manager.host, manager.driver, manager.conductor_api,
                                manager.locks)
    return manager, sync.sync(context_mod.admin_context())


def test_power_sync_reflects_a_guest_stopped_or_gone_behind_our_back(cloud, demo, server):
    manager, changed = _sync(cloud, server)
    assert server not in changed  # nothing to do while the guest runs as recorded
    dom = manager.driver._conn().lookupByUUIDString(server)
    dom.suspend()  # paused by someone else: recorded, the server stays ACTIVE
    assert server in _sync(cloud, server)[1]
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:power_state']) == ('ACTIVE', 3)
    dom.resume()
    dom.destroy()
    assert server in _sync(cloud, server)[1]
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:power_state']) == ('SHUTOFF', 4)
    run_action(demo, server, {'os-start': None}, 'start', 'start_instance', 'ACTIVE')
    manager.driver._conn().lookupByUUIDString(server).destroy()
    manager.driver._conn().lookupByUUIDString(server).undefine()
    assert server in _sync(cloud, server)[1]
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:power_state']) == ('SHUTOFF', 0)
    # Starting it again writes the domain afresh from the database's view.
    started = run_action(demo, server, {'os-start': None}, 'start', 'start_instance',
                         'ACTIVE')
    assert started['OS-EXT-STS:power_state'] == 1
