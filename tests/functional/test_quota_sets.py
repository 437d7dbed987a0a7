"""os-quota-sets, os-quota-class-sets and /limits: stored limits, per microversion, enforced."""
import json
import uuid

import pytest

from db import quotas as quota_rows
from tests.functional import conftest

QS = '/compute/v2.1/os-quota-sets'
QC = '/compute/v2.1/os-quota-class-sets'
LIMITS = '/compute/v2.1/limits'
BASE = {'instances', 'cores', 'ram', 'metadata_items', 'key_pairs', 'server_groups',
        'server_group_members'}
NETWORK = {'fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'}
INJECTED = {'injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'}


def v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


def put(client, project, version='2.1', user_id=None, **values):
    query = f'?user_id={user_id}' if user_id else ''
    return client.request('PUT', f'{QS}/{project}{query}', json={'quota_set': values},
                          headers=v(version))


@pytest.fixture
def project(admin):
    """A fresh project id whose quota rows are dropped afterwards."""
    ident = uuid.uuid4().hex
    yield ident
    assert admin.delete(f'{QS}/{ident}').status_code == 202


@pytest.mark.parametrize('version,keys', [
    ('2.1', BASE | NETWORK | INJECTED), ('2.35', BASE | NETWORK | INJECTED),
    ('2.36', BASE | INJECTED), ('2.56', BASE | INJECTED), ('2.57', BASE), ('2.96', BASE)])
def test_defaults_show_nova_resources_per_microversion(demo, version, keys):
    for path in (f'{QS}/{demo.project_id}/defaults', f'{QS}/{demo.project_id}'):
        resp = demo.get(path, headers=v(version))
        assert resp.status_code == 200, resp.text
        body = resp.json()['quota_set']
        assert set(body) == keys | {'id'} and body['id'] == demo.project_id
    detail = demo.get(f'{QS}/{demo.project_id}/detail', headers=v(version)).json()
    assert set(detail['quota_set']) == keys | {'id'}
    assert set(detail['quota_set']['cores']) == {'limit', 'in_use', 'reserved'}


def test_defaults_come_from_config(demo):
    body = demo.get(f'{QS}/{demo.project_id}/defaults', headers=v('2.1')).json()['quota_set']
    # The functional cloud lifts instances/cores/ram; the rest are Nova's defaults.
    assert (body['instances'], body['key_pairs'], body['metadata_items']) == (-1, 100, 128)
    assert (body['server_groups'], body['server_group_members'], body['injected_files']) == \
        (10, 10, 5)


def test_non_admin_reads_only_its_own_project(demo, alt):
    assert demo.get(f'{QS}/{alt.project_id}').status_code == 403
    assert demo.get(f'{QS}/{alt.project_id}/detail').status_code == 403
    assert put(demo, demo.project_id, ram=0).status_code == 403
    assert demo.delete(f'{QS}/{demo.project_id}').status_code == 403
    assert demo.get(f'{QC}/default').status_code == 403
    assert demo.request('PUT', f'{QC}/default',
                        json={'quota_class_set': {'ram': 1}}).status_code == 403


def test_project_and_user_limits_are_stored_and_deleted(admin, project):
    resp = put(admin, project, ram='5120')
    assert resp.status_code == 200, resp.text
    assert 'id' not in resp.json()['quota_set'] and resp.json()['quota_set']['ram'] == 5120
    assert admin.get(f'{QS}/{project}').json()['quota_set']['ram'] == 5120
    detail = admin.get(f'{QS}/{project}/detail').json()['quota_set']
    assert detail['ram'] == {'limit': 5120, 'in_use': 0, 'reserved': 0}
    assert put(admin, project, user_id='u1', ram='2048').status_code == 200
    assert admin.get(f'{QS}/{project}?user_id=u1').json()['quota_set']['ram'] == 2048
    assert admin.get(f'{QS}/{project}').json()['quota_set']['ram'] == 5120
    # A user may not get more than the project has.
    assert put(admin, project, user_id='u1', ram=6000).status_code == 400
    resp = admin.delete(f'{QS}/{project}')
    assert resp.status_code == 202 and not resp.content
    default = admin.get(f'{QS}/{project}/defaults').json()['quota_set']['ram']
    assert admin.get(f'{QS}/{project}').json()['quota_set']['ram'] == default
    assert admin.get(f'{QS}/{project}?user_id=u1').json()['quota_set']['ram'] == default


@pytest.mark.parametrize('version,values', [
    ('2.1', {'ram': 'abc'}), ('2.1', {'ram': -2}), ('2.1', {'ram': '-5'}),
    ('2.1', {'bogus': 1}), ('2.1', {'ram': 1.5}), ('2.1', {'force': 'maybe'}),
    ('2.36', {'fixed_ips': 1}), ('2.57', {'injected_files': 1})])
def test_bad_updates_are_400(admin, project, version, values):
    assert put(admin, project, version, **values).status_code == 400
    resp = admin.request('PUT', f'{QS}/{project}', json={'ram': 1})
    assert resp.status_code == 400


def test_removed_resources_still_settable_before_their_microversion(admin, project):
    resp = put(admin, project, '2.35', fixed_ips=7, injected_files=3)
    assert resp.status_code == 200, resp.text
    assert resp.json()['quota_set']['fixed_ips'] == 7


def test_limit_below_usage_needs_force(cloud, admin, alt, image_id):
    with alt.booted('quota-used', image_id):
        resp = put(admin, alt.project_id, instances=0)
        assert resp.status_code == 400 and 'already used' in resp.text
        assert put(admin, alt.project_id, instances=0, force=True).status_code == 200
        try:
            refused = alt.create_server('over', image_id)
            assert refused.status_code == 403, refused.text
            assert 'instances' in refused.json()['forbidden']['message']
            detail = admin.get(f'{QS}/{alt.project_id}/detail').json()['quota_set']
            assert detail['instances'] == {'limit': 0, 'in_use': 1, 'reserved': 0}
        finally:
            admin.delete(f'{QS}/{alt.project_id}')


def test_cores_and_ram_limits_from_the_database(admin, alt, image_id):
    try:
        for resource in ('cores', 'ram'):
            assert put(admin, alt.project_id, force=True, **{resource: 0}).status_code == 200
            refused = alt.create_server('over', image_id)
            assert refused.status_code == 403 and resource in refused.text
            admin.delete(f'{QS}/{alt.project_id}')
    finally:
        admin.delete(f'{QS}/{alt.project_id}')


def test_metadata_items_quota_on_create(admin, alt, image_id):
    assert put(admin, alt.project_id, metadata_items=2).status_code == 200
    try:
        limits = alt.get(LIMITS).json()['limits']['absolute']
        assert limits['maxServerMeta'] == 2
        refused = alt.create_server('meta', image_id, metadata={'a': '1', 'b': '2', 'c': '3'})
        assert refused.status_code == 403 and 'metadata_items' in refused.text
    finally:
        admin.delete(f'{QS}/{alt.project_id}')
    # Nova's default (128) is a quota, not a schema limit: 129 items are a 403 too.
    many = {str(n): 'x' for n in range(129)}
    assert alt.create_server('meta', image_id, metadata=many).status_code == 403


def test_quota_class_default_overrides_config(cloud, admin, project):
    try:
        shown = admin.get(f'{QC}/default', headers=v('2.1')).json()['quota_class_set']
        assert shown['id'] == 'default' and 'server_groups' not in shown
        assert 'fixed_ips' in shown and 'injected_files' in shown
        resp = admin.request('PUT', f'{QC}/default',
                             json={'quota_class_set': {'key_pairs': 177}})
        assert resp.status_code == 200, resp.text
        assert resp.json()['quota_class_set']['key_pairs'] == 177
        assert 'id' not in resp.json()['quota_class_set']
        assert admin.get(f'{QS}/{project}/defaults').json()['quota_set']['key_pairs'] == 177
        assert admin.get(f'{QS}/{project}').json()['quota_set']['key_pairs'] == 177
        at_250 = admin.get(f'{QC}/default', headers=v('2.50')).json()['quota_class_set']
        assert 'server_groups' in at_250 and 'fixed_ips' not in at_250
        assert 'injected_files' in at_250
        at_257 = admin.get(f'{QC}/default', headers=v('2.57')).json()['quota_class_set']
        assert 'injected_files' not in at_257
        bad = admin.request('PUT', f'{QC}/default', headers=v('2.50'),
                            json={'quota_class_set': {'fixed_ips': 1}})
        assert bad.status_code == 400
    finally:
        quota_rows.delete_class_limits(cloud.db, 'default')


@pytest.mark.parametrize('version,present,absent', [
    ('2.1', {'maxTotalFloatingIps', 'maxImageMeta', 'maxPersonality',
             'totalSecurityGroupsUsed'}, set()),
    ('2.36', {'maxImageMeta', 'maxPersonality'}, {'maxTotalFloatingIps',
                                                  'totalFloatingIpsUsed'}),
    ('2.39', {'maxPersonality'}, {'maxImageMeta'}),
    ('2.57', set(), {'maxPersonality', 'maxPersonalitySize', 'maxImageMeta'})])
def test_limits_per_microversion(demo, version, present, absent):
    resp = demo.get(LIMITS, headers=v(version))
    assert resp.status_code == 200, resp.text
    limits = resp.json()['limits']
    assert limits['rate'] == []
    always = {'maxTotalInstances', 'maxTotalCores', 'maxTotalRAMSize', 'maxServerMeta',
              'maxTotalKeypairs', 'maxServerGroups', 'maxServerGroupMembers',
              'totalInstancesUsed', 'totalCoresUsed', 'totalRAMUsed', 'totalServerGroupsUsed'}
    assert always | present <= set(limits['absolute'])
    assert not absent & set(limits['absolute'])


def test_limits_show_usage_and_other_projects_for_admin(admin, alt, demo, image_id):
    assert put(admin, alt.project_id, cores=33).status_code == 200
    try:
        with alt.booted('limits-used', image_id):
            mine = alt.get(LIMITS).json()['limits']['absolute']
            assert (mine['totalInstancesUsed'], mine['totalCoresUsed'],
                    mine['totalRAMUsed'], mine['maxTotalCores']) == (1, 1, 128, 33)
            other = admin.get(f'{LIMITS}?tenant_id={alt.project_id}').json()
            assert other['limits']['absolute']['maxTotalCores'] == 33
            assert other['limits']['absolute']['totalInstancesUsed'] == 1
            assert demo.get(f'{LIMITS}?tenant_id={alt.project_id}').status_code == 403
    finally:
        admin.delete(f'{QS}/{alt.project_id}')


def test_cli_quota_set_then_limits_show(cloud, demo):
    """An operator's `openstack quota set` is what the project sees in `limits show`."""
    as_admin = conftest.cli_runner(cloud.url, 'admin', 'adminpw')
    as_demo = conftest.cli_runner(cloud.url, 'demo', 'demopw')
    try:
        before = json.loads(as_demo('limits', 'show', '--absolute', '-f', 'json'))
        assert {r['Name']: r['Value'] for r in before}['max_total_instances'] != 50
        as_admin('quota', 'set', '--instances', '50', 'demo')
        shown = json.loads(as_demo('limits', 'show', '--absolute', '-f', 'json'))
        values = {row['Name']: row['Value'] for row in shown}
        # The SDK renames maxTotalInstances.
        assert values['max_total_instances'] == 50
    finally:
        quota_rows.delete_limits(cloud.db, demo.project_id)
