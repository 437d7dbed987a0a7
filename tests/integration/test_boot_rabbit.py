"""Separate processes over a real RabbitMQ: concurrent boots reach ACTIVE and deletes clean up."""
import concurrent.futures
import os

import pytest

from compute import rpcapi as compute_rpcapi
from conf import new_conf
from db import allocations
from db import instances
from image import qemu_img
from rpc import context as context_mod
from rpc import transport as transport_mod
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration


@pytest.fixture
def cloud(tmp_path, vhost_url):
    dep = deployment_mod.Deployment(tmp_path / 'cloud', vhost_url, conftest.free_port())
    seed(dep, tmp_path)
    dep.start()
    yield dep
    dep.stop()


def seed(dep, tmp_path):
    base = tmp_path / 'tiny.qcow2'
    qemu_img.create_blank(str(base), 16 * 2 ** 20)
    dep.manage('db', 'sync')
    dep.manage('flavor', 'create', 'm1.nano', '--id', '42', '--ram', '128', '--vcpus', '1',
               '--disk', '1')
    dep.image_id = dep.manage('image', 'import', str(base), '--name', 'stratus-tiny',
                              '--public').split()[0]


def guests(dep, host):
    conf = new_conf()
    conf.set_override('transport_url', dep.transport_url)
    transport = transport_mod.get_transport(conf)
    try:
        return {g['uuid']: g['power_state'] for g in compute_rpcapi.ComputeAPI(
            conf, transport).list_guests(context_mod.admin_context(), host)}
    finally:
        transport.cleanup()


def test_twenty_concurrent_boots_and_deletes(cloud):
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')

    def boot(n):
        resp = demo.create_server(f'rmq-{n}', cloud.image_id)
        assert resp.status_code == 202, resp.text
        return resp.json()['server']['id']

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(boot, range(20)))
    servers = [demo.wait_status(i, {'ACTIVE', 'ERROR'}, timeout=120) for i in ids]
    assert [s['status'] for s in servers] == ['ACTIVE'] * 20, [s.get('fault') for s in servers]
    db = cloud.db()
    hosts = {i: instances.get(db, i)['host'] for i in ids}
    assert set(hosts.values()) == {'compute-1', 'compute-2'}
    running = {h: guests(cloud, h) for h in cloud.hosts}
    for server_id, host in hosts.items():
        assert running[host].get(server_id) == 1, f'{server_id} not running on {host}'
        assert os.path.exists(os.path.join(cloud.root, 'instances', host, server_id, 'disk'))

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda i: demo.delete(f'/compute/v2.1/servers/{i}').status_code,
                              ids))
    assert codes == [204] * 20
    for server_id in ids:
        demo.wait_status(server_id, {'DELETED'}, timeout=60)
    for host in cloud.hosts:
        assert not set(guests(cloud, host)) & set(ids)
    for server_id, host in hosts.items():
        assert not os.path.exists(os.path.join(cloud.root, 'instances', host, server_id))
        assert instances.get(db, server_id, read_deleted=True)['deleted']
        assert allocations.get(db, server_id) is None
