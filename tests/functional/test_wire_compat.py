"""Wire details real clients (tempest, the openstack CLI) depend on, one test per detail."""
import pytest

from tests.functional.client import SERVERS

V21 = '/compute/v2.1'


def test_create_response_has_only_the_fields_tempest_allows(demo, image_id):
    """Tempest's create schema is additionalProperties: false; an extra 'name' made every
    create raise before its cleanup, so servers leaked until the quota ran out."""
    resp = demo.create_server('wire-create', image_id)
    assert resp.status_code == 202, resp.text
    server = resp.json()['server']
    try:
        assert set(server) == {'id', 'links', 'OS-DCF:diskConfig', 'security_groups',
                               'adminPass'}
    finally:
        demo.delete_all([server['id']])


@pytest.mark.parametrize('action', [
    'pause', 'suspend', 'os-stop', 'lock', 'shelve'])
def test_argument_less_actions_take_an_empty_object(demo, image_id, action):
    """Nova takes {"pause": {}} as well as {"pause": null}; so must we, for the action
    and for the one that undoes it."""
    undo = {'pause': 'unpause', 'suspend': 'resume', 'os-stop': 'os-start',
            'lock': 'unlock', 'shelve': 'unshelve'}[action]
    with demo.booted(f'wire-{action}', image_id) as server_id:
        demo.act(server_id, {action: {}})
        if action != 'lock':
            demo.wait_idle(server_id)
        demo.act(server_id, {undo: {}})
        if action != 'lock':
            demo.wait_status(server_id, {'ACTIVE'})
        assert not demo.get(f'{SERVERS}/{server_id}').json()['server']['locked']


def test_argument_less_action_still_refuses_other_values(demo, image_id):
    with demo.booted('wire-bad-pause', image_id) as server_id:
        resp = demo.action(server_id, {'pause': 'now'})
        assert resp.status_code == 400, resp.text


@pytest.mark.parametrize('path', ['/does-not-exist', '/extensions-nope',
                                  '/servers-typo', '/not-a-project/nonsense'])
def test_unknown_compute_path_is_404(demo, path):
    """An unknown segment used to be taken for a project id and answered with the
    version document."""
    resp = demo.get(V21 + path)
    assert resp.status_code == 404, resp.text
    assert resp.json()['itemNotFound']['code'] == 404


def test_project_id_in_the_url_still_works(demo):
    resp = demo.get(f'{V21}/{demo.project_id}/flavors')
    assert resp.status_code == 200, resp.text
    assert resp.json()['flavors']


def test_write_to_unknown_path_is_404_not_405(demo):
    resp = demo.post(V21 + '/does-not-exist', json={})
    assert resp.status_code == 404, resp.text


def test_flavor_create_takes_an_integer_id(admin):
    resp = admin.post(V21 + '/flavors', json={'flavor': {
        'name': 'wire-int-id', 'ram': 64, 'vcpus': 1, 'disk': 0, 'id': 987654}})
    assert resp.status_code == 200, resp.text
    assert resp.json()['flavor']['id'] == '987654'
    assert admin.get(V21 + '/flavors/987654').status_code == 200
    assert admin.delete(V21 + '/flavors/987654').status_code == 202


def test_legacy_v2_endpoint_serves_v21_without_microversions(demo):
    doc = demo.get('/compute/v2')
    assert doc.status_code == 200 and doc.json()['version']['id'] == 'v2.0'
    resp = demo.get('/compute/v2/flavors', headers={'OpenStack-API-Version': 'compute 2.96'})
    assert resp.status_code == 200, resp.text
    # At 2.96 flavors would carry a description; /v2 is pinned to 2.1.
    flavor = demo.get(f'/compute/v2/flavors/{resp.json()["flavors"][0]["id"]}').json()
    assert 'description' not in flavor['flavor']
    assert 'OpenStack-API-Version' not in resp.headers


def test_unknown_security_group_at_create_is_400(demo, image_id):
    resp = demo.create_server('wire-sg', image_id, security_groups=[{'name': 'no-such'}])
    assert resp.status_code == 400, resp.text
    assert 'no-such' in resp.json()['badRequest']['message']


def test_default_security_group_at_create_is_accepted(demo, image_id):
    resp = demo.create_server('wire-sg-default', image_id,
                              security_groups=[{'name': 'default'}])
    assert resp.status_code == 202, resp.text
    demo.delete_all([resp.json()['server']['id']])


@pytest.mark.parametrize('value', ['2011-13-45T00:00:00Z', 'yesterday'])
def test_invalid_changes_since_is_400(demo, value):
    resp = demo.get(f'{SERVERS}/detail', params={'changes-since': value})
    assert resp.status_code == 400, resp.text


def test_changes_since_filters_and_shows_deleted_servers(demo, image_id):
    with demo.booted('wire-changes', image_id) as server_id:
        changed = demo.server(server_id)['updated']
        future = '2999-01-01T00:00:00Z'
        assert demo.get(f'{SERVERS}/detail', params={'changes-since': future}).json()[
            'servers'] == []
        ids = [s['id'] for s in demo.get(f'{SERVERS}/detail', params={
            'changes-since': changed}).json()['servers']]
        assert server_id in ids
    listed = demo.get(f'{SERVERS}/detail', params={'changes-since': changed}).json()
    gone = [s for s in listed['servers'] if s['id'] == server_id]
    assert gone and gone[0]['status'] == 'DELETED'


def test_changes_before_earlier_than_since_is_400(demo):
    resp = demo.get(f'{SERVERS}', params={'changes-since': '2020-01-02T00:00:00Z',
                                          'changes-before': '2020-01-01T00:00:00Z'})
    assert resp.status_code == 400, resp.text


def test_rebuild_takes_user_data_from_257(admin, image_id):
    with admin.booted('wire-rebuild-ud', image_id) as server_id:
        body = {'rebuild': {'imageRef': image_id, 'user_data': 'aGVsbG8='}}
        assert admin.action(server_id, body, version='2.56').status_code == 400
        admin.act(server_id, body, version='2.57')
        admin.wait_status(server_id, {'ACTIVE'})
        shown = admin.get(f'{SERVERS}/{server_id}',
                          headers={'OpenStack-API-Version': 'compute 2.57'}).json()['server']
        assert shown['OS-EXT-SRV-ATTR:user_data'] == 'aGVsbG8='
