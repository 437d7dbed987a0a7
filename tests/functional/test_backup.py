"""createBackup through the API: backups rotate per type to exactly `rotation`; refusals."""
import pytest

from common import exception
from conductor import images as conductor_images
from db import images as images_db
from db import instances
from image import store as store_mod
from rpc import context as context_mod
from tests.functional.actions import SNAPSHOTTABLE
from tests.functional.actions import outside
from tests.functional.actions import refused
from tests.functional.actions import refused_in
from tests.functional.client import IMAGES
from tests.functional.client import request_id

ALL = IMAGES + '?limit=1000'


@pytest.fixture
def server(demo, image_id):
    with demo.booted('backup-src', image_id) as server_id:
        yield server_id
    for image in _images_of(demo, server_id):
        demo.delete(f'{IMAGES}/{image["id"]}')


def _backup(client, server_id, name, backup_type, rotation, version='2.96'):
    body = {'createBackup': {'name': name, 'backup_type': backup_type, 'rotation': rotation}}
    resp = client.act(server_id, body, version=version)
    client.wait_idle(server_id)
    return resp


def _images_of(client, server_id):
    """The server's images, newest first, as Glance lists them to its owner."""
    return [i for i in client.get(ALL).json()['images']
            if i.get('instance_uuid') == server_id]


def _backups(client, server_id, backup_type):
    return [i['name'] for i in _images_of(client, server_id)
            if i.get('image_type') == 'backup' and i.get('backup_type') == backup_type]


def test_backups_rotate_per_type_to_exactly_rotation(demo, server):
    snap = demo.action(server, {'createImage': {'name': 'keep-me'}}).json()['image_id']
    demo.wait_idle(server)
    resp = _backup(demo, server, 'weekly-1', 'weekly', 1)
    weekly = demo.get(f'{IMAGES}/{resp.json()["image_id"]}').json()
    assert (weekly['status'], weekly['image_type'], weekly['backup_type'],
            weekly['visibility']) == ('active', 'backup', 'weekly', 'private')
    for n in range(1, 4):
        _backup(demo, server, f'daily-{n}', 'daily', 2)
    assert _backups(demo, server, 'daily') == ['daily-3', 'daily-2']
    _backup(demo, server, 'daily-4', 'daily', '1')  # Nova's schema takes a digit string too
    assert _backups(demo, server, 'daily') == ['daily-4']
    assert _backups(demo, server, 'weekly') == ['weekly-1']
    assert demo.get(f'{IMAGES}/{snap}').json()['status'] == 'active'
    assert demo.server(server)['status'] == 'ACTIVE'


def test_rotation_zero_removes_every_backup_of_that_type(demo, server):
    _backup(demo, server, 'hourly-1', 'hourly', 3)
    _backup(demo, server, 'hourly-2', 'hourly', 3)
    _backup(demo, server, 'monthly-1', 'monthly', 3)
    resp = _backup(demo, server, 'hourly-none', 'hourly', 0, version='2.44')
    assert 'Location' not in resp.headers  # nothing of it is left to point at
    assert _backups(demo, server, 'hourly') == []
    assert _backups(demo, server, 'monthly') == ['monthly-1']
    assert demo.server(server)['status'] == 'ACTIVE'


def test_location_header_before_2_45_and_events(demo, server):
    resp = _backup(demo, server, 'old-client', 'daily', 1, version='2.44')
    image_id = resp.headers['Location'].rsplit('/', 1)[-1]
    assert demo.get(f'{IMAGES}/{image_id}').json()['name'] == 'old-client'
    assert demo.action_events(server, request_id(resp)) == (
        'createBackup', {'api_createBackup': 'Success', 'compute_backup_instance': 'Success'})


def test_backup_of_a_stopped_server_stays_stopped(demo, server):
    assert demo.action(server, {'os-stop': None}).status_code == 202
    demo.wait_status(server, {'SHUTOFF'})
    _backup(demo, server, 'cold', 'daily', 1)
    assert demo.server(server)['status'] == 'SHUTOFF'
    assert _backups(demo, server, 'daily') == ['cold']


def test_refusals(cloud, admin, alt, demo, server):
    good = {'name': 'b', 'backup_type': 'daily', 'rotation': 1}
    count = len(demo.get(ALL).json()['images'])
    refused_in(cloud, demo, server, {'createBackup': good}, outside(SNAPSHOTTABLE))
    refused_in(cloud, demo, server, {'createBackup': good}, ['active'],
               task_state='image_backup')
    for bad in ({'name': 'b', 'backup_type': 'daily'}, dict(good, rotation=-1),
                dict(good, rotation='x'), dict(good, backup_type=5),
                {'name': 'b', 'rotation': 1}, dict(good, extra=1)):
        assert demo.action(server, {'createBackup': bad}).status_code == 400, bad
    assert alt.action(server, {'createBackup': good}).status_code == 404
    assert admin.action(server, {'lock': None}).status_code == 202
    assert 'locked' in refused(demo, server, {'createBackup': good})
    assert admin.action(server, {'unlock': None}).status_code == 202
    assert len(demo.get(ALL).json()['images']) == count


def test_rotation_checks_the_host_and_ignores_other_projects_images(cloud, demo, server):
    gateway = conductor_images.ImageGateway(cloud.db,
                                            store_mod.LocalStore.from_conf(cloud.conf))
    ctxt = context_mod.admin_context()
    host = instances.get(cloud.db, server)['host']
    other = 'compute-2' if host == 'compute-1' else 'compute-1'
    with pytest.raises(exception.HostMismatch):
        gateway.rotate_backups(ctxt, other, server, 'daily', 0)
    # Someone else's image dressed up as a backup of this server is not this server's.
    decoy = images_db.create(cloud.db, {'name': 'decoy', 'owner': 'alt', 'status': 'active',
                                        'properties': {'instance_uuid': server,
                                                       'image_type': 'backup',
                                                       'backup_type': 'daily'}})
    try:
        _backup(demo, server, 'real', 'daily', 0)
        assert images_db.get(cloud.db, decoy['id'])['name'] == 'decoy'
    finally:
        images_db.delete(cloud.db, decoy['id'])
