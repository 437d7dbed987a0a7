"""Server tags (2.26): the tags API, Nova's validation and state checks, views and filters."""
import pytest

from compute import states
from db import instances
from tests.functional import tempest_schema

SERVERS = '/compute/v2.1/servers'
V = {'OpenStack-API-Version': 'compute 2.26'}


@pytest.fixture(scope='module')
def server(demo, image_id):
    server_id = demo.boot('tagged', image_id)
    yield server_id
    demo.delete_all([server_id])


def _tags(demo, server_id):
    return demo.get(f'{SERVERS}/{server_id}/tags', headers=V)


def test_tags_lifecycle_matches_tempest_schemas(demo, server):
    resp = demo.request('PUT', f'{SERVERS}/{server}/tags/one', headers=V)
    tempest_schema.check(resp, 'v2_26', 'servers', 'update_tag')
    assert resp.status_code == 201 and resp.headers['Location'].endswith('/tags/one')
    again = demo.request('PUT', f'{SERVERS}/{server}/tags/one', headers=V)
    assert again.status_code == 204
    listed = _tags(demo, server)
    tempest_schema.check(listed, 'v2_26', 'servers', 'list_tags')
    assert listed.json() == {'tags': ['one']}
    assert demo.get(f'{SERVERS}/{server}/tags/one', headers=V).status_code == 204
    assert demo.get(f'{SERVERS}/{server}/tags/two', headers=V).status_code == 404
    replaced = demo.request('PUT', f'{SERVERS}/{server}/tags', headers=V,
                            json={'tags': ['a', 'b']})
    tempest_schema.check(replaced, 'v2_26', 'servers', 'update_all_tags')
    assert sorted(replaced.json()['tags']) == ['a', 'b']
    shown = demo.get(f'{SERVERS}/{server}', headers=V)
    tempest_schema.check(shown, 'v2_26', 'servers', 'get_server')
    assert sorted(shown.json()['server']['tags']) == ['a', 'b']
    assert demo.delete(f'{SERVERS}/{server}/tags/a', headers=V).status_code == 204
    assert demo.delete(f'{SERVERS}/{server}/tags/a', headers=V).status_code == 404
    assert demo.delete(f'{SERVERS}/{server}/tags', headers=V).status_code == 204
    assert _tags(demo, server).json() == {'tags': []}


def test_tags_below_2_26_do_not_exist(demo, server):
    old = {'OpenStack-API-Version': 'compute 2.25'}
    assert demo.get(f'{SERVERS}/{server}/tags', headers=old).status_code == 404
    assert 'tags' not in demo.get(f'{SERVERS}/{server}', headers=old).json()['server']


@pytest.mark.parametrize('tag', ['a,b', 'x' * 61])
def test_a_bad_tag_is_a_400(demo, server, tag):
    resp = demo.request('PUT', f'{SERVERS}/{server}/tags/{tag}', headers=V)
    assert resp.status_code == 400, resp.text
    resp = demo.request('PUT', f'{SERVERS}/{server}/tags', headers=V, json={'tags': [tag]})
    assert resp.status_code == 400, resp.text


def test_at_most_50_tags(demo, server):
    many = [f't{i}' for i in range(51)]
    resp = demo.request('PUT', f'{SERVERS}/{server}/tags', headers=V, json={'tags': many})
    assert resp.status_code == 400
    assert demo.request('PUT', f'{SERVERS}/{server}/tags', headers=V,
                        json={'tags': many[:50]}).status_code == 200
    resp = demo.request('PUT', f'{SERVERS}/{server}/tags/more', headers=V)
    assert resp.status_code == 400 and 'limit 50' in resp.text
    demo.delete(f'{SERVERS}/{server}/tags', headers=V)


def test_tags_of_a_server_not_at_rest_in_an_allowed_state_are_a_409(cloud, demo, server):
    instances.update(cloud.db, server, {'vm_state': states.RESCUED})
    try:
        resp = demo.request('PUT', f'{SERVERS}/{server}/tags/x', headers=V)
        assert resp.status_code == 409, resp.text
        assert demo.delete(f'{SERVERS}/{server}/tags', headers=V).status_code == 409
        assert _tags(demo, server).status_code == 200  # reading is always allowed
    finally:
        instances.update(cloud.db, server, {'vm_state': states.ACTIVE})


def test_another_projects_server_has_no_tags(alt, server):
    assert _tags(alt, server).status_code == 404


def test_list_filters(demo, image_id):
    ids = demo.boot_many('tagfilter', image_id, 3)
    try:
        for server_id, tags in zip(ids, (['red', 'big'], ['red'], ['blue'])):
            demo.wait_status(server_id, {'ACTIVE'})
            resp = demo.request('PUT', f'{SERVERS}/{server_id}/tags', headers=V,
                                json={'tags': tags})
            assert resp.status_code == 200, resp.text

        def listed(query):
            resp = demo.get(f'{SERVERS}/detail?name=tagfilter&{query}', headers=V)
            tempest_schema.check(resp, 'v2_26', 'servers', 'list_servers_detail')
            return {s['id'] for s in resp.json()['servers']}
        assert listed('tags=red,big') == {ids[0]}
        assert listed('tags-any=big,blue') == {ids[0], ids[2]}
        assert listed('not-tags=red,big') == {ids[1], ids[2]}
        assert listed('not-tags-any=red') == {ids[2]}
    finally:
        demo.delete_all(ids)
