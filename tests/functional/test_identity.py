"""The Keystone v3 subset end to end through the WSGI app: discovery, tokens, projects."""
import datetime

import pytest

from api import identity_store
from tests.functional import _gateway

TOKENS = '/identity/v3/auth/tokens'


@pytest.fixture
def gw(tmp_path):
    gateway = _gateway.Gateway(tmp_path)
    yield gateway
    gateway.close()


def _pid(name):
    return identity_store.stable_id('project', name)


def test_version_documents(gw):
    root = gw.call('GET', '/identity')
    assert root.status_int == 300
    (doc,) = root.json['versions']['values']
    assert doc['id'] == 'v3.14' and doc['status'] == 'stable'
    v3 = gw.call('GET', '/identity/v3/')
    assert v3.status_int == 200
    assert v3.json['version'] == doc
    assert doc['links'][0]['href'] == 'http://localhost/identity/v3/'
    assert doc['media-types'][0]['type'] == 'application/vnd.openstack.identity-v3+json'


def test_password_token_has_header_and_full_body(gw):
    resp = gw.call('POST', TOKENS, json_body=_gateway.password_auth('alice', 'alice-pw', 'demo'))
    assert resp.status_int == 201
    assert resp.headers['X-Subject-Token'].startswith('st1.')
    token = resp.json['token']
    assert token['methods'] == ['password']
    assert token['user']['name'] == 'alice'
    assert token['user']['domain'] == {'id': 'default', 'name': 'Default'}
    assert token['project'] == {'id': _pid('demo'), 'name': 'demo',
                                'domain': {'id': 'default', 'name': 'Default'}}
    assert sorted(r['name'] for r in token['roles']) == ['member', 'reader']
    assert len(token['audit_ids'][0]) == 22
    expires = datetime.datetime.strptime(token['expires_at'], '%Y-%m-%dT%H:%M:%S.%fZ')
    issued = datetime.datetime.strptime(token['issued_at'], '%Y-%m-%dT%H:%M:%S.%fZ')
    assert (expires - issued).total_seconds() == gw.conf.identity.token_ttl


def test_catalog_lists_the_three_services(gw):
    resp = gw.call('POST', TOKENS, json_body=_gateway.password_auth('admin', 'admin'))
    catalog = {s['type']: s['endpoints'] for s in resp.json['token']['catalog']}
    assert set(catalog) == {'compute', 'image', 'identity'}
    urls = {kind: eps[0]['url'] for kind, eps in catalog.items()}
    assert urls == {'compute': 'http://localhost/compute/v2.1',
                    'image': 'http://localhost/image', 'identity': 'http://localhost/identity'}
    for (endpoint,) in catalog.values():
        assert endpoint['interface'] == 'public'
        assert endpoint['region'] == endpoint['region_id'] == 'RegionOne'
        assert endpoint['id']


def test_catalog_uses_public_endpoint_when_configured(tmp_path):
    gw = _gateway.Gateway(tmp_path, public_endpoint='https://cloud.example:8443/')
    resp = gw.call('POST', TOKENS, json_body=_gateway.password_auth('admin', 'admin'))
    urls = [s['endpoints'][0]['url'] for s in resp.json['token']['catalog']]
    assert all(u.startswith('https://cloud.example:8443/') for u in urls)
    gw.close()


def test_unscoped_request_is_scoped_to_own_project(gw):
    resp = gw.call('POST', TOKENS, json_body=_gateway.password_auth('bob', 'bob-pw'))
    assert resp.json['token']['project']['name'] == 'other'


def test_user_by_id_and_project_by_id(gw):
    user_id = identity_store.stable_id('user', 'alice')
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'id': user_id, 'password': 'alice-pw'}}}, 'scope': {'project': {'id': _pid('demo')}}}}
    resp = gw.call('POST', TOKENS, json_body=body)
    assert resp.status_int == 201
    assert resp.json['token']['user']['id'] == user_id


@pytest.mark.parametrize('name,password,project', [
    ('alice', 'wrong', None), ('nobody', 'x', None), ('alice', 'alice-pw', 'other'),
    ('alice', '', None)])
def test_bad_credentials_or_scope_is_401_in_keystone_shape(gw, name, password, project):
    resp = gw.call('POST', TOKENS, json_body=_gateway.password_auth(name, password, project))
    assert resp.status_int == 401
    assert resp.json['error']['code'] == 401
    assert resp.json['error']['title'] == 'Unauthorized'
    assert 'X-Subject-Token' not in resp.headers
    assert resp.headers['WWW-Authenticate'].startswith('Keystone uri=')


def test_other_domain_is_401(gw):
    body = _gateway.password_auth('alice', 'alice-pw')
    body['auth']['identity']['password']['user']['domain'] = {'name': 'Elsewhere'}
    assert gw.call('POST', TOKENS, json_body=body).status_int == 401


@pytest.mark.parametrize('body', [{}, {'auth': {}}, {'auth': {'identity': {'methods': []}}},
                                  {'auth': {'identity': {'methods': ['password'],
                                                         'password': {}}}}])
def test_malformed_auth_is_400(gw, body):
    resp = gw.call('POST', TOKENS, json_body=body)
    assert resp.status_int == 400
    assert resp.json['error']['title'] == 'Bad Request'


def test_non_json_body_is_400(gw):
    resp = gw.call('POST', TOKENS, body=b'{not json', headers={
        'Content-Type': 'application/json'})
    assert resp.status_int == 400


def test_token_method_rescopes_and_chains_audit_ids(gw):
    first = gw.token('alice')
    body = {'auth': {'identity': {'methods': ['token'], 'token': {'id': first}},
                     'scope': {'project': {'name': 'demo', 'domain': {'name': 'Default'}}}}}
    resp = gw.call('POST', TOKENS, json_body=body)
    assert resp.status_int == 201
    token = resp.json['token']
    assert token['methods'] == ['token'] and len(token['audit_ids']) == 2
    body['auth']['identity']['token']['id'] = first + 'x'
    assert gw.call('POST', TOKENS, json_body=body).status_int == 401


def test_validate_token(gw):
    alice = gw.token('alice')
    own = gw.call('GET', TOKENS, token=alice, headers={'X-Subject-Token': alice})
    assert own.status_int == 200 and own.json['token']['user']['name'] == 'alice'
    assert own.headers['X-Subject-Token'] == alice
    other = gw.call('GET', TOKENS, token=gw.token('bob'), headers={'X-Subject-Token': alice})
    assert other.status_int == 403
    admin = gw.call('GET', TOKENS, token=gw.token('admin'), headers={'X-Subject-Token': alice})
    assert admin.status_int == 200
    bogus = gw.call('GET', TOKENS, token=alice, headers={'X-Subject-Token': 'st1.x.y'})
    assert bogus.status_int == 404


def test_validate_needs_a_token(gw):
    assert gw.call('GET', TOKENS, headers={'X-Subject-Token': 'x'}).status_int == 401


def test_projects_for_admin(gw):
    admin = gw.token('admin')
    by_name = gw.call('GET', '/identity/v3/projects/demo', token=admin)
    assert by_name.status_int == 200 and by_name.json['project']['id'] == _pid('demo')
    by_id = gw.call('GET', f"/identity/v3/projects/{_pid('demo')}", token=admin)
    assert by_id.json['project']['name'] == 'demo'
    assert gw.call('GET', '/identity/v3/projects/nope', token=admin).status_int == 404
    listed = gw.call('GET', '/identity/v3/projects?name=other', token=admin)
    assert [p['name'] for p in listed.json['projects']] == ['other']
    everything = gw.call('GET', '/identity/v3/projects', token=admin)
    assert {p['name'] for p in everything.json['projects']} == {'admin', 'demo', 'other'}


def test_projects_for_non_admin(gw):
    alice = gw.token('alice')
    assert gw.call('GET', '/identity/v3/projects/other', token=alice).status_int == 403
    assert gw.call('GET', '/identity/v3/projects/nope', token=alice).status_int == 403
    assert gw.call('GET', '/identity/v3/projects?name=demo', token=alice).status_int == 403
    # Keystone lets a member read their own project.
    assert gw.call('GET', '/identity/v3/projects/demo', token=alice).status_int == 200


def test_project_routes_need_a_token(gw):
    assert gw.call('GET', '/identity/v3/projects').status_int == 401
    assert gw.call('GET', '/identity/v3/projects/demo', token='garbage').status_int == 401


def test_domains_list_and_show_for_admins(cloud, admin, demo):
    """Tempest's credential client looks the Default domain up by name."""
    listed = admin.get('/identity/v3/domains', params={'name': 'Default'})
    assert listed.status_code == 200, listed.text
    assert [d['id'] for d in listed.json()['domains']] == ['default']
    assert admin.get('/identity/v3/domains', params={'name': 'Other'}).json()['domains'] == []
    assert admin.get('/identity/v3/domains/default').json()['domain']['name'] == 'Default'
    assert admin.get('/identity/v3/domains/nope').status_code == 404
    assert demo.get('/identity/v3/domains').status_code == 403
