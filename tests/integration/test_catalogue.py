"""One server through every lifecycle action in separate processes over RabbitMQ: once over
HTTP, once with the unmodified `openstack` CLI; both leave a complete instance-action record."""
import pytest

from tests.functional import client as client_mod
from tests.integration import catalogue
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration
EXTRA = {('DEFAULT', 'reclaim_instance_interval'): 3600,
         ('DEFAULT', 'shelved_offload_time'): -1}


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url):
    yield from deployment_mod.running(tmp_path_factory.mktemp('catalogue'), vhost_url,
                                      conftest.free_port(), extra=EXTRA)


@pytest.fixture(scope='module')
def clients(cloud):
    admin = client_mod.Client(cloud.url, 'admin', 'adminpw', 'admin')
    demo = client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
    catalogue.agent_image(admin, cloud.image_id)
    return admin, demo


def _boot(demo, image_id, name):
    server_id = demo.create_server(name, image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'}, timeout=120)
    return server_id


def _recorded(admin, server_id):
    actions = admin.get(f'/compute/v2.1/servers/{server_id}/os-instance-actions',
                        headers={'OpenStack-API-Version': 'compute 2.21'}).json()
    return [a['action'] for a in reversed(actions['instanceActions'])]


def test_every_action_over_http(cloud, clients):
    admin, demo = clients
    server_id = _boot(demo, cloud.image_id, 'catalogue-http')
    catalogue.run_catalogue(catalogue.ApiDriver(demo, admin), admin, server_id, cloud.image_id)
    assert _recorded(admin, server_id) == catalogue.RECORDED


def test_every_action_with_the_openstack_cli(cloud, clients):
    admin, demo = clients
    server_id = _boot(demo, cloud.image_id, 'catalogue-cli')
    driver = catalogue.CliDriver(cloud.url, ('demo', 'demopw', 'demo'),
                                 ('admin', 'adminpw', 'admin'))
    catalogue.run_catalogue(driver, admin, server_id, cloud.image_id,
                            steps=catalogue.STEPS[:-1])
    # `server event list` looks the server up first, so it runs before the last delete.
    events = driver('server', 'event', 'list', server_id, '-f', 'value', '-c', 'Action',
                    admin=True).split()
    assert sorted(events) == sorted(catalogue.RECORDED[:-1])
    catalogue.run_catalogue(driver, admin, server_id, cloud.image_id,
                            steps=catalogue.STEPS[-1:])
    assert _recorded(admin, server_id) == catalogue.RECORDED
