"""SIGKILL of the source or the destination compute in the middle of a resize, then restart:
the server runs again on its source with a fault that says why, the migration ends in
'error', and the claims are exact (only the instance's, on the source)."""
import signal
import time

import pytest

from compute import states
from db import allocations
from db import compute_nodes
from db import faults
from db import instance_migrations
from db import instances
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration
# Each side waits 2 s before its part of the move: the window for the kill.
EXTRA = {('compute', 'debug_action_pause'): 2}


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url):
    yield from deployment_mod.running(tmp_path_factory.mktemp('resize-crash'), vhost_url,
                                      conftest.free_port(), extra=EXTRA)


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f'{what} after {timeout} s')
        time.sleep(0.05)


@pytest.mark.parametrize('victim, task', [('source', states.RESIZE_MIGRATING),
                                          ('destination', states.RESIZE_MIGRATED)])
def test_sigkill_mid_resize_then_restart(cloud, victim, task):
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
    db = cloud.db()
    server_id = demo.create_server(f'crash-{victim}', cloud.image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'}, timeout=60)
    source = instances.get(db, server_id)['host']
    dest = next(h for h in cloud.hosts if h != source)
    demo.act(server_id, {'resize': {'flavorRef': '1'}})
    _wait(lambda: instances.get(db, server_id)['task_state'] == task, 30,
          f'the resize never reached {task}')
    time.sleep(0.5)     # inside the 2 s window: that host is at work on it now
    killed = source if victim == 'source' else dest
    cloud.kill(killed, signal.SIGKILL)
    cloud.restart(killed)
    cloud.wait_ready()
    _wait(lambda: instances.get(db, server_id)['task_state'] is None, 60,
          f'task_state still set after the {victim} restarted')
    after = instances.get(db, server_id)
    assert (after['host'], after['vm_state'], after['flavor']['flavorid']) == (
        source, states.ACTIVE, '42'), after
    fault = faults.latest(db, [server_id]).get(server_id)
    assert fault and 'interrupted' in fault['message'], fault
    [migration] = instance_migrations.list_(db, instance_uuid=server_id)
    assert migration['status'] == 'error'
    assert allocations.get(db, migration['uuid']) is None
    node = compute_nodes.list_(db, host=source)[0]
    assert allocations.get(db, server_id)['node_id'] == node['id']
    assert compute_nodes.list_(db, host=dest)[0]['running_vms'] == 0
    demo.act(server_id, {'resize': {'flavorRef': '1'}})      # it can move again
    demo.wait_status(server_id, {'VERIFY_RESIZE'}, timeout=60)
    demo.delete_all([server_id])
