"""/os-keypairs over HTTP: generate, import, per-user isolation, admin user_id, paging."""
import base64
import hashlib
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
import pytest

from tests.functional import tempest_schema

K = '/compute/v2.1/os-keypairs'


def _v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


def _name(prefix='kp'):
    return f'{prefix}-{uuid.uuid4().hex[:8]}'


def _ssh_public():
    key = ec.generate_private_key(ec.SECP384R1())
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()


def _md5(public):
    digest = hashlib.md5(base64.b64decode(public.split()[1])).hexdigest()  # noqa: S324
    return ':'.join(digest[i:i + 2] for i in range(0, 32, 2))


def create(client, version, **keypair):
    return client.post(K, json={'keypair': keypair}, headers=_v(version))


def test_v21_generate_show_list_delete(demo):
    name = _name()
    resp = create(demo, '2.1', name=name)
    tempest_schema.check(resp, 'v2_1', 'keypairs', 'create_keypair')
    made = resp.json()['keypair']
    assert set(made) == {'name', 'public_key', 'fingerprint', 'user_id', 'private_key'}
    assert made['public_key'].startswith('ssh-rsa ')
    assert made['fingerprint'] == _md5(made['public_key'])
    assert 'PRIVATE KEY' in made['private_key']
    shown = demo.get(f'{K}/{name}', headers=_v('2.1'))
    tempest_schema.check(shown, 'v2_1', 'keypairs', 'get_keypair')
    assert 'private_key' not in shown.json()['keypair']
    listed = demo.get(K, headers=_v('2.1'))
    tempest_schema.check(listed, 'v2_1', 'keypairs', 'list_keypairs')
    entry = {'name': name, 'public_key': made['public_key'], 'fingerprint': made['fingerprint']}
    assert {'keypair': entry} in listed.json()['keypairs']
    gone = demo.delete(f'{K}/{name}', headers=_v('2.1'))
    tempest_schema.check(gone, 'v2_1', 'keypairs', 'delete_keypair')
    assert demo.get(f'{K}/{name}').status_code == 404
    assert demo.delete(f'{K}/{name}').status_code == 404


@pytest.mark.parametrize('key_type', ['ssh', 'x509'])
def test_v22_types(demo, key_type):
    name = _name()
    resp = create(demo, '2.2', name=name, type=key_type)
    tempest_schema.check(resp, 'v2_2', 'keypairs', 'create_keypair')
    made = resp.json()['keypair']
    assert made['type'] == key_type and made['private_key']
    if key_type == 'x509':
        assert made['public_key'].startswith('-----BEGIN CERTIFICATE-----')
        assert len(made['fingerprint'].split(':')) == 20   # SHA-1 of the certificate
    shown = demo.get(f'{K}/{name}', headers=_v('2.2'))
    tempest_schema.check(shown, 'v2_2', 'keypairs', 'get_keypair')
    assert shown.json()['keypair']['type'] == key_type
    listed = demo.get(K, headers=_v('2.2'))
    tempest_schema.check(listed, 'v2_2', 'keypairs', 'list_keypairs')
    assert [k['keypair']['type'] for k in listed.json()['keypairs']
            if k['keypair']['name'] == name] == [key_type]
    tempest_schema.check(demo.delete(f'{K}/{name}', headers=_v('2.2')), 'v2_2', 'keypairs',
                         'delete_keypair')


def test_import_public_key(demo):
    name, public = _name(), _ssh_public()
    resp = create(demo, '2.96', name=name, public_key=public)
    assert resp.status_code == 201, resp.text
    made = resp.json()['keypair']
    assert 'private_key' not in made
    assert made['public_key'] == public and made['fingerprint'] == _md5(public)
    assert demo.delete(f'{K}/{name}').status_code == 204


@pytest.mark.parametrize('public', ['ssh-rsa JUNK nova@ubuntu', ' ', '',
                                    'ssh-rsa ' + 'A' * 2048 + ' openstack@ubuntu'])
def test_bad_public_key_is_400(demo, public):
    assert create(demo, '2.96', name=_name(), public_key=public).status_code == 400


def test_bad_x509_certificate_is_400(demo):
    resp = create(demo, '2.96', name=_name(), public_key=_ssh_public(), type='x509')
    assert resp.status_code == 400, resp.text


@pytest.mark.parametrize('name', ['', 'k' * 256, r'key_/.\@:', ' lead', 'trail ', 'a\tb'])
def test_bad_names_are_400(demo, name):
    assert create(demo, '2.91', name=name).status_code == 400
    assert create(demo, '2.96', name=name, public_key=_ssh_public()).status_code == 400


def test_292_widens_names_and_requires_a_public_key(demo):
    name = _name('k@example.com')
    assert create(demo, '2.91', name=name).status_code == 400
    assert create(demo, '2.92', name=_name()).status_code == 400   # no generation
    resp = create(demo, '2.92', name=name, public_key=_ssh_public())
    assert resp.status_code == 201, resp.text
    assert demo.get(f'{K}/{name}').json()['keypair']['name'] == name
    assert demo.delete(f'{K}/{name}').status_code == 204


def test_longest_name_and_duplicate_is_409(demo):
    name = 'k' * 255
    assert create(demo, '2.91', name=name).status_code == 201
    try:
        assert create(demo, '2.91', name=name).status_code == 409
        assert create(demo, '2.96', name=name, public_key=_ssh_public()).status_code == 409
    finally:
        demo.delete(f'{K}/{name}')


def test_keypairs_are_per_user(demo, alt):
    name = _name()
    assert create(demo, '2.91', name=name).status_code == 201
    try:
        assert alt.get(f'{K}/{name}').status_code == 404
        assert alt.delete(f'{K}/{name}').status_code == 404
        assert name not in [k['keypair']['name'] for k in alt.get(K).json()['keypairs']]
        assert create(alt, '2.91', name=name).status_code == 201   # names are per user
        assert alt.delete(f'{K}/{name}').status_code == 204
    finally:
        assert demo.delete(f'{K}/{name}').status_code == 204


def test_admin_manages_another_users_keypairs_from_210(admin, demo, alt):
    mine = create(demo, '2.91', name=_name()).json()['keypair']
    demo_user = mine['user_id']
    demo.delete(f'{K}/{mine["name"]}')
    name = _name()
    assert create(admin, '2.9', name=name, user_id=demo_user).status_code == 400
    resp = create(admin, '2.10', name=name, user_id=demo_user, type='ssh')
    tempest_schema.check(resp, 'v2_2', 'keypairs', 'create_keypair')
    assert resp.json()['keypair']['user_id'] == demo_user
    assert demo.get(f'{K}/{name}').status_code == 200          # it is demo's
    assert admin.get(f'{K}/{name}').status_code == 404          # not admin's
    shown = admin.get(f'{K}/{name}', params={'user_id': demo_user}, headers=_v('2.10'))
    assert shown.json()['keypair']['user_id'] == demo_user
    listed = admin.get(K, params={'user_id': demo_user}, headers=_v('2.10')).json()
    assert name in [k['keypair']['name'] for k in listed['keypairs']]
    # A non-admin may not reach another user's keypairs.
    assert alt.get(K, params={'user_id': demo_user}).status_code == 403
    assert alt.get(f'{K}/{name}', params={'user_id': demo_user}).status_code == 403
    assert create(alt, '2.10', name=_name(), user_id=demo_user).status_code == 403
    assert alt.delete(f'{K}/{name}', params={'user_id': demo_user}).status_code == 403
    gone = admin.delete(f'{K}/{name}', params={'user_id': demo_user}, headers=_v('2.10'))
    assert gone.status_code == 204
    assert demo.get(f'{K}/{name}').status_code == 404


def test_paging_from_235(alt):
    names = sorted(f'page-{uuid.uuid4().hex[:6]}-{i}' for i in range(3))
    for name in names:
        assert create(alt, '2.91', name=name).status_code == 201
    try:
        own = sorted(k['keypair']['name'] for k in alt.get(K).json()['keypairs'])
        first = alt.get(K, params={'limit': 2}, headers=_v('2.35')).json()
        assert [k['keypair']['name'] for k in first['keypairs']] == own[:2]
        assert 'marker=' in first['keypairs_links'][0]['href']
        rest = alt.get(K, params={'limit': 1000, 'marker': own[1]}, headers=_v('2.35')).json()
        assert [k['keypair']['name'] for k in rest['keypairs']] == own[2:]
        assert 'keypairs_links' not in rest
        # Before 2.35 limit means nothing; a bad limit or an unknown marker is a 400 after.
        assert len(alt.get(K, params={'limit': 1}, headers=_v('2.34')).json()['keypairs']) \
            == len(own)
        for params in ({'limit': -1}, {'limit': 'x'}, {'marker': 'no-such-keypair'}):
            assert alt.get(K, params=params, headers=_v('2.35')).status_code == 400
    finally:
        for name in names:
            alt.delete(f'{K}/{name}')


def test_malformed_bodies_are_400(demo):
    for body in ({}, {'keypair': 'x'}, {'keypair': {'name': _name(), 'bogus': 1}},
                 {'keypair': {'name': _name(), 'type': 'pgp'}}):
        assert demo.post(K, json=body, headers=_v('2.91')).status_code == 400
    # type is 2.2+, user_id 2.10+
    assert create(demo, '2.1', name=_name(), type='ssh').status_code == 400


@pytest.mark.parametrize('name', ['with space', 'dash-under_score', 'dots.and@at'])
def test_names_in_urls(demo, name):
    name = f'{name}{uuid.uuid4().hex[:4]}'
    assert create(demo, '2.92', name=name, public_key=_ssh_public()).status_code == 201
    assert demo.get(f'{K}/{name}').json()['keypair']['name'] == name
    assert demo.delete(f'{K}/{name}').status_code == 204
    assert demo.get(f'{K}/{name}').status_code == 404
