"""The Glance v2 subset end to end through the WSGI app, plus one run of openstacksdk over HTTP."""
import hashlib
import json

import pytest

from api import identity_store
from image import importer
from image import qemu_img
from tests.functional import _gateway

IMAGES = '/image/v2/images'
OCTETS = {'Content-Type': 'application/octet-stream'}


@pytest.fixture
def gw(tmp_path):
    gateway = _gateway.Gateway(tmp_path)
    yield gateway
    gateway.close()


def _create(gw, user='alice', **body):
    body.setdefault('name', 'img')
    body.setdefault('disk_format', 'raw')
    body.setdefault('container_format', 'bare')
    resp = gw.call('POST', IMAGES, token=gw.token(user), json_body=body)
    assert resp.status_int == 201, resp.text
    return resp.json


def _upload(gw, image_id, data, user='alice'):
    return gw.call('PUT', f'{IMAGES}/{image_id}/file', token=gw.token(user), body=data,
                   headers=dict(OCTETS))


def test_versions_document_is_public(gw):
    resp = gw.call('GET', '/image/')
    assert resp.status_int == 300
    current = resp.json['versions'][0]
    assert current['id'] == 'v2.16' and current['status'] == 'CURRENT'
    assert current['links'] == [{'rel': 'self', 'href': 'http://localhost/image/v2/'}]


def test_list_needs_a_token(gw):
    assert gw.call('GET', IMAGES).status_int == 401
    assert gw.call('GET', IMAGES, token='st1.bad.token').status_int == 401


def test_token_then_empty_list(gw):
    resp = gw.call('GET', IMAGES, token=gw.token('alice'))
    assert resp.status_int == 200
    assert resp.json == {'images': [], 'first': '/v2/images', 'schema': '/v2/schemas/images'}


def test_schemas(gw):
    image = gw.call('GET', '/image/v2/schemas/image', token=gw.token('alice'))
    assert image.json['name'] == 'image' and 'disk_format' in image.json['properties']
    images = gw.call('GET', '/image/v2/schemas/images', token=gw.token('alice'))
    assert images.json['name'] == 'images'


def test_create_view(gw):
    image = _create(gw, min_ram=64, protected=False, hw_disk_bus='virtio', tags=['a'])
    assert image['status'] == 'queued' and image['visibility'] == 'shared'
    assert image['owner'] == identity_store.stable_id('project', 'demo')
    assert image['hw_disk_bus'] == 'virtio' and image['tags'] == ['a']
    assert image['min_ram'] == 64 and image['min_disk'] == 0 and image['os_hidden'] is False
    assert image['self'] == f"/v2/images/{image['id']}"
    assert image['file'] == f"/v2/images/{image['id']}/file"
    assert image['schema'] == '/v2/schemas/image'
    assert image['created_at'].endswith('Z') and image['size'] is None
    shown = gw.call('GET', f"{IMAGES}/{image['id']}", token=gw.token('alice'))
    assert shown.json == image


def test_create_with_given_id_and_duplicate(gw):
    image_id = '6a1c2e6e-54c9-4a47-9cbb-4a8a0ad0e0a1'
    assert _create(gw, id=image_id)['id'] == image_id
    again = gw.call('POST', IMAGES, token=gw.token('alice'), json_body={'id': image_id})
    assert again.status_int == 409


def test_upload_download_round_trip(gw):
    data = bytes(range(256)) * 1000 + b'tail'
    image = _create(gw)
    assert _upload(gw, image['id'], data).status_int == 204
    shown = gw.call('GET', f"{IMAGES}/{image['id']}", token=gw.token('alice')).json
    assert shown['status'] == 'active' and shown['size'] == len(data)
    assert shown['checksum'] == hashlib.md5(data).hexdigest()
    assert shown['os_hash_algo'] == 'sha512'
    assert shown['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert shown['virtual_size'] == len(data)  # raw
    got = gw.call('GET', f"{IMAGES}/{image['id']}/file", token=gw.token('alice'))
    assert got.status_int == 200 and got.body == data
    assert got.headers['Content-Type'] == 'application/octet-stream'
    assert got.headers['Content-MD5'] == shown['checksum']


def test_qcow2_virtual_size_from_header(gw, tmp_path):
    # A real qcow2 (the upload is probed with qemu-img; a bare header is not one).
    path = tmp_path / 'disk.qcow2'
    qemu_img.create_blank(str(path), 1 << 30)
    image = _create(gw, disk_format='qcow2')
    assert _upload(gw, image['id'], path.read_bytes()).status_int == 204
    shown = gw.call('GET', f"{IMAGES}/{image['id']}", token=gw.token('alice')).json
    assert shown['virtual_size'] == 1 << 30


def test_download_without_data_is_204(gw):
    image = _create(gw)
    assert gw.call('GET', f"{IMAGES}/{image['id']}/file",
                   token=gw.token('alice')).status_int == 204


def test_second_upload_is_409_and_wrong_type_415(gw):
    image = _create(gw)
    assert _upload(gw, image['id'], b'one').status_int == 204
    assert _upload(gw, image['id'], b'two').status_int == 409
    other = _create(gw)
    resp = gw.call('PUT', f"{IMAGES}/{other['id']}/file", token=gw.token('alice'),
                   body=b'x', headers={'Content-Type': 'text/plain'})
    assert resp.status_int == 415


def test_failed_upload_goes_back_to_queued(gw, monkeypatch):
    image = _create(gw)

    def broken_put(image_id, data):
        # Leave partial bits behind, as a store that failed half way might.
        with open(gw.store._file(image_id), 'wb') as out:
            out.write(next(iter(data)))
        raise OSError('disk full')

    monkeypatch.setattr(gw.store, 'put', broken_put)
    assert _upload(gw, image['id'], b'abc').status_int == 500
    monkeypatch.undo()
    assert not gw.store.exists(image['id'])
    shown = gw.call('GET', f"{IMAGES}/{image['id']}", token=gw.token('alice')).json
    assert shown['status'] == 'queued'
    assert _upload(gw, image['id'], b'abc').status_int == 204


def test_list_filters(gw):
    a = _create(gw, name='a')
    b = _create(gw, name='b')
    c = _create(gw, name='c')
    _upload(gw, b['id'], b'bits')
    tok = gw.token('alice')

    def names(query):
        resp = gw.call('GET', f'{IMAGES}?{query}', token=tok)
        assert resp.status_int == 200, resp.text
        return [i['name'] for i in resp.json['images']]

    assert names('') == ['c', 'b', 'a']
    assert names('name=b') == ['b']
    assert names('status=active') == ['b']
    assert names('status=queued') == ['c', 'a']
    assert names(f"id=in:{a['id']},{c['id']}") == ['c', 'a']
    assert names(f'id=in:"{a["id"]}"') == ['a']
    assert names('name=in:a,b') == ['b', 'a']
    assert names('visibility=shared') == ['c', 'b', 'a']
    assert names('visibility=public') == []
    assert names('visibility=all&limit=1') == ['c']
    assert gw.call('GET', f'{IMAGES}?limit=x', token=tok).status_int == 400
    assert gw.call('GET', f'{IMAGES}?visibility=odd', token=tok).status_int == 400
    assert gw.call('GET', f'{IMAGES}?marker=nope', token=tok).status_int == 400


def test_pagination_terminates_and_sees_everything(gw):
    created = {_create(gw, name=f'i{n}')['id'] for n in range(7)}
    tok = gw.token('alice')
    url, seen, pages = f'{IMAGES}?limit=3&status=queued', [], 0
    while url:
        body = gw.call('GET', url, token=tok).json
        seen += [i['id'] for i in body['images']]
        url = '/image' + body['next'] if 'next' in body else None
        pages += 1
        assert pages < 10
    assert pages == 3 and len(seen) == 7 and set(seen) == created
    assert 'status=queued' in body['first']


def test_full_last_page_gives_one_empty_page(gw):
    for n in range(2):
        _create(gw, name=f'i{n}')
    tok = gw.token('alice')
    first = gw.call('GET', f'{IMAGES}?limit=2', token=tok).json
    assert len(first['images']) == 2
    second = gw.call('GET', '/image' + first['next'], token=tok).json
    assert second['images'] == [] and 'next' not in second


def test_delete_then_404_and_bits_gone(gw):
    image = _create(gw)
    _upload(gw, image['id'], b'bits')
    url = f"{IMAGES}/{image['id']}"
    assert gw.call('DELETE', url, token=gw.token('alice')).status_int == 204
    assert gw.call('GET', url, token=gw.token('alice')).status_int == 404
    assert gw.call('DELETE', url, token=gw.token('alice')).status_int == 404
    assert not gw.store.exists(image['id'])


def test_protected_image_cannot_be_deleted(gw):
    image = _create(gw, protected=True)
    resp = gw.call('DELETE', f"{IMAGES}/{image['id']}", token=gw.token('alice'))
    assert resp.status_int == 403


def test_other_projects_private_image_is_404(gw):
    image = _create(gw, visibility='private')
    url = f"{IMAGES}/{image['id']}"
    bob = gw.token('bob')
    assert gw.call('GET', url, token=bob).status_int == 404
    assert gw.call('GET', url + '/file', token=bob).status_int == 404
    assert gw.call('DELETE', url, token=bob).status_int == 404
    assert gw.call('GET', IMAGES, token=bob).json['images'] == []
    admin = gw.call('GET', IMAGES, token=gw.token('admin')).json['images']
    assert [i['id'] for i in admin] == [image['id']]


def test_public_image_visible_but_not_writable_by_others(gw):
    image = _create(gw, user='admin', visibility='public')
    url = f"{IMAGES}/{image['id']}"
    bob = gw.token('bob')
    assert gw.call('GET', url, token=bob).status_int == 200
    assert [i['id'] for i in gw.call('GET', IMAGES, token=bob).json['images']] == [image['id']]
    assert gw.call('DELETE', url, token=bob).status_int == 403
    assert _upload(gw, image['id'], b'x', user='bob').status_int == 403


def test_member_cannot_publicize_and_reader_cannot_create(gw):
    resp = gw.call('POST', IMAGES, token=gw.token('alice'), json_body={'visibility': 'public'})
    assert resp.status_int == 403
    resp = gw.call('POST', IMAGES, token=gw.token('rita'), json_body={'name': 'r'})
    assert resp.status_int == 403


def test_names_are_not_ids(gw):
    _create(gw, name='cirros')
    resp = gw.call('GET', f'{IMAGES}/cirros', token=gw.token('alice'))
    assert resp.status_int == 404
    assert gw.call('GET', f'{IMAGES}/cirros/file', token=gw.token('alice')).status_int == 404


@pytest.mark.parametrize('body,code', [
    ({'disk_format': 'floppy'}, 400), ({'min_ram': -1}, 400), ({'min_disk': 'x'}, 400),
    ({'protected': 'yes'}, 400), ({'id': 'not-a-uuid'}, 400), ({'name': 'x' * 256}, 400),
    ({'custom': 5}, 400), ({'visibility': 'everyone'}, 400), ({'status': 'active'}, 403),
    ({'size': 3}, 403), ({'owner': 'someone-else'}, 403)])
def test_create_validation(gw, body, code):
    resp = gw.call('POST', IMAGES, token=gw.token('alice'), json_body=body)
    assert resp.status_int == code, resp.text


def test_malformed_json_is_400(gw):
    resp = gw.call('POST', IMAGES, token=gw.token('alice'), body=b'{"name": ',
                   headers={'Content-Type': 'application/json'})
    assert resp.status_int == 400
    resp = gw.call('POST', IMAGES, token=gw.token('alice'), json_body=['list'])
    assert resp.status_int == 400


PATCH = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}


def _patch(gw, image_id, ops, user='alice', headers=PATCH):
    return gw.call('PATCH', f'{IMAGES}/{image_id}', token=gw.token(user),
                   body=json.dumps(ops).encode(), headers=dict(headers))


def test_patch_updates_core_and_properties(gw):
    image = _create(gw, os_distro='cirros', hw_disk_bus='ide')
    resp = _patch(gw, image['id'], [
        {'op': 'replace', 'path': '/name', 'value': 'renamed'},
        {'op': 'add', 'path': '/min_ram', 'value': 128},
        {'op': 'add', 'path': '/hw_qemu_guest_agent', 'value': 'yes'},
        {'op': 'replace', 'path': '/os_distro', 'value': 'ubuntu'},
        {'op': 'remove', 'path': '/hw_disk_bus'},
        {'op': 'replace', 'path': '/tags', 'value': ['x']}])
    assert resp.status_int == 200, resp.text
    doc = resp.json
    assert (doc['name'], doc['min_ram'], doc['os_distro'], doc['tags']) == \
        ('renamed', 128, 'ubuntu', ['x'])
    assert doc['hw_qemu_guest_agent'] == 'yes' and 'hw_disk_bus' not in doc
    assert gw.call('GET', f"{IMAGES}/{image['id']}", token=gw.token('alice')).json == doc


@pytest.mark.parametrize('ops,code', [
    ([{'op': 'replace', 'path': '/status', 'value': 'active'}], 403),
    ([{'op': 'remove', 'path': '/name'}], 403),
    ([{'op': 'remove', 'path': '/nothing'}], 409),
    ([{'op': 'replace', 'path': '/nothing', 'value': 'x'}], 409),
    ([{'op': 'replace', 'path': '/min_ram', 'value': 'lots'}], 400),
    ([{'op': 'replace', 'path': '/visibility', 'value': 'public'}], 403),
    ([{'op': 'move', 'path': '/name'}], 400), ({'op': 'add'}, 400)])
def test_patch_refusals(gw, ops, code):
    image = _create(gw)
    assert _patch(gw, image['id'], ops).status_int == code


def test_patch_needs_patch_media_type_and_ownership(gw):
    image = _create(gw, user='admin', visibility='public')
    ops = [{'op': 'replace', 'path': '/name', 'value': 'n'}]
    assert _patch(gw, image['id'], ops, user='bob').status_int == 403
    assert _patch(gw, image['id'], ops, user='admin', headers=OCTETS).status_int == 415


def test_importer(gw, tmp_path):
    src = tmp_path / 'disk.raw'
    src.write_bytes(b'\1' * 5000)
    image = importer.import_file(gw.db, gw.store, str(src), 'imported', disk_format='raw',
                                 properties={'os_distro': 'cirros'})
    assert image['status'] == 'active' and image['size'] == 5000
    assert image['visibility'] == 'public' and image['virtual_size'] == 5000
    got = gw.call('GET', f"{IMAGES}/{image['id']}/file", token=gw.token('bob'))
    assert got.body == b'\1' * 5000
    listed = gw.call('GET', f'{IMAGES}?name=imported', token=gw.token('bob')).json['images']
    assert listed[0]['os_distro'] == 'cirros'
    with pytest.raises(FileNotFoundError):
        importer.import_file(gw.db, gw.store, str(tmp_path / 'missing'), 'x')
    assert gw.call('GET', f'{IMAGES}?name=x', token=gw.token('admin')).json['images'] == []


def test_openstacksdk_against_the_gateway(gw):
    openstack = pytest.importorskip('openstack')
    with _gateway.Server(gw.app) as server:
        conn = openstack.connect(
            auth_url=server.url + '/identity/v3', username='admin', password='admin',
            project_name='admin', user_domain_name='Default', project_domain_name='Default',
            region_name='RegionOne')
        assert list(conn.image.images()) == []
        data = b'sdk image bits' * 1000
        # raw: the upload is probed, and these bytes are no qcow2.
        image = conn.image.create_image(name='sdk', data=data, disk_format='raw',
                                        container_format='bare', validate_checksum=True)
        fetched = conn.image.get_image(image.id)
        assert fetched.status == 'active' and fetched.size == len(data)
        assert fetched.checksum == hashlib.md5(data).hexdigest()
        assert [i.name for i in conn.image.images()] == ['sdk']
        assert conn.image.find_image('sdk').id == image.id
        assert conn.image.download_image(fetched).content == data
        conn.image.update_image(image, name='renamed', min_ram=64, os_distro='cirros')
        fetched = conn.image.get_image(image.id)
        assert (fetched.name, fetched.min_ram, fetched.os_distro) == ('renamed', 64, 'cirros')
        assert conn.image.find_image('renamed').id == image.id
        conn.image.delete_image(image.id)
        assert conn.image.find_image('renamed') is None


def test_db_list_takes_a_filter_dict_or_keywords(gw):
    from db import images as images_db
    a = _create(gw, name='a')
    _create(gw, name='b')
    assert [i['name'] for i in images_db.list_(gw.db, {})] == ['b', 'a']
    assert [i['id'] for i in images_db.list_(gw.db, {'name': 'a'})] == [a['id']]
    assert [i['name'] for i in images_db.list_(gw.db, ids=[a['id']], limit=5)] == ['a']
    with pytest.raises(TypeError):
        images_db.list_(gw.db, {'colour': 'red'})
