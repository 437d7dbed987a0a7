"""Server fields the user sets: key_name at boot, access IPs, description, PUT /servers/{id}."""
import uuid

import pytest

from db import instances
from tests.functional import tempest_schema

S = '/compute/v2.1/servers'
K = '/compute/v2.1/os-keypairs'


def _v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


@pytest.fixture(scope='module')
def server(demo, image_id):
    """One ACTIVE demo server for the update tests."""
    with demo.booted(f'upd-{uuid.uuid4().hex[:6]}', image_id) as server_id:
        yield server_id


def _put(client, server_id, version, **fields):
    return client.request('PUT', f'{S}/{server_id}', json={'server': fields},
                          headers=_v(version))


def test_boot_with_key_name_copies_the_public_key(cloud, demo, alt, image_id):
    name = f'boot-{uuid.uuid4().hex[:6]}'
    made = demo.post(K, json={'keypair': {'name': name}}, headers=_v('2.91')).json()['keypair']
    try:
        # Unknown names, and another user's keypair, are a 400 at boot.
        assert demo.create_server('kn', image_id, key_name='nope').status_code == 400
        assert alt.create_server('kn', image_id, key_name=name).status_code == 400
        server_id = demo.boot('kn', image_id, key_name=name)
        try:
            assert demo.server(server_id)['key_name'] == name
            assert instances.get(cloud.db, server_id)['key_data'] == made['public_key']
            assert demo.delete(f'{K}/{name}').status_code == 204
            # The server keeps what it booted with.
            assert demo.server(server_id)['key_name'] == name
            assert instances.get(cloud.db, server_id)['key_data'] == made['public_key']
        finally:
            demo.delete_all([server_id])
    finally:
        demo.delete(f'{K}/{name}')


def test_boot_with_access_ips_and_description(demo, image_id):
    resp = demo.create_server('acc', image_id, accessIPv4='1.1.1.1',
                              accessIPv6='0000:0000:0000:0000:0000:babe:220.12.22.2',
                              description='first')
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    try:
        shown = demo.wait_status(server_id, {'ACTIVE'})
        assert shown['accessIPv4'] == '1.1.1.1'
        assert shown['accessIPv6'] == '::babe:dc0c:1602'   # stored normalized, as Nova
        assert shown['description'] == 'first'
        old = demo.get(f'{S}/{server_id}', headers=_v('2.18')).json()['server']
        assert 'description' not in old and old['accessIPv4'] == '1.1.1.1'
    finally:
        demo.delete_all([server_id])


@pytest.mark.parametrize('fields', [{'accessIPv4': '1.1.1.1.1.1'}, {'accessIPv6': 'notvalid'},
                                    {'accessIPv4': '::1'}, {'accessIPv6': '10.0.0.1'},
                                    {'accessIPv4': ''}, {'description': 'x' * 256},
                                    {'description': 'bell\x07'}])
def test_boot_with_bad_fields_is_400(demo, image_id, fields):
    resp = demo.create_server('bad', image_id, **fields)
    if resp.status_code == 202:   # don't leave a server behind when this fails
        demo.delete_all([resp.json()['server']['id']])
    assert resp.status_code == 400, resp.text


def test_description_needs_219_at_boot(demo, image_id):
    resp = demo.post(S, headers=_v('2.18'), json={'server': {
        'name': 'd', 'imageRef': image_id, 'flavorRef': '42', 'description': 'x'}})
    assert resp.status_code == 400, resp.text


@pytest.mark.parametrize('version,module', [('2.1', 'v2_1'), ('2.9', 'v2_9'),
                                            ('2.19', 'v2_19'), ('2.26', 'v2_26'),
                                            ('2.47', 'v2_47'), ('2.73', 'v2_73'),
                                            ('2.75', 'v2_75'), ('2.96', 'v2_96')])
def test_update_body_matches_tempest_schema(demo, server, version, module):
    resp = _put(demo, server, version)
    tempest_schema.check(resp, module, 'servers', 'update_server')
    body = resp.json()['server']
    # Before 2.75 the update body has none of GET's extension attributes.
    assert ('key_name' in body) == (version == '2.75' or version == '2.96')


def test_update_name_description_and_access_ips(demo, server):
    resp = _put(demo, server, '2.19', name='renamed-\u00cd\u00f1st', description='hello',
                accessIPv4='10.1.2.3', accessIPv6='2001:DB8::0001')
    assert resp.status_code == 200, resp.text
    body = resp.json()['server']
    assert (body['name'], body['description']) == ('renamed-\u00cd\u00f1st', 'hello')
    assert (body['accessIPv4'], body['accessIPv6']) == ('10.1.2.3', '2001:db8::1')
    shown = demo.server(server)
    assert (shown['name'], shown['description'], shown['accessIPv4']) == (
        'renamed-\u00cd\u00f1st', 'hello', '10.1.2.3')
    # An empty body changes nothing; a null description clears it.
    assert _put(demo, server, '2.19').json()['server']['description'] == 'hello'
    assert _put(demo, server, '2.19', description=None).json()['server']['description'] is None


@pytest.mark.parametrize('version,fields', [
    ('2.96', {'name': ''}), ('2.96', {'name': 'a' * 256}), ('2.96', {'name': ' lead'}),
    ('2.96', {'accessIPv4': '1.1.1.1.1.1'}), ('2.96', {'accessIPv6': 'notvalid'}),
    ('2.96', {'accessIPv4': ''}), ('2.96', {'description': 'd' * 256}),
    ('2.18', {'description': 'too early'}), ('2.96', {'flavorRef': '1'}),
    ('2.96', {'OS-DCF:diskConfig': 'SOMETIMES'})])
def test_bad_updates_are_400(demo, server, version, fields):
    assert _put(demo, server, version, **fields).status_code == 400


def test_update_errors(demo, alt, server, cloud):
    assert _put(demo, str(uuid.uuid4()), '2.96', name='x').status_code == 404
    assert _put(alt, server, '2.96', name='x').status_code == 404   # another project's
    resp = demo.request('PUT', f'{S}/{server}', json={'name': 'x'})
    assert resp.status_code == 400
    assert demo.request('PUT', f'{S}/{server}', data='nope').status_code == 400


def test_update_is_allowed_on_a_locked_server(demo, server):
    demo.act(server, {'lock': None})
    try:
        resp = _put(demo, server, '2.96', name='still-renamable')
        assert resp.status_code == 200, resp.text   # Nova has no lock check on update
        assert demo.server(server)['name'] == 'still-renamable'
    finally:
        demo.act(server, {'unlock': None})


def test_reader_may_not_update(cloud, server):
    from tests.functional import client as client_mod
    viewer = client_mod.Client(cloud.url, 'viewer', 'viewerpw', 'demo')
    assert viewer.get(f'{S}/{server}').status_code == 200
    assert _put(viewer, server, '2.96', name='nope').status_code == 403
