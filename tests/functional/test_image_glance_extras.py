"""Glance v2 behaviour tempest checks: v2.0 JSON-patch, reserved names, tags,
deactivate/reactivate, empty ids, import info, chunked uploads over real HTTP and
format checks at upload."""
import http.client
import io
import json

import pytest

from api import router
from api.handlers import identity as identity_handlers
from api.handlers import image_actions
from api.handlers import images as images_handlers
from image import qemu_img
from launch import chunked
from launch import http as http_mod
from tests.functional import _gateway

IMAGES = '/image/v2/images'
V20 = {'Content-Type': 'application/openstack-images-v2.0-json-patch'}
V21 = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}
OCTETS = {'Content-Type': 'application/octet-stream'}


@pytest.fixture
def gw(tmp_path):
    gateway = _gateway.Gateway(tmp_path)
    gateway.app = router.App(gateway.deps,
                             [identity_handlers, images_handlers, image_actions])
    yield gateway
    gateway.close()


def _create(gw, user='alice', **body):
    body.setdefault('disk_format', 'raw')
    body.setdefault('container_format', 'bare')
    resp = gw.call('POST', IMAGES, token=gw.token(user), json_body=body)
    assert resp.status_int == 201, resp.text
    return resp.json


def _patch(gw, image_id, ops, headers, user='alice'):
    return gw.call('PATCH', f'{IMAGES}/{image_id}', token=gw.token(user),
                   body=json.dumps(ops).encode(), headers=dict(headers))


def _show(gw, image_id, user='alice'):
    return gw.call('GET', f'{IMAGES}/{image_id}', token=gw.token(user))


def test_v20_patch_names_the_op_by_its_key(gw):
    image = _create(gw, name='old', hw_disk_bus='ide')
    resp = _patch(gw, image['id'], [{'replace': '/name', 'value': 'new'},
                                    {'add': '/os_distro', 'value': 'cirros'},
                                    {'remove': '/hw_disk_bus'}], V20)
    assert resp.status_int == 200, resp.text
    assert resp.json['name'] == 'new' and resp.json['os_distro'] == 'cirros'
    assert 'hw_disk_bus' not in resp.json


@pytest.mark.parametrize('ops', [
    [{'op': 'replace', 'path': '/name', 'value': 'x'}],      # v2.1 shape under v2.0
    [{'replace': '/name', 'add': '/name', 'value': 'x'}],   # two ops in one object
    {'replace': '/name', 'value': 'x'},                      # not a list
])
def test_v20_patch_malformed_is_400(gw, ops):
    image = _create(gw)
    assert _patch(gw, image['id'], ops, V20).status_int == 400


def test_v20_add_existing_is_409_but_v21_add_replaces(gw):
    image = _create(gw, os_distro='a')
    assert _patch(gw, image['id'], [{'add': '/os_distro', 'value': 'b'}],
                  V20).status_int == 409
    resp = _patch(gw, image['id'], [{'op': 'add', 'path': '/os_distro', 'value': 'b'}], V21)
    assert resp.status_int == 200 and resp.json['os_distro'] == 'b'


def test_admin_changes_owner_with_v20_patch(gw):
    image = _create(gw, user='admin', owner='aaaa')
    resp = _patch(gw, image['id'], [{'replace': '/owner', 'value': 'bbbb'}], V20,
                  user='admin')
    assert resp.status_int == 200 and _show(gw, image['id'], 'admin').json['owner'] == 'bbbb'


def test_reserved_os_glance_names_are_403(gw):
    resp = gw.call('POST', IMAGES, token=gw.token('alice'),
                   json_body={'name': 'x', 'os_glance_foo': 'bar'})
    assert resp.status_int == 403
    image = _create(gw)
    assert _patch(gw, image['id'], [{'add': '/os_glance_foo', 'value': 'bar'}],
                  V20).status_int == 403
    assert _patch(gw, image['id'], [{'op': 'add', 'path': '/os_glance_x', 'value': 'y'}],
                  V21).status_int == 403


def test_protected_image_refuses_delete_until_unprotected(gw):
    # tempest's cleanup unprotects with a v2.0 patch; if that fails the image stays and
    # tearDownClass waits 300 s for a delete that can never happen.
    image = _create(gw, protected=True)
    url = f"{IMAGES}/{image['id']}"
    assert gw.call('DELETE', url, token=gw.token('alice')).status_int == 403
    assert _patch(gw, image['id'], [{'replace': '/protected', 'value': False}],
                  V20).status_int == 200
    assert gw.call('DELETE', url, token=gw.token('alice')).status_int == 204
    assert _show(gw, image['id']).status_int == 404


def test_empty_image_id_is_404(gw):
    assert gw.call('GET', IMAGES + '/', token=gw.token('alice')).status_int == 404
    assert gw.call('DELETE', IMAGES + '/', token=gw.token('alice')).status_int == 404
    assert gw.call('GET', IMAGES, token=gw.token('alice')).status_int == 200


def test_tags_add_delete(gw):
    image = _create(gw)
    tag_url = f"{IMAGES}/{image['id']}/tags/blue"
    for _ in range(2):  # adding twice keeps one copy
        assert gw.call('PUT', tag_url, token=gw.token('alice')).status_int == 204
    assert _show(gw, image['id']).json['tags'] == ['blue']
    assert gw.call('PUT', tag_url, token=gw.token('bob')).status_int == 404
    assert gw.call('DELETE', tag_url, token=gw.token('alice')).status_int == 204
    assert _show(gw, image['id']).json['tags'] == []
    assert gw.call('DELETE', tag_url, token=gw.token('alice')).status_int == 404
    long_tag = f"{IMAGES}/{image['id']}/tags/{'x' * 256}"
    assert gw.call('PUT', long_tag, token=gw.token('alice')).status_int == 400


def test_tag_quota_is_413(gw, monkeypatch):
    monkeypatch.setattr(image_actions, 'TAG_QUOTA', 1)
    image = _create(gw)
    base = f"{IMAGES}/{image['id']}/tags/"
    assert gw.call('PUT', base + 'a', token=gw.token('alice')).status_int == 204
    assert gw.call('PUT', base + 'b', token=gw.token('alice')).status_int == 413


def test_deactivate_blocks_download_until_reactivated(gw):
    image = _create(gw)
    url = f"{IMAGES}/{image['id']}"
    alice = gw.token('alice')
    assert gw.call('POST', url + '/actions/deactivate', token=alice).status_int == 403
    assert gw.call('PUT', url + '/file', token=alice, body=b'bits',
                   headers=dict(OCTETS)).status_int == 204
    assert gw.call('POST', url + '/actions/deactivate', token=gw.token('bob')).status_int \
        == 404
    for _ in range(2):  # a second deactivate is a no-op
        assert gw.call('POST', url + '/actions/deactivate', token=alice).status_int == 204
    assert _show(gw, image['id']).json['status'] == 'deactivated'
    assert gw.call('GET', url + '/file', token=alice).status_int == 403
    assert gw.call('GET', url + '/file', token=gw.token('admin')).body == b'bits'
    assert gw.call('POST', url + '/actions/reactivate', token=alice).status_int == 204
    assert _show(gw, image['id']).json['status'] == 'active'
    assert gw.call('GET', url + '/file', token=alice).body == b'bits'


def test_info_import_lists_no_methods(gw):
    resp = gw.call('GET', '/image/v2/info/import', token=gw.token('alice'))
    assert resp.status_int == 200 and resp.json['import-methods']['value'] == []


def test_chunked_input_decodes_and_finishes():
    raw = io.BytesIO(b'4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nTrailer: x\r\n\r\nNEXT')
    stream = chunked.ChunkedInput(raw)
    assert stream.read(2) == b'ab' and stream.read() == b'cdefg'
    assert stream.left == 0 and stream.read(10) == b'' and raw.read() == b'NEXT'
    assert chunked.ChunkedInput(io.BytesIO(b'3\r\nab\nc\r\n0\r\n\r\n')).readline() == b'ab\n'


def test_chunked_upload_over_http(gw):
    server = http_mod.HTTPServer(gw.app, '127.0.0.1', 0)
    server.start()
    try:
        image = _create(gw)
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        data = bytes(range(256)) * 40
        body = iter([data[:1000], data[1000:]])   # an iterable body is sent chunked
        conn.request('PUT', f"{IMAGES}/{image['id']}/file", body=body,
                     headers=dict(OCTETS, **{'X-Auth-Token': gw.token('alice')}),
                     encode_chunked=True)
        assert conn.getresponse().status == 204
        conn.close()
    finally:
        server.stop()
    shown = _show(gw, image['id']).json
    assert shown['size'] == len(data) and shown['status'] == 'active'


def _upload_file(gw, disk_format, data):
    image = _create(gw, disk_format=disk_format)
    resp = gw.call('PUT', f"{IMAGES}/{image['id']}/file", token=gw.token('alice'),
                   body=data, headers=dict(OCTETS))
    return resp, _show(gw, image['id']).json


def _qcow2(tmp_path, name='disk.qcow2', backing=None):
    path = tmp_path / name
    if backing:
        qemu_img.create_overlay(str(backing), str(path), base_format='raw')
    else:
        qemu_img.create_blank(str(path), 1 << 20)
    return path.read_bytes()


def test_upload_matching_format_is_accepted(gw, tmp_path):
    resp, shown = _upload_file(gw, 'qcow2', _qcow2(tmp_path))
    assert resp.status_int == 204 and shown['status'] == 'active'
    resp, shown = _upload_file(gw, 'raw', b'\0' * 4096)
    assert resp.status_int == 204 and shown['status'] == 'active'


def test_upload_format_mismatch_is_400_and_image_stays_queued(gw, tmp_path):
    # qcow2 bits declared raw: compute would hand qemu a header it never checked.
    resp, shown = _upload_file(gw, 'raw', _qcow2(tmp_path))
    assert resp.status_int == 400, resp.text
    assert shown['status'] == 'queued' and not gw.store.exists(shown['id'])
    resp, shown = _upload_file(gw, 'qcow2', b'not a qcow2 at all')
    assert resp.status_int == 400 and shown['status'] == 'queued'


def test_upload_with_backing_file_is_400(gw, tmp_path):
    base = tmp_path / 'base.raw'
    base.write_bytes(b'\0' * 4096)
    resp, shown = _upload_file(gw, 'qcow2', _qcow2(tmp_path, 'overlay.qcow2', base))
    assert resp.status_int == 400 and 'other files' in resp.text
    assert shown['status'] == 'queued'
