"""os-aggregates as Nova answers it: CRUD, hosts, metadata, and the zone it gives its hosts."""
import contextlib

import pytest

from tests.functional import tempest_schema

AGG = '/compute/v2.1/os-aggregates'
AZ = '/compute/v2.1/os-availability-zone'


def _mv(version):
    return {'OpenStack-API-Version': f'compute {version}'}


@contextlib.contextmanager
def aggregate(admin, name, zone=None, hosts=()):
    body = {'name': name} if zone is None else {'name': name, 'availability_zone': zone}
    resp = admin.post(AGG, json={'aggregate': body})
    assert resp.status_code == 200, resp.text
    agg = resp.json()['aggregate']
    try:
        for host in hosts:
            assert _act(admin, agg['id'], 'add_host', {'host': host}).status_code == 200
        yield agg
    finally:
        shown = admin.get(f'{AGG}/{agg["id"]}').json()['aggregate']
        for host in shown['hosts']:
            _act(admin, agg['id'], 'remove_host', {'host': host})
        assert admin.delete(f'{AGG}/{agg["id"]}').status_code == 200


def _act(client, agg_id, name, args, version='2.1'):
    return client.post(f'{AGG}/{agg_id}/action', json={name: args}, headers=_mv(version))


@pytest.mark.parametrize('version,mod', [('2.1', 'v2_1'), ('2.41', 'v2_41'), ('2.96', 'v2_41')])
def test_crud_matches_tempest_schemas(admin, version, mod):
    resp = admin.post(AGG, json={'aggregate': {'name': f'sch-{version}'}}, headers=_mv(version))
    tempest_schema.check(resp, mod, 'aggregates', 'create_aggregate')
    ident = resp.json()['aggregate']['id']
    try:
        tempest_schema.check(admin.get(AGG, headers=_mv(version)), mod, 'aggregates',
                             'list_aggregates')
        tempest_schema.check(admin.get(f'{AGG}/{ident}', headers=_mv(version)), mod,
                             'aggregates', 'get_aggregate')
        resp = admin.request('PUT', f'{AGG}/{ident}', headers=_mv(version),
                             json={'aggregate': {'name': f'sch2-{version}'}})
        tempest_schema.check(resp, mod, 'aggregates', 'update_aggregate')
        resp = _act(admin, ident, 'add_host', {'host': 'compute-1'}, version)
        tempest_schema.check(resp, mod, 'aggregates', 'aggregate_add_remove_host')
        resp = _act(admin, ident, 'remove_host', {'host': 'compute-1'}, version)
        tempest_schema.check(resp, mod, 'aggregates', 'aggregate_add_remove_host')
        resp = _act(admin, ident, 'set_metadata', {'metadata': {'k': 'v'}}, version)
        tempest_schema.check(resp, mod, 'aggregates', 'aggregate_set_metadata')
    finally:
        tempest_schema.check(admin.delete(f'{AGG}/{ident}'), mod, 'aggregates',
                             'delete_aggregate')
    assert admin.get(f'{AGG}/{ident}').status_code == 404


def test_uuid_only_from_2_41(admin):
    with aggregate(admin, 'uuid-agg') as agg:
        old = admin.get(f'{AGG}/{agg["id"]}', headers=_mv('2.40')).json()['aggregate']
        assert 'uuid' not in old
        shown = admin.get(f'{AGG}/{agg["id"]}', headers=_mv('2.41')).json()['aggregate']
        assert len(shown['uuid']) == 36


def test_non_admin_is_forbidden(demo, admin):
    assert demo.get(AGG).status_code == 403
    assert demo.post(AGG, json={'aggregate': {'name': 'x'}}).status_code == 403
    with aggregate(admin, 'forbidden-agg') as agg:
        assert demo.get(f'{AGG}/{agg["id"]}').status_code == 403
        assert demo.request('PUT', f'{AGG}/{agg["id"]}',
                            json={'aggregate': {'name': 'y'}}).status_code == 403
        assert demo.delete(f'{AGG}/{agg["id"]}').status_code == 403
        for name, args in (('add_host', {'host': 'compute-1'}),
                           ('remove_host', {'host': 'compute-1'}),
                           ('set_metadata', {'metadata': {'a': 'b'}})):
            assert _act(demo, agg['id'], name, args).status_code == 403


@pytest.mark.parametrize('body', [{'aggregate': {'name': ''}}, {'aggregate': {'name': 'a' * 256}},
                                  {'aggregate': {}}, {'name': 'x'},
                                  {'aggregate': {'name': 'x', 'availability_zone': 'a:b'}},
                                  {'aggregate': {'name': 'x', 'availability_zone': 'internal'}},
                                  {'aggregate': {'name': 'x', 'bogus': 1}}])
def test_create_bad_body_is_400(admin, body):
    assert admin.post(AGG, json=body).status_code == 400


def test_name_is_unique(admin):
    with aggregate(admin, 'dup-agg'), aggregate(admin, 'other-agg') as other:
        assert admin.post(AGG, json={'aggregate': {'name': 'dup-agg'}}).status_code == 409
        resp = admin.request('PUT', f'{AGG}/{other["id"]}',
                             json={'aggregate': {'name': 'dup-agg'}})
        assert resp.status_code == 409


def test_unknown_and_bad_ids(admin):
    assert admin.get(f'{AGG}/-1').status_code == 404
    assert admin.get(f'{AGG}/99999999999999999999999').status_code == 404
    assert admin.get(f'{AGG}/abc').status_code == 400
    assert admin.delete(f'{AGG}/-1').status_code == 404
    assert admin.request('PUT', f'{AGG}/-1',
                         json={'aggregate': {'name': 'z'}}).status_code == 404
    assert _act(admin, -1, 'set_metadata', {'metadata': {}}).status_code == 404
    assert _act(admin, -1, 'add_host', {'host': 'compute-1'}).status_code == 404


def test_update_needs_name_or_zone(admin):
    with aggregate(admin, 'upd-agg') as agg:
        path = f'{AGG}/{agg["id"]}'
        assert admin.request('PUT', path, json={'aggregate': {}}).status_code == 400
        resp = admin.request('PUT', path, json={'aggregate': {'availability_zone': 'upd-az'}})
        assert resp.status_code == 200, resp.text
        body = resp.json()['aggregate']
        assert body['availability_zone'] == 'upd-az'
        assert body['metadata'] == {'availability_zone': 'upd-az'}
        assert body['updated_at'] is not None


def test_hosts_membership_errors(admin):
    with aggregate(admin, 'member-agg', hosts=['compute-1']) as agg:
        assert _act(admin, agg['id'], 'add_host', {'host': 'compute-1'}).status_code == 409
        assert _act(admin, agg['id'], 'add_host', {'host': 'no-such'}).status_code == 404
        assert _act(admin, agg['id'], 'remove_host', {'host': 'no-such'}).status_code == 404
        assert _act(admin, agg['id'], 'remove_host', {'host': 'compute-2'}).status_code == 404
        assert _act(admin, agg['id'], 'add_host', {'host': 'a b'}).status_code == 400
        assert _act(admin, agg['id'], 'add_host', {}).status_code == 400
        assert admin.post(f'{AGG}/{agg["id"]}/action',
                          json={'bogus': {}}).status_code == 400
        assert admin.delete(f'{AGG}/{agg["id"]}').status_code == 400  # not empty
        shown = admin.get(f'{AGG}/{agg["id"]}').json()['aggregate']
        assert shown['hosts'] == ['compute-1']


def test_set_metadata_merges_and_drops(admin):
    with aggregate(admin, 'meta-agg') as agg:
        _act(admin, agg['id'], 'set_metadata', {'metadata': {'a': '1', 'b': '2'}})
        resp = _act(admin, agg['id'], 'set_metadata', {'metadata': {'a': None, 'c': '3'}})
        assert resp.status_code == 200, resp.text
        assert resp.json()['aggregate']['metadata'] == {'b': '2', 'c': '3'}
        bad = _act(admin, agg['id'], 'set_metadata', {'metadata': {'k/x': 'v'}})
        assert bad.status_code == 400


def _zones(admin):
    detail = admin.get(AZ + '/detail').json()['availabilityZoneInfo']
    return {z['zoneName']: set(z['hosts'] or ()) for z in detail}


def test_aggregate_zone_becomes_the_hosts_zone(admin):
    with aggregate(admin, 'zone-agg', zone='agg-az', hosts=['compute-1']) as agg:
        zones = _zones(admin)
        assert zones['agg-az'] == {'compute-1'} and zones['nova'] == {'compute-2'}
        services = admin.get('/compute/v2.1/os-services?binary=nova-compute').json()
        assert {s['host']: s['zone'] for s in services['services']} == {
            'compute-1': 'agg-az', 'compute-2': 'nova'}
        resp = _act(admin, agg['id'], 'set_metadata', {'metadata': {'availability_zone': 'moved'}})
        assert resp.status_code == 200, resp.text
        assert _zones(admin)['moved'] == {'compute-1'}
    assert 'moved' not in _zones(admin) and _zones(admin)['nova'] == {'compute-1', 'compute-2'}


def test_host_cannot_be_in_two_zones(admin):
    with aggregate(admin, 'az-a', zone='zone-a', hosts=['compute-1']), \
            aggregate(admin, 'az-b', zone='zone-b') as other, \
            aggregate(admin, 'no-az') as plain:
        # Nova answers add_host's zone conflict with a 409, set_metadata's/update's with a 400.
        assert _act(admin, other['id'], 'add_host', {'host': 'compute-1'}).status_code == 409
        assert _act(admin, plain['id'], 'add_host', {'host': 'compute-1'}).status_code == 200
        resp = _act(admin, plain['id'], 'set_metadata',
                    {'metadata': {'availability_zone': 'zone-c'}})
        assert resp.status_code == 400
        resp = admin.request('PUT', f'{AGG}/{plain["id"]}',
                             json={'aggregate': {'availability_zone': 'zone-a'}})
        assert resp.status_code == 200, resp.text


def test_boot_into_an_aggregate_zone_lands_on_its_host(admin, demo, image_id):
    with aggregate(admin, 'boot-agg', zone='boot-az', hosts=['compute-2']):
        with demo.booted('az-vm', image_id, availability_zone='boot-az') as server_id:
            shown = admin.get(f'/compute/v2.1/servers/{server_id}').json()['server']
            assert shown['OS-EXT-SRV-ATTR:host'] == 'compute-2'
            assert shown['OS-EXT-AZ:availability_zone'] == 'boot-az'
