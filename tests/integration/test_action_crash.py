"""SIGKILL of the compute in the middle of each long action, then restart: the instance ends
consistent (the action completed, or a fault says why not) and no image stays 'saving'."""
import signal
import time

import pytest

from compute import states
from db import faults
from db import images
from db import instances
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration
# Every action waits 2 s in its transient state (and a snapshot 2 s in 'saving'): the window.
EXTRA = {('compute', 'debug_action_pause'): 2}
CASES = {
    'createImage': ({'createImage': {'name': 'crash-snap'}}, 'createImage'),
    'shelve': ({'shelve': None}, 'shelve'),
    'rescue': ({'rescue': None}, 'rescue'),
    'reboot': ({'reboot': {'type': 'SOFT'}}, 'reboot'),
    'reboot hard': ({'reboot': {'type': 'HARD'}}, 'reboot_hard'),
}


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url):
    yield from deployment_mod.running(tmp_path_factory.mktemp('crash'), vhost_url,
                                      conftest.free_port(), compute_hosts=1, extra=EXTRA)


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f'{what} after {timeout} s')
        time.sleep(0.05)


def _unfinished_images(db, server_id):
    return [i for i in images.list_(db, status=['queued', 'saving'])
            if (i.get('properties') or {}).get('instance_uuid') == server_id]


@pytest.mark.parametrize('case', list(CASES))
def test_sigkill_mid_action_then_restart(cloud, case):
    body, row_name = CASES[case]
    row = states.ACTIONS[row_name]
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
    db = cloud.db()
    server_id = demo.create_server(f'crash-{row_name}', cloud.image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'}, timeout=60)
    resp = demo.action(server_id, body)
    assert resp.status_code in (200, 202), resp.text
    _wait(lambda: instances.get(db, server_id)['task_state'] in row.working_states, 20,
          f'{case} never started')
    time.sleep(0.5)  # inside the 2 s window: the host is working on it now
    cloud.kill('compute-1', signal.SIGKILL)
    cloud.restart('compute-1')
    cloud.wait_ready()
    _wait(lambda: instances.get(db, server_id)['task_state'] is None, 60,
          f'{case}: task_state still set after the restart')
    after = instances.get(db, server_id)
    completed = after['vm_state'] == row.end(states.ACTIVE)
    fault = faults.latest(db, [server_id]).get(server_id)
    interrupted = fault is not None and 'interrupted' in fault['message']
    assert completed or interrupted, (after, fault)
    assert after['vm_state'] in (states.ACTIVE, states.STOPPED, states.RESCUED,
                                 states.SHELVED, states.SHELVED_OFFLOADED, states.ERROR)
    _wait(lambda: not _unfinished_images(db, server_id), 60,
          f'{case}: an image stayed queued/saving')
    # Whatever state it ended in, the user can carry on: delete works.
    demo.delete_all([server_id])
