"""Two schedulers race for room for 60 servers: exactly 60 ACTIVE, the rest ERROR, no overcommit."""
import pytest

from db import allocations
from db import compute_nodes
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration

ROOM_PER_HOST = 30


@pytest.fixture
def cloud(tmp_path, vhost_url):
    # Cores are the only limit: 30 vCPUs per host, no overcommit, 1 vCPU per server.
    extra = {('compute', 'cpu_allocation_ratio'): 1.0,
             ('compute', 'ram_allocation_ratio'): 4.0}
    yield from deployment_mod.running(tmp_path, vhost_url, conftest.free_port(), schedulers=2,
                                      node_vcpus=ROOM_PER_HOST, node_memory_mb=16384,
                                      extra=extra)


def test_hundred_boots_against_room_for_sixty(cloud):
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
    ids = demo.boot_many('cap', cloud.image_id, 100, workers=50)
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
    demo.delete_all(ids)
    assert all(n['vcpus_used'] == 0 for n in compute_nodes.list_(db))
