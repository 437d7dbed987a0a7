"""createImage through the API: the image lifecycle, the disk's bytes in a new server, refusals."""
import datetime
import os
import threading

import pytest

from common import timeutils
from conductor import images as conductor_images
from db import faults
from db import images as images_db
from image import store as store_mod
from rpc import context as context_mod
from tests.functional import disks
from tests.functional.actions import SNAPSHOTTABLE
from tests.functional.actions import manager_of
from tests.functional.actions import outside
from tests.functional.actions import refused
from tests.functional.actions import refused_in
from tests.functional.client import IMAGES
from tests.functional.client import request_id

ALL = IMAGES + '?limit=1000'


@pytest.fixture
def server(demo, image_id):
    with demo.booted('snap-src', image_id) as server_id:
        yield server_id


def _snapshot(client, server_id, name, version='2.96', **extra):
    return client.act(server_id, {'createImage': dict({'name': name}, **extra)},
                      version=version)


def _image(client, image_id):
    return client.get(f'{IMAGES}/{image_id}')


def test_snapshot_carries_the_disk_into_a_new_server(cloud, demo, server, image_id):
    disks.write_pattern(disks.disk_path(cloud, server), 0x5A)
    resp = _snapshot(demo, server, 'snap-data', metadata={'purpose': 'copy'})
    snap_id = resp.json()['image_id']
    assert 'Location' not in resp.headers  # from 2.45 the id is in the body instead
    assert demo.wait_idle(server)['status'] == 'ACTIVE'
    image = _image(demo, snap_id).json()
    assert (image['status'], image['visibility'], image['owner']) == (
        'active', 'private', demo.project_id)
    assert (image['disk_format'], image['container_format'], image['min_disk']) == (
        'qcow2', 'bare', 1)
    assert image['size'] > 0 and image['checksum']
    assert (image['instance_uuid'], image['image_type'], image['base_image_ref'],
            image['purpose']) == (server, 'snapshot', image_id, 'copy')
    copy = demo.boot('snap-copy', snap_id)
    try:
        assert demo.server(copy)['image']['id'] == snap_id
        assert disks.has_pattern(disks.disk_path(cloud, copy), 0x5A)
    finally:
        demo.delete_all([copy])
    assert demo.action_events(server, request_id(resp)) == (
        'createImage', {'api_createImage': 'Success', 'compute_snapshot_instance': 'Success'})
    demo.delete(f'{IMAGES}/{snap_id}')


def test_before_2_45_the_image_url_is_in_the_location_header(demo, server):
    resp = _snapshot(demo, server, 'snap-old', version='2.44')
    assert not resp.content
    snap_id = resp.headers['Location'].rsplit('/', 1)[-1]
    demo.wait_idle(server)
    location = resp.headers['Location'].split('/image', 1)[1]
    assert demo.get('/image' + location).json()['id'] == snap_id
    demo.delete(f'{IMAGES}/{snap_id}')


class GatedDriver:
    """Wraps the host's driver so the test can look while the disk is being copied."""

    def __init__(self, driver):
        self.driver = driver
        self.entered = threading.Event()
        self.release = threading.Event()

    def snapshot(self, instance, target_path):
        self.entered.set()
        assert self.release.wait(30)
        return self.driver.snapshot(instance, target_path)


def test_image_goes_queued_saving_active_and_the_server_comes_back(cloud, demo, server):
    manager = manager_of(cloud, server)
    gate = GatedDriver(manager.snapshotter.driver)
    manager.snapshotter.driver = gate
    try:
        # Holding the instance's lock keeps the compute from starting: the API's state shows.
        with manager.locks.hold(server):
            snap_id = _snapshot(demo, server, 'snap-steps').json()['image_id']
            assert _image(demo, snap_id).json()['status'] == 'queued'
            shown = demo.server(server)
            assert (shown['status'], shown['OS-EXT-STS:task_state']) == (
                'ACTIVE', 'image_snapshot_pending')
            # Busy: a second snapshot of the same server is a conflict, and makes no image.
            before = len(demo.get(ALL).json()['images'])
            assert demo.action(server, {'createImage': {'name': 'again'}}).status_code == 409
            assert len(demo.get(ALL).json()['images']) == before
        assert gate.entered.wait(30)
        assert _image(demo, snap_id).json()['status'] == 'saving'
        assert demo.server(server)['OS-EXT-STS:task_state'] == 'image_uploading'
        gate.release.set()
        idle = demo.wait_idle(server)
    finally:
        gate.release.set()
        manager.snapshotter.driver = gate.driver
    assert (idle['status'], idle['OS-EXT-STS:vm_state']) == ('ACTIVE', 'active')
    assert _image(demo, snap_id).json()['status'] == 'active'
    demo.delete(f'{IMAGES}/{snap_id}')


@pytest.mark.parametrize('stop, start, status', [
    ({'pause': None}, {'unpause': None}, 'PAUSED'),
    ({'suspend': None}, {'resume': None}, 'SUSPENDED'),
    ({'os-stop': None}, {'os-start': None}, 'SHUTOFF'),
])
def test_snapshot_leaves_the_vm_state_alone(demo, server, stop, start, status):
    assert demo.action(server, stop).status_code == 202
    demo.wait_status(server, {status})
    snap_id = _snapshot(demo, server, f'snap-{status.lower()}').json()['image_id']
    after = demo.wait_idle(server)
    assert after['status'] == status
    assert _image(demo, snap_id).json()['status'] == 'active'
    demo.delete(f'{IMAGES}/{snap_id}')


def test_refusals(cloud, admin, alt, demo, server):
    count = len(demo.get(ALL).json()['images'])
    refused_in(cloud, demo, server, {'createImage': {'name': 'no'}}, outside(SNAPSHOTTABLE))
    assert demo.action(server, {'createImage': {'name': ' no'}}).status_code == 400
    assert demo.action(server, {'createImage': {}}).status_code == 400
    assert demo.action(server, {'createImage': {'name': 'x', 'metadata': {'k': 1}}}
                       ).status_code == 400
    assert alt.action(server, {'createImage': {'name': 'theirs'}}).status_code == 404
    assert admin.action(server, {'lock': None}).status_code == 202
    assert 'locked' in refused(demo, server, {'createImage': {'name': 'locked'}})
    assert admin.action(server, {'unlock': None}).status_code == 202
    assert len(demo.get(ALL).json()['images']) == count  # no refusal left an image


def test_failed_snapshot_deletes_the_image_and_records_a_fault(cloud, demo, server):
    os.unlink(disks.disk_path(cloud, server))
    resp = _snapshot(demo, server, 'snap-broken')
    snap_id = resp.json()['image_id']
    after = demo.wait_idle(server)
    assert (after['status'], after['OS-EXT-STS:task_state']) == ('ACTIVE', None)
    assert _image(demo, snap_id).status_code == 404
    assert images_db.list_(cloud.db, ids=[snap_id]) == []
    fault = faults.latest(cloud.db, [server])[server]
    assert 'no disk' in fault['message']
    _, events = demo.action_events(server, request_id(resp))
    assert events == {'api_createImage': 'Success', 'compute_snapshot_instance': 'Error'}


def _stuck(cloud, instance_uuid, status='saving', age=3600):
    then = timeutils.utcnow() - datetime.timedelta(seconds=age)
    props = {'instance_uuid': instance_uuid} if instance_uuid else {}
    return images_db.create(cloud.db, {'name': 'stuck', 'status': status, 'owner': 'demo',
                                       'visibility': 'private', 'properties': props,
                                       'created_at': then, 'updated_at': then})['id']


def test_conductor_deletes_snapshot_images_no_snapshot_will_finish(cloud, demo, server):
    store = store_mod.LocalStore.from_conf(cloud.conf)
    gateway = conductor_images.ImageGateway(cloud.db, store)
    manager = manager_of(cloud, server)
    queued_orphan = _stuck(cloud, '00000000-0000-0000-0000-00000000dead', status='queued')
    fresh = _stuck(cloud, server, age=0)
    not_a_snapshot = _stuck(cloud, None, status='queued')
    ctxt = context_mod.admin_context()
    # The cloud's own periodic run may beat these calls to it: check what is left.
    with manager.locks.hold(server):
        # The server is now in image_snapshot_pending: its images are being worked on.
        running = _snapshot(demo, server, 'snap-running').json()['image_id']
        # Left 'saving' an hour ago by a compute that crashed: abandoned once it is idle.
        orphan = _stuck(cloud, server)
        store.put(orphan, b'half an upload')
        gateway.repair_stuck(ctxt, 600)
        left = _ids(cloud)
        assert queued_orphan not in left  # its instance is gone
        assert {orphan, running, fresh, not_a_snapshot} <= left
    demo.wait_idle(server)
    gateway.repair_stuck(ctxt, 600)
    left = _ids(cloud)
    assert {fresh, not_a_snapshot, running} <= left and orphan not in left
    assert not store.exists(orphan)
    for image in (fresh, not_a_snapshot, running):
        images_db.delete(cloud.db, image)


def _ids(cloud):
    return {image['id'] for image in images_db.list_(cloud.db)}
