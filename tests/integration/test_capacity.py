"""Two schedulers race for room for 60 servers: exactly 60 ACTIVE, the rest ERROR, no overcommit."""
import concurrent.futures

import pytest

from db import allocations
from db import compute_nodes
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod
from tests.integration import test_boot_rabbit

pytestmark = pytest.mark.integration

ROOM_PER_HOST = 30


@pytest.fixture
def cloud(tmp_path, vhost_url):
    # Cores are the only limit: 30 vCPUs per host, no overcommit, 1 vCPU per server.
    extra = {('compute', 'cpu_allocation_ratio'): 1.0,
             ('compute', 'ram_allocation_ratio'): 4.0}
    dep = deployment_mod.Deployment(tmp_path / 'cloud', vhost_url, conftest.free_port(),
                                    schedulers=2, node_vcpus=ROOM_PER_HOST,
                                    node_memory_mb=16384, extra=extra)
    test_boot_rabbit.seed(dep, tmp_path)
    dep.start()
    yield dep
    dep.stop()


def test_hundred_boots_against_room_for_sixty(cloud):
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')

    def boot(n):
        resp = demo.create_server(f'cap-{n}', cloud.image_id)
        assert resp.status_code == 202, resp.text
        return resp.json()['server']['id']

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        ids = list(pool.map(boot, range(100)))
    servers = [demo.wait_status(i, {'ACTIVE', 'ERROR'}, timeout=180) for i in ids]
    statuses = [s['status'] for s in servers]
    assert statuses.count('ACTIVE') == 60, statuses
    assert statuses.count('ERROR') == 40
    for server in servers:
        if server['status'] == 'ERROR':
            assert 'No valid host' in server['fault']['message']
    db = cloud.db()
    for node in compute_nodes.list_(db):
        assert node['vcpus_used'] == ROOM_PER_HOST, node
        held = allocations.list_for_node(db, node['id'])
        assert len(held) == ROOM_PER_HOST
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        list(pool.map(lambda i: demo.delete(f'/compute/v2.1/servers/{i}'), ids))
    for server_id in ids:
        demo.wait_status(server_id, {'DELETED'}, timeout=120)
    assert all(n['vcpus_used'] == 0 for n in compute_nodes.list_(db))
