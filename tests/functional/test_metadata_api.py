"""Server metadata and the compute API's image-metadata proxy over HTTP."""
import uuid

import pytest

from compute import states
from db import instances
from tests.functional import client as client_mod
from tests.functional import tempest_schema

S = '/compute/v2.1/servers'
I = '/compute/v2.1/images'


def _v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


@pytest.fixture(scope='module')
def server(demo, image_id):
    with demo.booted(f'meta-{uuid.uuid4().hex[:6]}', image_id,
                     metadata={'boot': 'yes'}) as server_id:
        yield server_id


@pytest.fixture
def viewer(cloud):
    return client_mod.Client(cloud.url, 'viewer', 'viewerpw', 'demo')


def _meta(client, path):
    resp = client.get(path)
    assert resp.status_code == 200, resp.text
    return resp.json()['metadata']


def test_server_metadata_crud(demo, server):
    m = f'{S}/{server}/metadata'
    assert _meta(demo, m) == {'boot': 'yes'}
    resp = demo.request('PUT', m, json={'metadata': {'key1': 'value1', 'key2': 'value2'}})
    tempest_schema.check(resp, 'v2_1', 'servers', 'set_server_metadata')
    assert _meta(demo, m) == {'key1': 'value1', 'key2': 'value2'}
    resp = demo.post(m, json={'metadata': {'key1': 'alt1', 'key3': 'value3'}})
    tempest_schema.check(resp, 'v2_1', 'servers', 'update_server_metadata')
    assert resp.json()['metadata'] == {'key1': 'alt1', 'key2': 'value2', 'key3': 'value3'}
    assert demo.post(m, json={'metadata': {}}).json()['metadata'] == resp.json()['metadata']
    item = demo.get(f'{m}/key2')
    tempest_schema.check(item, 'v2_1', 'servers', 'set_show_server_metadata_item')
    assert item.json() == {'meta': {'key2': 'value2'}}
    resp = demo.request('PUT', f'{m}/nova', json={'meta': {'nova': 'alt'}})
    tempest_schema.check(resp, 'v2_1', 'servers', 'set_show_server_metadata_item')
    gone = demo.delete(f'{m}/key1')
    tempest_schema.check(gone, 'v2_1', 'servers', 'delete_server_metadata_item')
    assert _meta(demo, m) == {'key2': 'value2', 'key3': 'value3', 'nova': 'alt'}
    assert demo.server(server)['metadata'] == _meta(demo, m)
    assert demo.get(f'{m}/key1').status_code == 404
    assert demo.delete(f'{m}/key1').status_code == 404


@pytest.mark.parametrize('method,suffix,body', [
    ('PUT', '', {'metadata': {'': 'blank'}}), ('POST', '', {'metadata': {'': 'blank'}}),
    ('PUT', '', {'metadata': {'k' * 256: 'v'}}), ('POST', '', {'metadata': {'k': 'v' * 256}}),
    ('PUT', '', {'metadata': ['k']}), ('POST', '', {'metadata': {'k': 1}}),
    ('PUT', '', {'meta': {'k': 'v'}}), ('PUT', '', None),
    ('PUT', '/key', {'meta': {'testkey': 'testvalue'}}),        # body key != URL key
    ('PUT', '/key', {'meta': {'key': 'a', 'other': 'b'}}),      # more than one item
    ('PUT', '/key', {'meta': {}}), ('PUT', '/key', {'metadata': {'key': 'v'}}),
    ('PUT', '/key', {'meta': {'key': 'v' * 256}})])
def test_server_metadata_validation_is_400(demo, server, method, suffix, body):
    resp = demo.request(method, f'{S}/{server}/metadata{suffix}',
                        **({'json': body} if body is not None else {'data': ''}))
    assert resp.status_code == 400, resp.text


def test_server_metadata_not_found(demo, alt, server):
    missing = str(uuid.uuid4())
    assert demo.get(f'{S}/{missing}/metadata').status_code == 404
    assert demo.get(f'{S}/{missing}/metadata/k').status_code == 404
    assert demo.post(f'{S}/{missing}/metadata', json={'metadata': {'k': 'v'}}).status_code == 404
    assert demo.delete(f'{S}/{missing}/metadata/k').status_code == 404
    # Another project's server does not exist for alt.
    assert alt.get(f'{S}/{server}/metadata').status_code == 404
    assert alt.request('PUT', f'{S}/{server}/metadata',
                       json={'metadata': {}}).status_code == 404


def test_reader_reads_but_does_not_write(viewer, server):
    assert viewer.get(f'{S}/{server}/metadata').status_code == 200
    assert viewer.post(f'{S}/{server}/metadata',
                       json={'metadata': {'k': 'v'}}).status_code == 403
    assert viewer.delete(f'{S}/{server}/metadata/boot').status_code == 403


def test_locked_server_refuses_non_admin_writes(demo, admin, server):
    m = f'{S}/{server}/metadata'
    demo.act(server, {'lock': None})
    try:
        assert demo.post(m, json={'metadata': {'k': 'v'}}).status_code == 409
        assert demo.request('PUT', f'{m}/k', json={'meta': {'k': 'v'}}).status_code == 409
        assert demo.get(m).status_code == 200            # reads still work
        assert admin.post(m, json={'metadata': {'by': 'admin'}}).status_code == 200
        assert admin.delete(f'{m}/by').status_code == 204
    finally:
        demo.act(server, {'unlock': None})
    assert demo.post(m, json={'metadata': {'k': 'v'}}).status_code == 200


@pytest.mark.parametrize('column,value', [('task_state', states.REBOOTING),
                                          ('vm_state', states.RESCUED)])
def test_busy_or_wrong_state_server_is_409(cloud, demo, server, column, value):
    before = instances.get(cloud.db, server)[column]
    instances.update(cloud.db, server, {column: value})
    try:
        resp = demo.post(f'{S}/{server}/metadata', json={'metadata': {'k': 'v'}})
        assert resp.status_code == 409, resp.text
        assert demo.delete(f'{S}/{server}/metadata/k').status_code == 409
    finally:
        instances.update(cloud.db, server, {column: before})


def test_metadata_items_quota_is_403(cloud, demo, server, image_id):
    limit = cloud.conf.quota.metadata_items
    too_many = {f'key{i}': 'v' for i in range(limit + 1)}
    m = f'{S}/{server}/metadata'
    assert demo.post(m, json={'metadata': too_many}).status_code == 403
    assert demo.request('PUT', m, json={'metadata': too_many}).status_code == 403
    assert demo.create_server('q', image_id, metadata=too_many).status_code == 403
    fits = {f'key{i}': 'v' for i in range(limit)}
    assert demo.request('PUT', m, json={'metadata': fits}).status_code == 200


@pytest.mark.parametrize('metadata', [{'': 'v'}, {'k' * 256: 'v'}, {'k': 'v' * 256}])
def test_bad_metadata_at_boot_is_400(demo, image_id, metadata):
    resp = demo.create_server('bm', image_id, metadata=metadata)
    if resp.status_code == 202:
        demo.delete_all([resp.json()['server']['id']])
    assert resp.status_code == 400, resp.text


# --- image metadata (the compute API's proxy onto image properties) ------------------------

@pytest.fixture
def image(demo):
    resp = demo.post(client_mod.IMAGES, json={
        'name': f'meta-{uuid.uuid4().hex[:6]}', 'container_format': 'bare',
        'disk_format': 'raw', 'visibility': 'private', 'hw_note': 'kept'})
    assert resp.status_code == 201, resp.text
    image_id = resp.json()['id']
    yield image_id
    demo.delete(f'{client_mod.IMAGES}/{image_id}')


def test_image_metadata_crud(demo, image):
    m = f'{I}/{image}/metadata'
    h = _v('2.38')
    resp = demo.request('PUT', m, headers=h,
                        json={'metadata': {'os_version': 'value1', 'os_distro': 'value2'}})
    tempest_schema.check(resp, 'v2_1', 'images', 'image_metadata')
    listed = demo.get(m, headers=h)
    tempest_schema.check(listed, 'v2_1', 'images', 'image_metadata')
    assert listed.json() == {'metadata': {'os_version': 'value1', 'os_distro': 'value2'}}
    resp = demo.post(m, headers=h, json={'metadata': {'os_version': 'alt1', 'arch': 'x'}})
    assert resp.json()['metadata'] == {'os_version': 'alt1', 'os_distro': 'value2',
                                       'arch': 'x'}
    item = demo.get(f'{m}/os_distro', headers=h)
    tempest_schema.check(item, 'v2_1', 'images', 'image_meta_item')
    assert item.json() == {'meta': {'os_distro': 'value2'}}
    resp = demo.request('PUT', f'{m}/os_version', headers=h, json={'meta': {'os_version': 'a'}})
    tempest_schema.check(resp, 'v2_1', 'images', 'image_meta_item')
    gone = demo.delete(f'{m}/arch', headers=h)
    tempest_schema.check(gone, 'v2_1', 'images', 'delete')
    assert demo.get(m, headers=h).json()['metadata'] == {'os_version': 'a',
                                                          'os_distro': 'value2'}
    # The metadata is the image's properties, as Glance shows them too.
    glance = demo.get(f'{client_mod.IMAGES}/{image}').json()
    assert (glance['os_version'], glance['os_distro']) == ('a', 'value2')
    assert demo.get(f'{m}/arch', headers=h).status_code == 404
    assert demo.delete(f'{m}/arch', headers=h).status_code == 404


def test_image_metadata_is_gone_from_239(demo, image):
    assert demo.get(f'{I}/{image}/metadata', headers=_v('2.39')).status_code == 404
    assert demo.post(f'{I}/{image}/metadata', headers=_v('2.39'),
                     json={'metadata': {'a': 'b'}}).status_code == 404


def test_image_metadata_errors(demo, alt, image, image_id):
    h = _v('2.38')
    missing = str(uuid.uuid4())
    assert demo.get(f'{I}/{missing}/metadata', headers=h).status_code == 404
    assert demo.request('PUT', f'{I}/{missing}/metadata', headers=h,
                        json={'metadata': {'a': 'b'}}).status_code == 404
    assert demo.get(f'{I}/{missing}/metadata/a', headers=h).status_code == 404
    assert demo.delete(f'{I}/{missing}/metadata/a', headers=h).status_code == 404
    assert alt.get(f'{I}/{image}/metadata', headers=h).status_code == 404   # private
    # The shared public image is readable but only its owner may change it.
    assert demo.get(f'{I}/{image_id}/metadata', headers=h).status_code == 200
    assert demo.post(f'{I}/{image_id}/metadata', headers=h,
                     json={'metadata': {'a': 'b'}}).status_code == 403
    for path, body in ((f'{I}/{image}/metadata', {'metadata': {'': 'v'}}),
                       (f'{I}/{image}/metadata/k', {'meta': {'other': 'v'}}),
                       (f'{I}/{image}/metadata/k', {'meta': {'k': 'v', 'j': 'w'}})):
        assert demo.request('PUT', path, headers=h, json=body).status_code == 400
