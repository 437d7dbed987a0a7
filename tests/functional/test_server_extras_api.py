"""Extensions list, os-server-password, OS-DCF:diskConfig and rebuild bodies by microversion."""
import pytest

from db import instances
from tests.functional import tempest_schema

SERVERS = '/compute/v2.1/servers'
EXT = '/compute/v2.1/extensions'


def _v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


@pytest.fixture(scope='module')
def server(demo, image_id):
    server_id = demo.boot('extras', image_id)
    yield server_id
    demo.delete_all([server_id])


def test_extensions_list_and_show(demo):
    listed = demo.get(EXT)
    tempest_schema.check(listed, 'v2_1', 'extensions', 'list_extensions')
    assert 'Hosts' in {e['name'] for e in listed.json()['extensions']}
    shown = demo.get(f'{EXT}/os-consoles')
    assert shown.status_code == 200 and shown.json()['extension']['alias'] == 'os-consoles'
    assert demo.get(f'{EXT}/os-no-such-thing').status_code == 404


def test_server_password_show_and_clear(cloud, demo, alt, server):
    path = f'{SERVERS}/{server}/os-server-password'
    assert demo.get(path).json() == {'password': ''}
    meta = dict(instances.get(cloud.db, server)['system_metadata'] or {}, password='sekrit')
    instances.update(cloud.db, server, {'system_metadata': meta})
    assert demo.get(path).json() == {'password': 'sekrit'}
    assert alt.get(path).status_code == 404
    resp = demo.delete(path)
    tempest_schema.check(resp, 'v2_1', 'servers', 'server_actions_delete_password')
    assert demo.get(path).json() == {'password': ''}


def test_disk_config_kept_from_create_update_and_rebuild(demo, image_id):
    resp = demo.create_server('dcf', image_id, **{'OS-DCF:diskConfig': 'AUTO'})
    assert resp.json()['server']['OS-DCF:diskConfig'] == 'AUTO'
    server_id = resp.json()['server']['id']
    try:
        assert demo.wait_idle(server_id)['OS-DCF:diskConfig'] == 'AUTO'
        updated = demo.request('PUT', f'{SERVERS}/{server_id}',
                               json={'server': {'OS-DCF:diskConfig': 'MANUAL'}})
        assert updated.json()['server']['OS-DCF:diskConfig'] == 'MANUAL'
        rebuilt = demo.act(server_id, {'rebuild': {'imageRef': image_id,
                                                   'OS-DCF:diskConfig': 'AUTO'}})
        assert rebuilt.json()['server']['OS-DCF:diskConfig'] == 'AUTO'
        assert demo.wait_idle(server_id)['OS-DCF:diskConfig'] == 'AUTO'
    finally:
        demo.delete_all([server_id])


@pytest.mark.parametrize('version,module', [
    ('2.1', 'v2_1'), ('2.26', 'v2_26'), ('2.54', 'v2_54'), ('2.57', 'v2_57'),
    ('2.63', 'v2_63'), ('2.71', 'v2_71'), ('2.75', 'v2_75'), ('2.96', 'v2_96')])
def test_rebuild_answer_matches_tempest_schema(demo, admin, server, image_id, version,
                                               module):
    for client in (demo, admin):
        resp = client.act(server, {'rebuild': {'imageRef': image_id}}, version=version)
        tempest_schema.check(resp, module, 'servers', 'rebuild_server_with_admin_pass')
        demo.wait_idle(server)


def test_rebuild_key_name_description_access_ips_user_data(demo, alt, server, image_id):
    name = 'rebuild-kp'
    made = demo.post('/compute/v2.1/os-keypairs', json={'keypair': {'name': name}},
                     headers=_v('2.1'))
    assert made.status_code in (200, 201), made.text
    try:
        body = {'imageRef': image_id, 'key_name': name, 'description': 'rebuilt',
                'accessIPv4': '10.0.0.9', 'user_data': 'aGVsbG8='}
        resp = demo.act(server, {'rebuild': body}, version='2.57')
        tempest_schema.check(resp, 'v2_57', 'servers', 'rebuild_server_with_admin_pass')
        shown = resp.json()['server']
        assert (shown['key_name'], shown['description'], shown['accessIPv4'],
                shown['user_data']) == (name, 'rebuilt', '10.0.0.9', 'aGVsbG8=')
        demo.wait_idle(server)
        unset = demo.act(server, {'rebuild': {'imageRef': image_id, 'key_name': None}},
                         version='2.54')
        assert unset.json()['server']['key_name'] is None
        demo.wait_idle(server)
        refused = alt.action(server, {'rebuild': {'imageRef': image_id}}, version='2.54')
        assert refused.status_code == 404
        for bad, version in (({'key_name': 'nope'}, '2.54'), ({'key_name': name}, '2.53'),
                             ({'user_data': 'eA=='}, '2.56'),
                             ({'trusted_image_certificates': ['x']}, '2.63')):
            resp = demo.action(server, {'rebuild': dict(bad, imageRef=image_id)},
                               version=version)
            assert resp.status_code == 400, (bad, version, resp.text)
    finally:
        demo.delete(f'/compute/v2.1/os-keypairs/{name}')


def test_image_tasks_blank_delete_and_user_image_type(cloud, demo, alt, server):
    resp = demo.act(server, {'createImage': {'name': 'typed', 'metadata': {
        'image_type': 'test'}}}, version='2.45')
    image_id = resp.json()['image_id']
    try:
        shown = demo.get(f'/image/v2/images/{image_id}')
        assert shown.json()['image_type'] == 'test'
        assert shown.json()['instance_uuid'] == server
        assert demo.get(f'/image/v2/images/{image_id}/tasks').json() == {'tasks': []}
        assert alt.get(f'/image/v2/images/{image_id}/tasks').status_code == 404
    finally:
        demo.wait_idle(server)
        demo.delete(f'/image/v2/images/{image_id}')
    blank = demo.delete('/compute/v2.1/images/', headers=_v('2.1'))
    assert blank.status_code == 404, blank.text


def test_flavor_extra_spec_delete_is_200(admin):
    base = '/compute/v2.1/flavors/42/os-extra_specs'
    assert admin.post(base, json={'extra_specs': {'hw:x': '1'}}).status_code == 200
    resp = admin.delete(f'{base}/hw:x')
    tempest_schema.check(resp, 'v2_1', 'flavors_extra_specs', 'unset_flavor_extra_specs')


def test_image_list_filters_on_properties_and_sorts(demo, server):
    made = []
    for name in ('bk-1', 'bk-2'):
        resp = demo.act(server, {'createBackup': {'name': name, 'backup_type': 'weekly',
                                                  'rotation': 3}}, version='2.45')
        made.append(resp.json()['image_id'])
        demo.wait_idle(server)
    try:
        query = (f'/image/v2/images?image_type=backup&backup_type=weekly&instance_uuid={server}'
                 '&sort_key=created_at&sort_dir=asc')
        assert [i['name'] for i in demo.get(query).json()['images']] == ['bk-1', 'bk-2']
        desc = demo.get(query.replace('asc', 'desc') + '&limit=1').json()['images']
        assert [i['name'] for i in desc] == ['bk-2']
        assert demo.get(query.replace('weekly', 'daily')).json()['images'] == []
    finally:
        for image_id in made:
            demo.delete(f'/image/v2/images/{image_id}')
