"""A compute killed with SIGKILL during builds and restarted: nothing stays transient."""
import signal
import threading
import time

import pytest

from db import faults
from db import instances
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration


@pytest.fixture
def cloud(tmp_path, vhost_url):
    yield from deployment_mod.running(tmp_path, vhost_url, conftest.free_port(),
                                      node_vcpus=64, node_memory_mb=65536)


def test_sigkill_during_builds_then_restart(cloud):
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
    db = cloud.db()
    killed = threading.Event()

    def killer():
        # Kill compute-1 as soon as it has started building.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if instances.list_(db, {'host': 'compute-1', 'task_state': 'spawning'}):
                cloud.kill('compute-1', signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.001)

    thread = threading.Thread(target=killer)
    thread.start()
    ids = demo.boot_many('kill', cloud.image_id, 40)
    thread.join()
    assert killed.is_set(), 'compute-1 never started a build'
    time.sleep(1)
    cloud.restart('compute-1')
    servers = [demo.wait_status(i, {'ACTIVE', 'ERROR'}, timeout=120) for i in ids]
    fault_map = faults.latest(db, ids)
    for server in servers:
        row = instances.get(db, server['id'])
        assert row['task_state'] is None, row
        if server['status'] == 'ERROR':
            assert server['id'] in fault_map, f'{server["id"]} is ERROR without a fault'
    on_killed_host = [s for s in servers if instances.get(db, s['id'])['host'] == 'compute-1']
    assert on_killed_host, 'no build went to the killed host'
    demo.delete_all(ids)
