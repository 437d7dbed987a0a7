"""Separate processes over a real RabbitMQ: concurrent boots reach ACTIVE and deletes clean up."""
import os

import pytest

from compute import rpcapi as compute_rpcapi
from conf import new_conf
from db import allocations
from db import instances
from rpc import context as context_mod
from rpc import transport as transport_mod
from tests.functional import client as client_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url):
    yield from deployment_mod.running(tmp_path_factory.mktemp('rabbit'), vhost_url,
                                      conftest.free_port())


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
    ids = demo.boot_many('rmq', cloud.image_id, 20, workers=20)
    servers = [demo.wait_status(i, {'ACTIVE', 'ERROR'}, timeout=120) for i in ids]
    assert [s['status'] for s in servers] == ['ACTIVE'] * 20, [s.get('fault') for s in servers]
    db = cloud.db()
    hosts = {i: instances.get(db, i)['host'] for i in ids}
    assert set(hosts.values()) == {'compute-1', 'compute-2'}
    running = {h: guests(cloud, h) for h in cloud.hosts}
    for server_id, host in hosts.items():
        assert running[host].get(server_id) == 1, f'{server_id} not running on {host}'
        assert os.path.exists(os.path.join(cloud.root, 'instances', host, server_id, 'disk'))

    assert demo.delete_all(ids, workers=20) == [204] * 20
    for host in cloud.hosts:
        assert not set(guests(cloud, host)) & set(ids)
    for server_id, host in hosts.items():
        assert not os.path.exists(os.path.join(cloud.root, 'instances', host, server_id))
        assert instances.get(db, server_id, read_deleted=True)['deleted']
        assert allocations.get(db, server_id) is None


def test_openstacksdk_flow_over_rabbitmq(cloud):
    from tests.functional import test_sdk
    conn = test_sdk.connect(cloud, 'demo', 'demopw', 'demo')
    flavor = conn.compute.find_flavor('m1.nano')
    server = conn.compute.create_server(name='sdk-rmq', flavor_id=flavor.id,
                                        image_id=cloud.image_id, networks='none')
    server = conn.compute.wait_for_server(server, status='ACTIVE', interval=0.2, wait=60)
    assert server.id in [s.id for s in conn.compute.servers()]
    assert conn.compute.get_server(server.id).status == 'ACTIVE'
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.2, wait=60)


def test_request_id_on_every_hop_and_no_secret_in_logs(cloud):
    import json
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
    resp = demo.create_server('traced', cloud.image_id)
    request_id = resp.headers['X-OpenStack-Request-Id']
    server_id = resp.json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    demo.delete(f'/compute/v2.1/servers/{server_id}')
    demo.wait_status(server_id, {'DELETED'})
    lines = [json.loads(line) for line in cloud.logs() if line.startswith('{')]
    services_seen = {entry['service'] for entry in lines if entry['request_id'] == request_id}
    assert {'api', 'conductor', 'scheduler', 'compute'} <= services_seen, services_seen
    text = ''.join(cloud.logs())
    assert demo.token not in text
    assert 'demopw' not in text and 'adminpw' not in text


def test_stratus_rpc_ping(cloud):
    import subprocess
    import sys

    def ping(*args):
        return subprocess.run([sys.executable, '-m', 'rpc.cli', '--config-file', cloud.conf_path,
                               'ping', *args], cwd=deployment_mod.REPO, capture_output=True,
                              text=True, timeout=60)

    found = ping('compute', '--host', 'compute-2')
    assert found.returncode == 0, found.stderr
    assert 'compute on compute-2' in found.stdout and 'answered in' in found.stdout
    assert ping('conductor').returncode == 0
    missing = ping('compute', '--host', 'no-such-host', '--timeout', '1')
    assert missing.returncode == 1
    assert 'no compute on no-such-host answered within 1 s' in missing.stderr
