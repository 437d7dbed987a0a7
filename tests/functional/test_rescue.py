"""rescue/unrescue through the API: the guest boots from disk.rescue, its own disk second and kept.

The test images, instance-action events and refusals in every other state come
from tests/functional/actions.py and client.py, shared with the other action tests.
"""
import os
import xml.etree.ElementTree as ET

import pytest

from compute import states
from compute.virt.libvirt import config
from db import images as images_db
from db import instances
from tests.functional import disks
from tests.functional.actions import driver_of
from tests.functional.actions import drop_image
from tests.functional.actions import make_image
from tests.functional.actions import refused_elsewhere
from tests.functional.actions import refused_to_others_and_when_locked
from tests.functional.client import request_id


# -- fixtures ---------------------------------------------------------------------
@pytest.fixture(scope='module')
def images(cloud, alt, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('rescue-images')
    made = {'5a': make_image(cloud, tmp, 'rescue-5a', 0x5A),
            '3c': make_image(cloud, tmp, 'rescue-3c', 0x3C),
            'alt': make_image(cloud, tmp, 'alt-private', owner=alt.project_id)}
    made['queued'] = images_db.create(cloud.db, {'name': 'queued', 'status': 'queued',
                                                 'visibility': 'public',
                                                 'disk_format': 'qcow2',
                                                 'container_format': 'bare'})
    yield made
    for image in made.values():
        drop_image(cloud, image)


@pytest.fixture(scope='module')
def server(demo, image_id, images):
    server_id = demo.boot('rescuable', image_id)
    yield server_id
    demo.delete_all([server_id])


def _rescue_files(cloud, server_id):
    inst_dir = os.path.dirname(disks.disk_path(cloud, server_id))
    return os.path.join(inst_dir, 'disk.rescue'), os.path.join(inst_dir, 'unrescue.xml')


def _rescue(demo, server_id, body=None):
    resp = demo.act(server_id, {'rescue': body}, expect=200)
    shown = demo.wait_idle(server_id)
    assert shown['status'] == 'RESCUE', shown
    return resp


def _unrescue(demo, server_id):
    resp = demo.act(server_id, {'unrescue': None})
    shown = demo.wait_idle(server_id)
    assert shown['status'] == 'ACTIVE', shown
    return resp


# -- tests ------------------------------------------------------------------------
def test_rescue_boots_the_rescue_disk_first_and_unrescue_keeps_the_data(cloud, demo,
                                                                       server):
    root = disks.disk_path(cloud, server)
    disks.write_pattern(root, 0xA5)
    resp = _rescue(demo, server)
    assert len(resp.json()['adminPass']) >= 8
    assert demo.server(server)['OS-EXT-STS:power_state'] == 1
    rescue_disk, saved_xml = _rescue_files(cloud, server)
    xml = driver_of(cloud, server).get_domain_xml({'uuid': server})
    assert config.disk_paths(xml) == [rescue_disk, root]
    targets = [t.get('dev') for t in ET.fromstring(xml).findall('./devices/disk/target')]
    assert targets == ['vda', 'vdb']
    assert os.path.exists(saved_xml)
    assert not disks.has_pattern(rescue_disk, 0xA5)  # fresh from the image, not a copy
    assert instances.get(cloud.db, server)['system_metadata']['old_vm_state'] == 'active'
    assert demo.action_events(server, request_id(resp)) == (
        'rescue', {'api_rescue': 'Success', 'compute_rescue_instance': 'Success'})
    assert demo.action(server, {'rescue': None}).status_code == 409

    resp = _unrescue(demo, server)
    assert config.disk_paths(driver_of(cloud, server).get_domain_xml({'uuid': server})) == [
        root]
    assert not os.path.exists(rescue_disk) and not os.path.exists(saved_xml)
    assert disks.has_pattern(disks.disk_path(cloud, server), 0xA5)
    assert 'old_vm_state' not in instances.get(cloud.db, server)['system_metadata']
    assert demo.action_events(server, request_id(resp)) == (
        'unrescue', {'api_unrescue': 'Success', 'compute_unrescue_instance': 'Success'})


def test_rescue_image_from_the_request_then_the_config(cloud, demo, server, images):
    resp = _rescue(demo, server, {'rescue_image_ref': images['5a']['id'],
                                  'adminPass': 'given-Pass1'})
    assert resp.json() == {'adminPass': 'given-Pass1'}
    rescue_disk, _saved = _rescue_files(cloud, server)
    assert disks.has_pattern(rescue_disk, 0x5A)
    _unrescue(demo, server)
    cloud.conf.set_override('rescue_image_id', images['3c']['id'], group='libvirt')
    try:
        _rescue(demo, server)
        assert disks.has_pattern(rescue_disk, 0x3C)
    finally:
        cloud.conf.clear_override('rescue_image_id', group='libvirt')
    _unrescue(demo, server)


def test_rescue_image_must_be_active_and_visible(demo, server, images):
    for ref in ('9b3e1c4a-0000-4000-8000-00000000abcd', 'not-a-uuid',
                images['queued']['id'], images['alt']['id']):
        resp = demo.action(server, {'rescue': {'rescue_image_ref': ref}})
        assert resp.status_code == 400, (ref, resp.text)
        assert resp.json()['badRequest']['code'] == 400
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)


def test_rescue_a_stopped_server_then_unrescue_runs_it(demo, server):
    assert demo.action(server, {'os-stop': None}).status_code == 202
    demo.wait_status(server, {'SHUTOFF'})
    _rescue(demo, server)
    assert demo.server(server)['OS-EXT-STS:power_state'] == 1
    _unrescue(demo, server)
    assert demo.server(server)['OS-EXT-STS:power_state'] == 1


def test_refusals(cloud, demo, alt, server):
    refused_elsewhere(cloud, demo, server, {'rescue': None},
                      (states.ACTIVE, states.STOPPED, states.ERROR))
    refused_elsewhere(cloud, demo, server, {'unrescue': None}, (states.RESCUED,))
    refused_to_others_and_when_locked(demo, alt, server, {'rescue': None})
    assert alt.action(server, {'unrescue': None}).status_code == 404
    for body in ({'rescue': {'foo': 1}}, {'rescue': {'adminPass': 5}}, {'rescue': 'x'},
                 {'unrescue': 'x'}):
        assert demo.action(server, body).status_code == 400, body
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)
