"""os-server-groups over HTTP per microversion, and boots that place servers by group."""
import concurrent.futures
import json
import uuid

import pytest
import sqlalchemy as sa

from db import models
from scheduler import filters
from scheduler import weighers
from tests.functional import client as client_mod

SG = '/compute/v2.1/os-server-groups'
S = '/compute/v2.1/servers'
GROUP_FILTERS = ['ServerGroupAffinityFilter', 'ServerGroupAntiAffinityFilter',
                 'SameHostFilter', 'DifferentHostFilter']
GROUP_WEIGHERS = ['ServerGroupSoftAffinityWeigher', 'ServerGroupSoftAntiAffinityWeigher']


def _mv(version):
    return {'OpenStack-API-Version': f'compute {version}'}


@pytest.fixture(scope='module', autouse=True)
def group_scheduling(cloud):
    """The cloud's scheduler with the group and host-hint filters and weighers added.

    They are not in [filter_scheduler] defaults yet; they pass every host of a
    request without group or hints, so other tests see no difference.
    """
    [svc] = [s for s in cloud.services if s.name == 'scheduler']
    manager = svc.rpc_service.manager
    saved = manager.filters, manager.weighers
    have = {type(x).__name__ for x in saved[0] + saved[1]}
    manager.filters = saved[0] + filters.load_filters(
        [n for n in GROUP_FILTERS if n not in have], cloud.conf)
    manager.weighers = saved[1] + weighers.load_weighers(
        [n for n in GROUP_WEIGHERS if n not in have], cloud.conf)
    yield
    manager.filters, manager.weighers = saved


def create_group(client, version='2.96', expect=200, **group):
    resp = client.post(SG, json={'server_group': dict({'name': 'g'}, **group)},
                       headers=_mv(version))
    assert resp.status_code == expect, resp.text
    return resp.json().get('server_group') if expect == 200 else resp


@pytest.mark.parametrize('version, body, keys', [
    ('2.1', {'policies': ['affinity']}, {'id', 'name', 'policies', 'members', 'metadata'}),
    ('2.13', {'policies': ['anti-affinity']},
     {'id', 'name', 'policies', 'members', 'metadata', 'project_id', 'user_id'}),
    ('2.15', {'policies': ['soft-affinity']},
     {'id', 'name', 'policies', 'members', 'metadata', 'project_id', 'user_id'}),
    ('2.64', {'policy': 'anti-affinity', 'rules': {'max_server_per_host': 3}},
     {'id', 'name', 'policy', 'rules', 'members', 'project_id', 'user_id'}),
])
def test_create_show_list_delete_per_microversion(demo, version, body, keys):
    created = create_group(demo, version, **body)
    assert set(created) == keys and created['members'] == []
    if version >= '2.64':
        assert (created['policy'], created['rules']) == ('anti-affinity',
                                                         {'max_server_per_host': 3})
    else:
        assert created['policies'] == body['policies'] and created['metadata'] == {}
    shown = demo.get(f'{SG}/{created["id"]}', headers=_mv(version))
    assert shown.status_code == 200 and shown.json()['server_group'] == created
    listed = demo.get(SG, headers=_mv(version)).json()['server_groups']
    assert created in listed
    assert demo.delete(f'{SG}/{created["id"]}', headers=_mv(version)).status_code == 204
    assert demo.get(f'{SG}/{created["id"]}').status_code == 404
    assert demo.delete(f'{SG}/{created["id"]}').status_code == 404


@pytest.mark.parametrize('version, body', [
    ('2.1', {'policies': ['soft-affinity']}),            # soft policies from 2.15
    ('2.1', {'policies': ['affinity', 'anti-affinity']}),
    ('2.1', {'policies': []}),
    ('2.1', {'policy': 'affinity'}),                      # policy (singular) from 2.64
    ('2.64', {'policies': ['affinity']}),
    ('2.64', {'policy': 'affinity', 'rules': {'max_server_per_host': 2}}),
    ('2.64', {'policy': 'anti-affinity', 'rules': {'max_server_per_host': 0}}),
    ('2.64', {'policy': 'anti-affinity', 'rules': {'max_server_per_host': '0'}}),
    ('2.64', {'policy': 'anti-affinity', 'rules': {'other': 1}}),
    ('2.64', {'policy': 'spread'}),
    ('2.64', {'name': '', 'policy': 'affinity'}),
])
def test_create_validation_errors_are_400(demo, version, body):
    create_group(demo, version, expect=400, **body)


def test_other_projects_groups_are_404_and_unlisted(demo, alt, admin):
    group = create_group(demo, policy='affinity')
    try:
        assert alt.get(f'{SG}/{group["id"]}').status_code == 404
        assert alt.delete(f'{SG}/{group["id"]}').status_code == 404
        assert group['id'] not in [g['id'] for g in alt.get(SG).json()['server_groups']]
        # all_projects is for admins; others silently get their own groups.
        assert group['id'] not in [g['id'] for g in alt.get(
            SG + '?all_projects=True').json()['server_groups']]
        assert group['id'] not in [g['id'] for g in admin.get(SG).json()['server_groups']]
        assert group['id'] in [g['id'] for g in admin.get(
            SG + '?all_projects=True').json()['server_groups']]
        assert admin.get(f'{SG}/{group["id"]}').status_code == 200
        assert demo.get(f'{SG}/{uuid.uuid4()}').status_code == 404
    finally:
        demo.delete(f'{SG}/{group["id"]}')


def test_list_limit_offset_and_query_validation(demo):
    ids = [create_group(demo, policy='affinity')['id'] for _ in range(3)]
    try:
        everything = [g['id'] for g in demo.get(SG).json()['server_groups']]
        start = everything.index(ids[0])
        page = demo.get(f'{SG}?limit=2&offset={start}').json()['server_groups']
        assert [g['id'] for g in page] == ids[:2]
        for query in ('limit=-1', 'limit=x', 'offset=-2'):
            assert demo.get(f'{SG}?{query}').status_code == 400, query
        # Unknown query parameters are refused from 2.75 only.
        assert demo.get(f'{SG}?foo=1', headers=_mv('2.74')).status_code == 200
        assert demo.get(f'{SG}?foo=1', headers=_mv('2.75')).status_code == 400
    finally:
        for group_id in ids:
            demo.delete(f'{SG}/{group_id}')


def test_reader_lists_but_cannot_create(cloud, demo):
    viewer = client_mod.Client(cloud.url, 'viewer', 'viewerpw', 'demo')
    group = create_group(demo, policy='affinity')
    try:
        assert viewer.get(f'{SG}/{group["id"]}').status_code == 200
        assert create_group(viewer, expect=403, policy='affinity').status_code == 403
        assert viewer.delete(f'{SG}/{group["id"]}').status_code == 403
    finally:
        demo.delete(f'{SG}/{group["id"]}')


def boot_body(name, image_id, hints, **server):
    return {'server': dict({'name': name, 'imageRef': image_id, 'flavorRef': '42',
                            'networks': 'none'}, **server), 'os:scheduler_hints': hints}


def test_boot_with_unknown_or_malformed_group_is_400(demo, alt, image_id):
    others = create_group(alt, policy='affinity')
    try:
        for group in (str(uuid.uuid4()), 'not-a-uuid', others['id']):
            resp = demo.post(S, json=boot_body('sg-bad', image_id, {'group': group}))
            assert resp.status_code == 400, resp.text
    finally:
        alt.delete(f'{SG}/{others["id"]}')


def create_with_hints(client, name, image_id, hints):
    resp = client.post(S, json=boot_body(name, image_id, hints))
    assert resp.status_code == 202, resp.text
    return resp.json()['server']['id']


def boot_group(client, image_id, group_id, count, name='sg'):
    """Multi-create ``count`` servers into the group; their ids, once none is building."""
    resp = client.post(S, json=boot_body(name, image_id, {'group': group_id}, min_count=count,
                                         return_reservation_id=True))
    assert resp.status_code == 202, resp.text
    reservation = resp.json()['reservation_id']
    found = client.get(f'{S}/detail?reservation_id={reservation}').json()['servers']
    assert len(found) == count
    for server in found:
        client.wait_status(server['id'], {'ACTIVE', 'ERROR'})
    return [s['id'] for s in found]


def hosts_of(admin, server_ids):
    return [admin.server(i)['OS-EXT-SRV-ATTR:host'] for i in server_ids]


def members(client, group_id):
    return client.get(f'{SG}/{group_id}').json()['server_group']['members']


def membership_rows(cloud, server_ids):
    member = models.ServerGroupMember.__table__
    with cloud.db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(member).where(
            member.c.instance_uuid.in_(list(server_ids)))).scalar()


def test_affinity_puts_every_member_on_one_host(demo, admin, image_id):
    group = create_group(demo, policy='affinity')
    servers = boot_group(demo, image_id, group['id'], 2)
    try:
        assert sorted(members(demo, group['id'])) == sorted(servers)
        assert [demo.server(i)['status'] for i in servers] == ['ACTIVE', 'ACTIVE']
        assert len(set(hosts_of(admin, servers))) == 1
    finally:
        demo.delete_all(servers)
        demo.delete(f'{SG}/{group["id"]}')


def test_anti_affinity_spreads_then_fails_with_no_valid_host(cloud, demo, admin, image_id):
    group = create_group(demo, policy='anti-affinity')
    host_count = len(cloud.computes)
    servers = boot_group(demo, image_id, group['id'], host_count)
    try:
        assert [demo.server(i)['status'] for i in servers] == ['ACTIVE'] * host_count
        assert len(set(hosts_of(admin, servers))) == host_count
        [extra] = boot_group(demo, image_id, group['id'], 1, name='sg-extra')
        servers.append(extra)
        failed = demo.server(extra)
        assert failed['status'] == 'ERROR'
        assert 'No valid host' in failed['fault']['message']
    finally:
        demo.delete_all(servers)
        demo.delete(f'{SG}/{group["id"]}')


def test_parallel_boots_into_one_anti_affinity_group_never_share_a_host(cloud, demo, admin,
                                                                        image_id):
    group = create_group(demo, policy='anti-affinity')
    count = len(cloud.computes) + 1
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        servers = list(pool.map(lambda n: create_with_hints(
            demo, f'sg-par-{n}', image_id, {'group': group['id']}), range(count)))
    try:
        statuses = [demo.wait_status(i, {'ACTIVE', 'ERROR'})['status'] for i in servers]
        active = [i for i, st in zip(servers, statuses) if st == 'ACTIVE']
        assert sorted(statuses).count('ERROR') == 1 and len(active) == count - 1
        assert len(set(hosts_of(admin, active))) == len(active)
    finally:
        demo.delete_all(servers)
        demo.delete(f'{SG}/{group["id"]}')


def test_server_groups_in_the_server_view_from_2_71(demo, image_id):
    group = create_group(demo, policy='soft-anti-affinity')
    [grouped] = boot_group(demo, image_id, group['id'], 1)
    try:
        with demo.booted('sg-alone', image_id) as alone:
            show = demo.get(f'{S}/{grouped}', headers=_mv('2.71')).json()['server']
            assert show['server_groups'] == [group['id']]
            assert demo.get(f'{S}/{alone}', headers=_mv('2.71')).json()['server'][
                'server_groups'] == []
            assert 'server_groups' not in demo.get(f'{S}/{grouped}',
                                                   headers=_mv('2.70')).json()['server']
            # Nova's list detail has no server_groups at any microversion.
            listed = demo.get(f'{S}/detail', headers=_mv('2.96')).json()['servers']
            assert listed and all('server_groups' not in s for s in listed)
    finally:
        demo.delete_all([grouped])
        demo.delete(f'{SG}/{group["id"]}')


def test_deleting_a_server_or_its_group_removes_the_membership(cloud, demo, image_id):
    group = create_group(demo, policy='soft-affinity')
    servers = boot_group(demo, image_id, group['id'], 2)
    try:
        assert membership_rows(cloud, servers) == 2
        demo.delete_all(servers[:1])
        assert members(demo, group['id']) == servers[1:]
        assert membership_rows(cloud, servers) == 1
        assert demo.delete(f'{SG}/{group["id"]}').status_code == 204
        assert membership_rows(cloud, servers) == 0
        assert demo.get(f'{S}/{servers[1]}', headers=_mv('2.71')).json()['server'][
            'server_groups'] == []
    finally:
        demo.delete_all(servers[1:])


def test_same_host_and_different_host_hints(demo, admin, image_id):
    with demo.booted('sg-anchor', image_id) as anchor:
        [anchor_host] = hosts_of(admin, [anchor])
        near = create_with_hints(demo, 'sg-near', image_id, {'same_host': anchor})
        far = create_with_hints(demo, 'sg-far', image_id, {'different_host': [anchor]})
        try:
            for server_id in (near, far):
                demo.wait_status(server_id, {'ACTIVE'})
            assert hosts_of(admin, [near, far]) == [anchor_host, hosts_of(admin, [far])[0]]
            assert hosts_of(admin, [far])[0] != anchor_host
        finally:
            demo.delete_all([near, far])


def test_openstack_cli_server_group_create_list_show_delete(openstack):
    name = f'g1-{uuid.uuid4().hex[:6]}'
    created = json.loads(openstack('server', 'group', 'create', '--policy', 'anti-affinity',
                                   name, '-f', 'json'))
    assert created['name'] == name and created['policy'] == 'anti-affinity'
    listed = json.loads(openstack('server', 'group', 'list', '-f', 'json'))
    assert [g['Name'] for g in listed if g['ID'] == created['id']] == [name]
    shown = json.loads(openstack('server', 'group', 'show', name, '-f', 'json'))
    assert shown['id'] == created['id'] and shown['members'] in ('', [])
    openstack('server', 'group', 'delete', name)
    assert created['id'] not in openstack('server', 'group', 'list', '-f', 'value', '-c', 'ID')


def test_group_quotas_are_enforced(admin, alt, image_id):
    """server_groups caps a project's groups, server_group_members a group's servers (403)."""
    qs = f'/compute/v2.1/os-quota-sets/{alt.project_id}'
    resp = admin.request('PUT', qs, json={'quota_set': {
        'server_groups': 1, 'server_group_members': 1}})
    assert resp.status_code == 200, resp.text
    group = create_group(alt, policy='soft-affinity')
    created = []
    try:
        refused = create_group(alt, expect=403, policy='affinity')
        assert 'server_groups' in refused.json()['forbidden']['message']
        first = alt.post(S, json=boot_body('sg-q1', image_id, {'group': group['id']}))
        assert first.status_code == 202, first.text
        created.append(first.json()['server']['id'])
        second = alt.post(S, json=boot_body('sg-q2', image_id, {'group': group['id']}))
        assert second.status_code == 403, second.text
        assert 'server_group_members' in second.json()['forbidden']['message']
    finally:
        alt.delete_all(created)
        assert alt.delete(f'{SG}/{group["id"]}').status_code == 204
        assert admin.delete(qs).status_code == 202
