"""Evacuate end to end: a host's compute is forced down (os-services), its server is built
again on the other host, from the image without shared storage and from its own disk
with it, and the source removes what it left when its compute starts again."""
import pytest

from db import allocations
from db import compute_nodes
from db import instances
from tests.functional import client as client_mod
from tests.functional import disks
from tests.functional import move_hosts
from tests.functional.conftest import cli_runner

SERVICES = '/compute/v2.1/os-services'
MIGRATIONS = '/compute/v2.1/os-migrations'
PAIRS = {'own disks': ('ev-1', 'ev-2'), 'shared disks': ('sh-1', 'sh-2')}


@pytest.fixture(scope='module', params=list(PAIRS))
def pair(request, cloud, admin, tmp_path_factory):
    with move_hosts.joined(cloud, admin, tmp_path_factory.mktemp('evacuate'),
                           PAIRS[request.param],
                           shared=request.param == 'shared disks') as joined:
        yield joined


@pytest.fixture
def ecloud(pair):
    with pair.only():
        yield pair


@pytest.fixture
def eadmin(admin):
    return admin


@pytest.fixture
def server(ecloud, eadmin, image_id):
    with eadmin.booted('evac', image_id, flavor='1') as server_id:
        yield server_id


def force_down(admin, host, down):
    resp = admin.request('PUT', f'{SERVICES}/force-down',
                         headers={'OpenStack-API-Version': 'compute 2.11'},
                         json={'host': host, 'binary': 'nova-compute', 'forced_down': down})
    assert resp.status_code == 200, resp.text


@pytest.fixture
def fenced(ecloud, eadmin, server):
    """The server's host, forced down for the test, up again after it."""
    host = instances.get(ecloud.db, server)['host']
    force_down(eadmin, host, True)
    yield host
    force_down(eadmin, host, False)


def evacuate(admin, server, version='2.29', **body):
    return admin.action(server, {'evacuate': body}, version=version)


def test_evacuate_rebuilds_elsewhere_and_the_source_cleans_up(ecloud, eadmin, server,
                                                              fenced):
    source = fenced
    dest = ecloud.other(source)
    disks.write_pattern(ecloud.drivers[source].instance_disk_path({'uuid': server}), 0x77)
    resp = evacuate(eadmin, server)
    assert resp.status_code == 200 and not resp.text, resp.text
    shown = eadmin.wait_status(server, {'ACTIVE', 'ERROR'})
    assert (shown['status'], instances.get(ecloud.db, server)['host']) == ('ACTIVE', dest)
    path = ecloud.drivers[dest].instance_disk_path({'uuid': server})
    # Shared storage: the server's own disk; otherwise a fresh one from the image.
    assert disks.has_pattern(path, 0x77) == ecloud.shared
    [migration] = eadmin.get(f'{MIGRATIONS}?instance_uuid={server}').json()['migrations']
    assert (migration['migration_type'], migration['status'], migration['source_compute'],
            migration['dest_compute']) == ('evacuation', 'done', source, dest)
    node = {h: compute_nodes.list_(ecloud.db, host=h)[0] for h in ecloud.names}
    assert allocations.get(ecloud.db, server)['node_id'] == node[dest]['id']
    assert node[source]['running_vms'] == 0
    assert ecloud.drivers[source].instance_exists({'uuid': server})   # the dead host's
    ecloud.restart(source)
    assert not ecloud.drivers[source].instance_exists({'uuid': server})
    assert ecloud.drivers[dest].instance_exists({'uuid': server})
    assert disks.has_pattern(ecloud.drivers[dest].instance_disk_path({'uuid': server}),
                             0x77) == ecloud.shared
    [migration] = eadmin.get(f'{MIGRATIONS}?instance_uuid={server}').json()['migrations']
    assert migration['status'] == 'completed'


def test_before_2_14_the_password_comes_back_and_shared_storage_is_checked(
        ecloud, eadmin, server, fenced):
    resp = evacuate(eadmin, server, version='2.13', onSharedStorage=not ecloud.shared,
                    adminPass='s3cret')
    assert (resp.status_code, resp.json()) == (200, {'adminPass': 's3cret'})
    shown = eadmin.wait_status(server, {'ACTIVE', 'ERROR'})
    # A wrong onSharedStorage is refused on the destination: ERROR, nothing moved.
    assert (shown['status'], instances.get(ecloud.db, server)['host']) == ('ERROR', fenced)
    assert 'onSharedStorage' in shown['fault']['message']
    [migration] = eadmin.get(f'{MIGRATIONS}?instance_uuid={server}').json()['migrations']
    assert migration['status'] == 'failed'
    assert allocations.get(ecloud.db, migration['uuid']) is None


def test_refusals(ecloud, eadmin, server):
    source = instances.get(ecloud.db, server)['host']
    resp = evacuate(eadmin, server)
    assert resp.status_code == 409 and 'still in use' in resp.text, resp.text
    demo = client_mod.Client(ecloud.url, 'demo', 'demopw', 'demo')
    assert evacuate(demo, server).status_code in (403, 404)
    force_down(eadmin, source, True)
    try:
        assert evacuate(eadmin, server, host=source).status_code == 400
        assert evacuate(eadmin, server, host='nowhere').status_code == 404
        assert evacuate(eadmin, server, version='2.13').status_code == 400   # onSharedStorage
        assert evacuate(eadmin, server, version='2.68', force=True).status_code == 400
    finally:
        force_down(eadmin, source, False)
    assert eadmin.server(server)['status'] == 'ACTIVE'


def test_the_openstack_cli_evacuates(ecloud, eadmin, server, fenced):
    admin = cli_runner(ecloud.url, 'admin', 'adminpw')
    # Not --wait: this CLI compares the lower-cased status with 'ACTIVE' and never returns.
    admin('--os-compute-api-version', '2.29', 'server', 'evacuate', server)
    assert eadmin.wait_status(server, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
    assert instances.get(ecloud.db, server)['host'] != fenced
