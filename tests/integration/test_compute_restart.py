"""A compute killed with SIGKILL during builds and restarted: nothing stays transient."""
import concurrent.futures
import signal
import threading
import time

import pytest

from db import faults
from db import instances
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod
from tests.integration import test_boot_rabbit

pytestmark = pytest.mark.integration


@pytest.fixture
def cloud(tmp_path, vhost_url):
    dep = deployment_mod.Deployment(tmp_path / 'cloud', vhost_url, conftest.free_port(),
                                    node_vcpus=64, node_memory_mb=65536)
    test_boot_rabbit.seed(dep, tmp_path)
    dep.start()
    yield dep
    dep.stop()


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
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(lambda n: demo.create_server(f'kill-{n}', cloud.image_id)
                            .json()['server']['id'], range(40)))
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
    for server_id in ids:
        demo.delete(f'/compute/v2.1/servers/{server_id}')
    for server_id in ids:
        demo.wait_status(server_id, {'DELETED'}, timeout=120)
