"""Power actions through the API: reboot, stop/start, pause, suspend, resetState, power sync.

Each action is checked end to end: its state change, the disk's bytes (qemu-io),
the instance action with its api_ and compute_ events, and the versioned
notifications; plus 409 from every state the action may not start from, 409
on a locked server, and 404 for another project.
"""
import os
import time

import pytest

from compute import power_sync
from db import instances
from rpc import context as context_mod
from tests.functional import disks
from tests.functional.test_notifications import collector  # noqa: F401 - a fixture

S = '/compute/v2.1/servers'
ALL_VM_STATES = ('building', 'active', 'stopped', 'paused', 'suspended', 'resized',
                 'rescued', 'shelved', 'shelved_offloaded', 'soft_deleted', 'error')
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
    server_id = demo.create_server('power', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    yield server_id
    demo.action(server_id, {'unlock': None})
    demo.delete_all([server_id])


def accepted(client, server_id, body):
    """POST the action, expect 202; the request id it was recorded under."""
    resp = client.action(server_id, body)
    assert resp.status_code == 202, resp.text
    return resp.headers['X-OpenStack-Request-Id']


def wait_events(client, server_id, request_id, action, events, timeout=30):
    """Wait until the instance action of ``request_id`` has every event, all Success."""
    deadline = time.monotonic() + timeout
    while True:
        resp = client.get(f'{S}/{server_id}/os-instance-actions/{request_id}')
        assert resp.status_code == 200, resp.text
        found = resp.json()['instanceAction']
        done = {e['event']: e['result'] for e in found['events'] if e['finish_time']}
        if set(events) <= set(done) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert found['action'] == action
    assert {name: done.get(name) for name in events} == {name: 'Success' for name in events}


def run_action(client, server_id, body, action, method, status, collector=None, notify=None):
    """Carry out one action to ``status`` and check its record and notifications."""
    def _kinds():
        return [e[0] for e in collector.events[server_id][seen:]]

    seen = len(collector.events[server_id]) if collector is not None else 0
    request_id = accepted(client, server_id, body)
    shown = client.wait_status(server_id, {status})
    wait_events(client, server_id, request_id, action, [f'api_{action}', f'compute_{method}'])
    if collector is not None:
        with collector.cond:
            collector.cond.wait_for(lambda: f'instance.{notify}.end' in _kinds(), 30)
        # This action's own pair, in order, after what earlier actions sent.
        assert [k for k in _kinds() if k.startswith(f'instance.{notify}.')][:2] == [
            f'instance.{notify}.start', f'instance.{notify}.end']
    assert client.wait_idle(server_id)['status'] == status
    return shown


def test_stop_then_start_keeps_the_disk(cloud, demo, server, collector):  # noqa: F811
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


def test_soft_and_hard_reboot_keep_the_disk(cloud, demo, server, collector):  # noqa: F811
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


def test_hard_reboot_of_a_stopped_server_starts_it(demo, server):
    run_action(demo, server, {'os-stop': None}, 'stop', 'stop_instance', 'SHUTOFF')
    shown = run_action(demo, server, {'reboot': {'type': 'HARD'}}, 'reboot',
                       'reboot_instance', 'ACTIVE')
    assert shown['OS-EXT-STS:power_state'] == 1


def test_pause_and_unpause(demo, server, collector):  # noqa: F811
    paused = run_action(demo, server, {'pause': None}, 'pause', 'pause_instance', 'PAUSED',
                        collector, 'pause')
    assert paused['OS-EXT-STS:power_state'] == 3
    unpaused = run_action(demo, server, {'unpause': None}, 'unpause', 'unpause_instance',
                          'ACTIVE', collector, 'unpause')
    assert unpaused['OS-EXT-STS:power_state'] == 1


def test_suspend_and_resume_keep_the_disk(cloud, demo, server, collector):  # noqa: F811
    disks.write_pattern(disks.disk_path(cloud, server), 0xC3)
    suspended = run_action(demo, server, {'suspend': None}, 'suspend', 'suspend_instance',
                           'SUSPENDED', collector, 'suspend')
    assert suspended['OS-EXT-STS:power_state'] == 4
    resumed = run_action(demo, server, {'resume': None}, 'resume', 'resume_instance',
                         'ACTIVE', collector, 'resume')
    assert resumed['OS-EXT-STS:power_state'] == 1
    assert disks.has_pattern(disks.disk_path(cloud, server), 0xC3)


def test_hard_reboot_of_a_suspended_server_runs_it(demo, server):
    run_action(demo, server, {'suspend': None}, 'suspend', 'suspend_instance', 'SUSPENDED')
    shown = run_action(demo, server, {'reboot': {'type': 'HARD'}}, 'reboot',
                       'reboot_instance', 'ACTIVE')
    assert shown['OS-EXT-STS:power_state'] == 1


def test_reset_state_is_admin_only_and_database_only(admin, demo, server):
    assert demo.action(server, {'os-resetState': {'state': 'error'}}).status_code == 403
    assert admin.action(server, {'os-resetState': {'state': 'stopped'}}).status_code == 400
    assert admin.action(server, {'os-resetState': None}).status_code == 400
    request_id = accepted(admin, server, {'os-resetState': {'state': 'error'}})
    shown = admin.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ERROR', None)
    # Only the database changed: the guest still runs.
    assert shown['OS-EXT-STS:power_state'] == 1
    wait_events(admin, server, request_id, 'resetState', ['api_resetState'])
    accepted(admin, server, {'os-resetState': {'state': 'active'}})
    assert admin.server(server)['status'] == 'ACTIVE'


def _refused(client, server_id, name):
    resp = client.action(server_id, BODIES[name])
    assert resp.status_code == 409, (name, resp.status_code, resp.text)
    return resp.json()['conflictingRequest']['message']


def test_each_disallowed_state_is_409(cloud, demo, server):
    try:
        for vm_state in ALL_VM_STATES:
            instances.update(cloud.db, server, {'vm_state': vm_state})
            for name, allowed in ALLOWED.items():
                if vm_state not in allowed:
                    assert vm_state in _refused(demo, server, name)
        # Another task in progress: only a hard reboot may interrupt a stuck pause.
        instances.update(cloud.db, server, {'vm_state': 'active', 'task_state': 'pausing'})
        for name, allowed in ALLOWED.items():
            if name != 'reboot-hard' and 'active' in allowed:
                assert 'task_state pausing' in _refused(demo, server, name)
        instances.update(cloud.db, server, {'task_state': 'powering-off'})
        assert 'task_state powering-off' in _refused(demo, server, 'reboot-hard')
    finally:
        instances.update(cloud.db, server, {'vm_state': 'active', 'task_state': None})
    assert demo.server(server)['status'] == 'ACTIVE'


def test_locked_server_refuses_its_owner_and_other_projects_see_404(admin, demo, alt,
                                                                       server):
    for name, body in BODIES.items():
        assert alt.action(server, body).status_code == 404, name
    assert alt.action(server, {'os-resetState': {'state': 'error'}}).status_code == 404
    accepted(demo, server, {'lock': None})
    for name in BODIES:
        assert 'locked' in _refused(demo, server, name)
    # An admin acts on a locked server.
    run_action(admin, server, {'pause': None}, 'pause', 'pause_instance', 'PAUSED')
    run_action(admin, server, {'unpause': None}, 'unpause', 'unpause_instance', 'ACTIVE')


def _sync(cloud, server_id):
    manager = cloud.computes[instances.get(cloud.db, server_id)['host']].manager
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
