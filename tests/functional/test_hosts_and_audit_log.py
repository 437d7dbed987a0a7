"""os-hosts (until 2.43) and os-instance_usage_audit_log as Nova answers them."""
import datetime
import urllib.parse

import pytest

from tests.functional import tempest_schema
from tests.functional.test_aggregates import aggregate

HOSTS = '/compute/v2.1/os-hosts'
AUDIT = '/compute/v2.1/os-instance_usage_audit_log'
OLD = {'OpenStack-API-Version': 'compute 2.42'}


def _hosts(client, **params):
    return client.get(HOSTS, headers=OLD, params=params)


def test_list_hosts_matches_tempest_schema(admin):
    resp = _hosts(admin)
    tempest_schema.check(resp, 'v2_1', 'hosts', 'list_hosts')
    found = resp.json()['hosts']
    assert {'host_name': 'compute-1', 'service': 'compute', 'zone': 'nova'} in found
    assert {h['service'] for h in found} >= {'compute', 'conductor', 'scheduler'}
    assert all(h['zone'] == 'internal' for h in found if h['service'] != 'compute')


def test_list_hosts_by_zone(admin):
    assert {h['host_name'] for h in _hosts(admin, zone='nova').json()['hosts']} == {
        'compute-1', 'compute-2'}
    assert _hosts(admin, zone='').json()['hosts'] == _hosts(admin).json()['hosts']
    assert _hosts(admin, zone='xxx').json()['hosts'] == []
    with aggregate(admin, 'hosts-agg', zone='hosts-az', hosts=['compute-2']):
        assert _hosts(admin, zone='hosts-az').json()['hosts'] == [
            {'host_name': 'compute-2', 'service': 'compute', 'zone': 'hosts-az'}]


def test_show_host_rows(admin, demo, image_id):
    with demo.booted('hosts-vm', image_id) as server_id:
        host = admin.get(f'/compute/v2.1/servers/{server_id}').json()['server'][
            'OS-EXT-SRV-ATTR:host']
        resp = admin.get(f'{HOSTS}/{host}', headers=OLD)
        tempest_schema.check(resp, 'v2_1', 'hosts', 'get_host_detail')
        rows = {r['resource']['project']: r['resource'] for r in resp.json()['host']}
    assert list(rows)[:3] == ['(total)', '(used_now)', '(used_max)']
    assert all(r['host'] == host for r in rows.values())
    mine = rows[demo.project_id]
    assert (mine['cpu'], mine['memory_mb'], mine['disk_gb']) == (1, 128, 1)
    assert rows['(used_max)']['cpu'] >= 1 and rows['(total)']['cpu'] > 0


@pytest.mark.parametrize('method,suffix,body', [
    ('GET', '', None), ('PUT', '', {'status': 'enable'}), ('GET', '/reboot', None),
    ('GET', '/shutdown', None), ('GET', '/startup', None)])
def test_unknown_host_404_non_admin_403(admin, demo, method, suffix, body):
    kw = {'headers': OLD, 'json': body} if body else {'headers': OLD}
    assert admin.request(method, f'{HOSTS}/nonexistent{suffix}', **kw).status_code == 404
    assert demo.request(method, f'{HOSTS}/compute-1{suffix}', **kw).status_code == 403


def test_non_admin_cannot_list(demo):
    assert _hosts(demo).status_code == 403


@pytest.mark.parametrize('action', ['reboot', 'shutdown', 'startup'])
def test_power_actions_are_not_implemented(admin, action):
    resp = admin.get(f'{HOSTS}/compute-1/{action}', headers=OLD)
    assert resp.status_code == 501, resp.text


@pytest.mark.parametrize('body', [{}, {'status': 'invalid'}, {'maintenance_mode': 'invalid'},
                                  {'status': 'enable', 'bogus': 'x'}])
def test_update_bad_body_is_400(admin, body):
    assert admin.request('PUT', f'{HOSTS}/compute-1', headers=OLD,
                         json=body).status_code == 400


def test_update_status_disables_the_compute_service(admin):
    path = f'{HOSTS}/compute-2'
    resp = admin.request('PUT', path, headers=OLD, json={'status': 'Disable'})
    try:
        tempest_schema.check(resp, 'v2_1', 'hosts', 'update_host')
        assert resp.json() == {'host': 'compute-2', 'status': 'disabled'}
        services = admin.get('/compute/v2.1/os-services?host=compute-2&binary=nova-compute')
        assert services.json()['services'][0]['status'] == 'disabled'
        resp = admin.request('PUT', path, headers=OLD,
                             json={'status': 'enable', 'maintenance_mode': 'enable'})
        assert resp.status_code == 501  # refused whole: status stays disabled
        services = admin.get('/compute/v2.1/os-services?host=compute-2&binary=nova-compute')
        assert services.json()['services'][0]['status'] == 'disabled'
    finally:
        resp = admin.request('PUT', path, headers=OLD, json={'status': 'enable'})
        assert resp.json() == {'host': 'compute-2', 'status': 'enabled'}


def test_hosts_gone_from_2_43(admin):
    new = {'OpenStack-API-Version': 'compute 2.43'}
    assert admin.get(HOSTS, headers=new).status_code == 404
    assert admin.get(f'{HOSTS}/compute-1', headers=new).status_code == 404
    assert admin.get(f'{HOSTS}/compute-1/reboot', headers=new).status_code == 404


def _quoted(moment):
    return urllib.parse.quote(moment.strftime('%Y-%m-%d %H:%M:%S'))


def test_audit_log_index_and_show(admin):
    resp = admin.get(AUDIT)
    tempest_schema.check(resp, 'v2_1', 'instance_usage_audit_logs',
                         'list_instance_usage_audit_log')
    log = resp.json()['instance_usage_audit_logs']
    assert log['hosts_not_run'] == ['compute-1', 'compute-2'] and log['num_hosts'] == 2
    assert log['overall_status'] == '0 of 2 hosts done. 0 errors.' and log['log'] == {}
    resp = admin.get(f'{AUDIT}/{_quoted(datetime.datetime(2024, 3, 15, 10, 0, 0))}')
    tempest_schema.check(resp, 'v2_1', 'instance_usage_audit_logs',
                         'get_instance_usage_audit_log')
    shown = resp.json()['instance_usage_audit_log']
    assert (shown['period_beginning'], shown['period_ending']) == (
        '2024-02-01 00:00:00', '2024-03-01 00:00:00')


def test_audit_log_period_edges(admin):
    shown = admin.get(f'{AUDIT}/2024-01-01%2000:00:00.000001').json()[
        'instance_usage_audit_log']
    assert (shown['period_beginning'], shown['period_ending']) == (
        '2023-12-01 00:00:00', '2024-01-01 00:00:00')
    shown = admin.get(f'{AUDIT}/2024-01-01%2000:00:00').json()['instance_usage_audit_log']
    assert shown['period_beginning'] == '2023-11-01 00:00:00'


def test_audit_log_errors(admin, demo):
    assert admin.get(f'{AUDIT}/invalid_time').status_code == 400
    assert demo.get(AUDIT).status_code == 403
    assert demo.get(f'{AUDIT}/{_quoted(datetime.datetime.now())}').status_code == 403
