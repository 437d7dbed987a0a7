"""changePassword through the API: set through the QEMU guest agent, or a 409 saying why not."""
import logging

import pytest

from compute import states
from compute.virt.libvirt import config
from tests.functional.actions import driver_of
from tests.functional.actions import drop_image
from tests.functional.actions import make_image
from tests.functional.actions import refused_elsewhere
from tests.functional.actions import refused_to_others_and_when_locked
from tests.functional.client import request_id

SECRET = 'Sup3r-Secret-Pa55'


@pytest.fixture(scope='module')
def agent_image(cloud, tmp_path_factory):
    image = make_image(cloud, tmp_path_factory.mktemp('agent'), 'with-agent',
                       hw_qemu_guest_agent='yes', os_admin_user='admin-user')
    yield image
    drop_image(cloud, image)


@pytest.fixture(scope='module')
def servers(demo, image_id, agent_image):
    with_agent = demo.create_server('agent', agent_image['id']).json()['server']['id']
    without = demo.create_server('no-agent', image_id).json()['server']['id']
    for server_id in (with_agent, without):
        demo.wait_status(server_id, {'ACTIVE'})
    yield with_agent, without
    demo.delete_all([with_agent, without])


def test_password_set_through_the_agent_and_never_logged(cloud, demo, servers, caplog):
    server, _without = servers
    xml = driver_of(cloud, server).get_domain_xml({'uuid': server})
    assert config.has_guest_agent(xml) and config.admin_user(xml) == 'admin-user'
    caplog.set_level(logging.DEBUG)
    resp = demo.act(server, {'changePassword': {'adminPass': SECRET}})
    assert resp.content == b''
    shown = demo.server(server)  # a call: done by the time the API answers
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)
    assert demo.action_events(server, request_id(resp)) == (
        'changePassword', {'api_changePassword': 'Success',
                           'compute_set_admin_password': 'Success'})
    assert 'password of admin-user set' in caplog.text
    assert SECRET not in caplog.text


def test_without_an_agent_409_says_why(demo, servers, caplog):
    _with_agent, server = servers
    caplog.set_level(logging.DEBUG)
    resp = demo.act(server, {'changePassword': {'adminPass': SECRET}}, expect=409)
    message = resp.json()['conflictingRequest']['message']
    assert 'guest agent' in message and 'hw_qemu_guest_agent' in message
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)
    assert demo.action_events(server, request_id(resp)) == (
        'changePassword', {'api_changePassword': 'Error',
                           'compute_set_admin_password': 'Error'})
    assert SECRET not in caplog.text


def test_refusals_and_bad_bodies(cloud, demo, alt, servers):
    server, _without = servers
    body = {'changePassword': {'adminPass': SECRET}}
    refused_elsewhere(cloud, demo, server, body, (states.ACTIVE,))
    refused_to_others_and_when_locked(demo, alt, server, body)
    for bad in ({}, {'adminPass': 5}, {'adminPass': SECRET, 'extra': 1}, None):
        assert demo.action(server, {'changePassword': bad}).status_code == 400, bad
    assert demo.action(server, {'os-stop': None}).status_code == 202
    demo.wait_status(server, {'SHUTOFF'})
    assert demo.action(server, body).status_code == 409
