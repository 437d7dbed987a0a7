"""rebuild through the API: a fresh disk from the new image on the same host, power kept."""
import os

import pytest

from compute import states
from db import faults
from db import images as images_db
from db import instances
from image import store as store_mod
from tests.functional import disks
from tests.functional.actions import drop_image
from tests.functional.actions import make_image
from tests.functional.actions import refused_elsewhere
from tests.functional.actions import refused_to_others_and_when_locked
from tests.functional.client import request_id


@pytest.fixture(scope='module')
def images(cloud, alt, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('rebuild-images')
    made = {'5a': make_image(cloud, tmp, 'rebuild-5a', 0x5A),
            'alt': make_image(cloud, tmp, 'rebuild-alt', owner=alt.project_id),
            'big': make_image(cloud, tmp, 'rebuild-big', 0x11),
            'gone': make_image(cloud, tmp, 'rebuild-gone', 0x22)}
    made['big'] = images_db.update(cloud.db, made['big']['id'], {'min_disk': 40})
    yield made
    for image in made.values():
        drop_image(cloud, image)


@pytest.fixture(scope='module')
def server(demo, image_id, images):
    server_id = demo.boot('rebuildable', image_id, metadata={'old': 'yes'})
    yield server_id
    demo.delete_all([server_id])


def _rebuild(demo, server_id, body, version='2.96'):
    return demo.act(server_id, {'rebuild': body}, version=version)


def test_rebuild_gives_a_fresh_disk_from_the_new_image(cloud, demo, server, images):
    host = instances.get(cloud.db, server)['host']
    disks.write_pattern(disks.disk_path(cloud, server), 0xA5)
    resp = _rebuild(demo, server, {'imageRef': images['5a']['id'], 'name': 'rebuilt',
                                   'metadata': {'new': 'v'}, 'adminPass': 'Given-1'})
    body = resp.json()['server']
    assert body['status'] == 'REBUILD' and body['adminPass'] == 'Given-1'
    assert body['image']['id'] == images['5a']['id'] and body['name'] == 'rebuilt'
    assert body['OS-EXT-STS:vm_state'] == 'active'  # 2.75+: the whole server, as a show
    assert resp.headers['Location'].endswith(server)
    shown = demo.wait_idle(server)
    assert (shown['status'], shown['OS-EXT-STS:power_state']) == ('ACTIVE', 1)
    assert shown['metadata'] == {'new': 'v'}
    assert instances.get(cloud.db, server)['host'] == host
    path = disks.disk_path(cloud, server)
    assert disks.has_pattern(path, 0x5A) and not disks.has_pattern(path, 0xA5)
    assert demo.action_events(server, request_id(resp)) == (
        'rebuild', {'api_rebuild': 'Success', 'compute_rebuild_instance': 'Success'})


def test_rebuild_of_a_stopped_server_leaves_it_stopped(demo, server, image_id):
    assert demo.action(server, {'os-stop': None}).status_code == 202
    demo.wait_status(server, {'SHUTOFF'})
    resp = _rebuild(demo, server, {'imageRef': image_id}, version='2.74')
    body = resp.json()['server']
    assert 'OS-EXT-STS:vm_state' not in body and 'adminPass' in body  # before 2.75
    shown = demo.wait_idle(server)
    assert (shown['status'], shown['OS-EXT-STS:power_state']) == ('SHUTOFF', 4)
    assert shown['image']['id'] == image_id
    assert demo.action(server, {'os-start': None}).status_code == 202
    demo.wait_status(server, {'ACTIVE'})


def test_rebuild_of_an_errored_server_makes_it_active(admin, demo, server, image_id):
    assert admin.action(server, {'os-resetState': {'state': 'error'}}).status_code == 202
    _rebuild(demo, server, {'imageRef': image_id})
    shown = demo.wait_idle(server)
    assert (shown['status'], shown['OS-EXT-STS:power_state']) == ('ACTIVE', 1)


def test_a_failed_rebuild_leaves_error_with_a_fault(cloud, demo, server, images):
    # The image is active in the catalogue but its bits are gone from the store.
    store_mod.LocalStore.from_conf(cloud.conf).delete(images['gone']['id'])
    resp = _rebuild(demo, server, {'imageRef': images['gone']['id']})
    shown = demo.wait_idle(server)
    assert shown['status'] == 'ERROR'
    assert images['gone']['id'] in shown['fault']['message']
    assert faults.latest(cloud.db, [server])[server]['message'] == shown['fault']['message']
    assert demo.action_events(server, request_id(resp))[1] == {'api_rebuild': 'Success',
                                                    'compute_rebuild_instance': 'Error'}
    # From ERROR, a rebuild with a good image repairs it.
    _rebuild(demo, server, {'imageRef': images['5a']['id']})
    assert demo.wait_idle(server)['status'] == 'ACTIVE'
    assert os.path.exists(disks.disk_path(cloud, server))


def test_the_image_must_be_usable_and_fit(demo, server, images):
    bad = ('9b3e1c4a-0000-4000-8000-00000000abcd', 'not-a-uuid', images['alt']['id'],
           images['big']['id'])
    for ref in bad:
        resp = demo.action(server, {'rebuild': {'imageRef': ref}})
        assert resp.status_code == 400, (ref, resp.text)
    for body in ({}, {'imageRef': ''}, {'imageRef': images['5a']['id'], 'bogus': 1},
                 {'imageRef': images['5a']['id'], 'name': ''},
                 {'imageRef': images['5a']['id'], 'metadata': {'k': 1}}):
        assert demo.action(server, {'rebuild': body}).status_code == 400, body
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)


def test_refusals(cloud, demo, alt, server, image_id):
    body = {'rebuild': {'imageRef': image_id}}
    refused_elsewhere(cloud, demo, server, body,
                      (states.ACTIVE, states.STOPPED, states.ERROR))
    refused_to_others_and_when_locked(demo, alt, server, body)
