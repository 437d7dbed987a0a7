"""lock/unlock through POST /servers/{id}/action, and what a lock refuses."""
import pytest

S = '/compute/v2.1/servers'


@pytest.fixture
def server(demo, image_id):
    server_id = demo.create_server('lockable', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    yield server_id
    demo.post(f'{S}/{server_id}/action', json={'unlock': None})
    demo.delete_all([server_id])


def act(client, server_id, body, version='2.96'):
    return client.post(f'{S}/{server_id}/action', json=body,
                       headers={'OpenStack-API-Version': f'compute {version}'})


def test_owner_lock_blocks_the_owners_delete_until_unlock(demo, server):
    resp = act(demo, server, {'lock': {'locked_reason': 'maintenance'}})
    assert resp.status_code == 202
    shown = demo.get(f'{S}/{server}').json()['server']
    assert shown['locked'] is True and shown['locked_reason'] == 'maintenance'
    refused = demo.delete(f'{S}/{server}')
    assert refused.status_code == 409 and 'locked' in refused.json()[
        'conflictingRequest']['message']
    assert act(demo, server, {'unlock': None}).status_code == 202
    assert demo.get(f'{S}/{server}').json()['server']['locked'] is False
    names = [a['action'] for a in demo.get(f'{S}/{server}/os-instance-actions').json()[
        'instanceActions']]
    assert names[:2] == ['unlock', 'lock']


def test_lock_and_unlock_are_recorded_with_their_events(demo, server):
    for name in ('lock', 'unlock'):
        request_id = demo.accepted(server, {name: None})
        action, events = demo.action_events(server, request_id, [f'api_{name}'])
        assert (action, events) == (name, {f'api_{name}': 'Success'})


def test_only_an_admin_unlocks_an_admins_lock(admin, demo, server):
    assert act(admin, server, {'lock': None}).status_code == 202
    refused = act(demo, server, {'unlock': None})
    assert refused.status_code == 403
    assert act(admin, server, {'unlock': None}).status_code == 202


def test_other_projects_and_bad_bodies(alt, demo, server):
    assert act(alt, server, {'lock': None}).status_code == 404
    assert act(demo, server, {'no-such-action': None}).status_code == 400
    assert act(demo, server, {'lock': None, 'unlock': None}).status_code == 400
    assert act(demo, server, {'lock': {'locked_reason': 5}}).status_code == 400
    assert act(demo, server, {'lock': {'locked_reason': 'x'}}, version='2.72').status_code == 400
    assert demo.post(f'{S}/{server}/action', data='{', headers={
        'Content-Type': 'application/json'}).status_code == 400
