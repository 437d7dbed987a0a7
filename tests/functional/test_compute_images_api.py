"""Nova's deprecated /v2.1/images proxy: list, detail, show, delete, filters and paging."""
import pytest

IMG = '/compute/v2.1/images'
GLANCE = '/image/v2/images'
OLD = {'OpenStack-API-Version': 'compute 2.35'}


def _get(client, path, **params):
    return client.get(path, params=params, headers=OLD)


@pytest.fixture(scope='module')
def snapshot(demo, image_id):
    server_id = demo.create_server('proxy-src', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    snap_id = demo.action(server_id, {'createImage': {
        'name': 'proxy-snap', 'metadata': {'auto_disk_config': 'True'}}}).json()['image_id']
    demo.wait_idle(server_id)
    yield server_id, snap_id
    demo.delete_all([server_id])
    demo.delete(f'{GLANCE}/{snap_id}')


def test_detail_of_a_snapshot_has_novas_shape(cloud, demo, snapshot):
    server_id, snap_id = snapshot
    image = _get(demo, f'{IMG}/{snap_id}').json()['image']
    assert set(image) == {'id', 'name', 'minRam', 'minDisk', 'metadata', 'created', 'updated',
                          'status', 'progress', 'links', 'OS-EXT-IMG-SIZE:size', 'server',
                          'OS-DCF:diskConfig'}
    assert (image['status'], image['progress'], image['minDisk'], image['minRam']) == (
        'ACTIVE', 100, 1, 0)
    assert image['OS-EXT-IMG-SIZE:size'] > 0 and image['created'].endswith('Z')
    assert image['OS-DCF:diskConfig'] == 'AUTO'
    assert image['metadata']['image_type'] == 'snapshot'
    assert image['metadata']['instance_uuid'] == server_id
    assert image['server']['id'] == server_id
    assert image['server']['links'][0]['href'].endswith(f'/compute/v2.1/servers/{server_id}')
    rels = {link['rel']: link['href'] for link in image['links']}
    assert rels['self'].endswith(f'/compute/v2.1/images/{snap_id}')
    assert rels['bookmark'].endswith(f'/compute/images/{snap_id}')
    assert demo.get(rels['alternate'].split(cloud.url, 1)[1]).json()['id'] == snap_id


def test_list_and_filters(demo, snapshot, image_id):
    server_id, snap_id = snapshot
    listed = _get(demo, IMG).json()['images']
    ids = [i['id'] for i in listed]
    assert {snap_id, image_id} <= set(ids)
    assert set(listed[0]) == {'id', 'name', 'links'}
    detail = _get(demo, IMG + '/detail').json()['images']
    assert {i['id'] for i in detail} == set(ids)
    assert [i['id'] for i in _get(demo, IMG + '/detail', server=server_id).json()[
        'images']] == [snap_id]
    assert snap_id in [i['id'] for i in _get(demo, IMG, type='snapshot').json()['images']]
    assert image_id not in [i['id'] for i in _get(demo, IMG, type='snapshot').json()['images']]
    assert [i['id'] for i in _get(demo, IMG, name='stratus-tiny').json()['images']] == [
        image_id]
    assert snap_id in [i['id'] for i in _get(demo, IMG, status='ACTIVE').json()['images']]
    assert snap_id not in [i['id'] for i in _get(demo, IMG, minDisk=2).json()['images']]
    assert snap_id in [i['id'] for i in _get(demo, IMG, minDisk=1).json()['images']]
    assert snap_id in [i['id'] for i in _get(
        demo, IMG, **{'property-image_type': 'snapshot'}).json()['images']]
    assert _get(demo, IMG, **{'changes-since': '2999-01-01T00:00:00Z'}).json()[
        'images'] == []
    for bad in ({'limit': 'x'}, {'limit': -1}, {'minRam': 'lots'},
                {'changes-since': 'yesterday'}, {'marker': 'no-such-image'}):
        resp = _get(demo, IMG, **bad)
        assert resp.status_code == 400 and 'badRequest' in resp.json(), bad


def test_paging_follows_the_next_link(cloud, demo, snapshot):
    first = _get(demo, IMG + '/detail', limit=1).json()
    assert len(first['images']) == 1
    href = first['images_links'][0]['href']
    assert '/compute/v2.1/images/detail?' in href and 'marker=' in href
    second = demo.get(href.split(cloud.url, 1)[1], headers=OLD).json()
    assert second['images'] and second['images'][0]['id'] != first['images'][0]['id']
    assert 'images_links' not in _get(demo, IMG).json()


def test_unfinished_upload_shows_as_saving(demo):
    queued = demo.post(GLANCE, json={'name': 'half', 'disk_format': 'qcow2',
                                     'container_format': 'bare'}).json()
    try:
        image = _get(demo, f'{IMG}/{queued["id"]}').json()['image']
        assert (image['status'], image['progress']) == ('SAVING', 25)
        assert 'server' not in image
    finally:
        demo.delete(f'{GLANCE}/{queued["id"]}')


def test_gone_from_2_36_on_and_without_a_header_it_is_2_1(demo, snapshot):
    _, snap_id = snapshot
    for path in (IMG, IMG + '/detail', f'{IMG}/{snap_id}'):
        resp = demo.get(path, headers={'OpenStack-API-Version': 'compute 2.36'})
        assert resp.status_code == 404 and 'itemNotFound' in resp.json()
    assert demo.delete(f'{IMG}/{snap_id}').status_code == 404  # the client's default 2.96
    plain = demo.get(f'{IMG}/{snap_id}', headers={'OpenStack-API-Version': ''})
    assert plain.status_code == 200


def test_other_projects_and_delete(alt, demo, image_id, snapshot):
    _, snap_id = snapshot
    assert _get(alt, f'{IMG}/{snap_id}').status_code == 404
    assert snap_id not in [i['id'] for i in _get(alt, IMG).json()['images']]
    assert alt.delete(f'{IMG}/{snap_id}', headers=OLD).status_code == 404
    refused = demo.delete(f'{IMG}/{image_id}', headers=OLD)  # public, but not demo's
    assert refused.status_code == 403 and 'forbidden' in refused.json()
    own = demo.post(GLANCE, json={'name': 'doomed', 'disk_format': 'qcow2',
                                  'container_format': 'bare'}).json()
    assert demo.delete(f'{IMG}/{own["id"]}', headers=OLD).status_code == 204
    assert _get(demo, f'{IMG}/{own["id"]}').status_code == 404
    assert demo.get(f'{GLANCE}/{own["id"]}').status_code == 404
    assert demo.delete(f'{IMG}/{own["id"]}', headers=OLD).status_code == 404
