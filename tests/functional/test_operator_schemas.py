"""Quota, limits, zone, usage, hypervisor and diagnostics bodies vs tempest's own schemas.

Skipped where tempest is not installed (tools/install-tempest.sh, or TEMPEST_SITE).
"""
import datetime
import importlib
import os
import sys

import pytest

from db import quotas as quota_rows
from tests.functional import tempest_schema

SITE = tempest_schema.TEMPEST_SITE
if os.path.isdir(SITE) and SITE not in sys.path:
    sys.path.append(SITE)
rest_client = pytest.importorskip('tempest.lib.common.rest_client')
H = '/compute/v2.1/os-hypervisors'


class _Resp(dict):
    def __init__(self, status):
        super().__init__()
        self.status = status


def _mv(version):
    return {'OpenStack-API-Version': f'compute {version}'}


def _check(resp, module, name):
    schema = getattr(importlib.import_module(
        f'tempest.lib.api_schema.response.compute.{module}'), name)
    rest_client.RestClient.validate_response(schema, _Resp(resp.status_code), resp.json())


def _get(client, path, version, module, name):
    _check(client.get(path, headers=_mv(version)), module, name)


def _window():
    now, fmt = datetime.datetime.now(), '%Y-%m-%dT%H:%M:%S.%f'
    day = datetime.timedelta(days=1)
    return f'?start={(now - day).strftime(fmt)}&end={(now + day).strftime(fmt)}'


@pytest.mark.parametrize('version,mod', [('2.1', 'v2_1'), ('2.36', 'v2_36'),
                                         ('2.57', 'v2_57'), ('2.96', 'v2_57')])
def test_quota_sets(admin, demo, version, mod):
    base = f'/compute/v2.1/os-quota-sets/{demo.project_id}'
    for suffix, name in (('', 'get_quota_set'), ('/defaults', 'get_quota_set'),
                         ('/detail', 'get_quota_set_details'),
                         ('?user_id=someone', 'get_quota_set')):
        _get(admin, base + suffix, version, mod + '.quotas', name)
    resp = admin.request('PUT', '/compute/v2.1/os-quota-sets/schema-check', headers=_mv(version),
                         json={'quota_set': {'ram': '5120', 'force': True}})
    _check(resp, mod + '.quotas', 'update_quota_set')
    assert admin.delete('/compute/v2.1/os-quota-sets/schema-check').status_code == 202


@pytest.mark.parametrize('version,mod', [('2.1', 'v2_1'), ('2.50', 'v2_50'), ('2.57', 'v2_57')])
def test_quota_classes(cloud, admin, version, mod):
    path = '/compute/v2.1/os-quota-class-sets/default'
    _get(admin, path, version, mod + '.quota_classes', 'get_quota_class_set')
    body = admin.get(path, headers=_mv(version)).json()['quota_class_set']
    body.pop('id')
    try:
        resp = admin.request('PUT', path, headers=_mv(version), json={
            'quota_class_set': {k: v + 100 for k, v in body.items()}})
        _check(resp, mod + '.quota_classes', 'update_quota_class_set')
    finally:
        quota_rows.delete_class_limits(cloud.db, 'default')


@pytest.mark.parametrize('version,mod', [('2.1', 'v2_1'), ('2.36', 'v2_36'), ('2.39', 'v2_39'),
                                         ('2.57', 'v2_57')])
def test_limits(demo, version, mod):
    _get(demo, '/compute/v2.1/limits', version, mod + '.limits', 'get_limit')


def test_zones_usage_hypervisors(admin, demo, image_id):
    az = 'v2_1.availability_zone'
    _get(demo, '/compute/v2.1/os-availability-zone', '2.1', az, 'list_availability_zone_list')
    _get(admin, '/compute/v2.1/os-availability-zone/detail', '2.1', az,
         'list_availability_zone_list_detail')
    with demo.booted('schema-vm', image_id) as server_id:
        diag = f'/compute/v2.1/servers/{server_id}/diagnostics'
        _get(admin, diag, '2.48', 'v2_48.servers', 'show_server_diagnostics')
        _get(admin, diag, '2.1', 'v2_1.servers', 'show_server_diagnostics')
        usage = '/compute/v2.1/os-simple-tenant-usage'
        _get(admin, usage + _window() + '&detailed=1', '2.1', 'v2_1.tenant_usages',
             'list_tenant_usage')
        _get(demo, f'{usage}/{demo.project_id}{_window()}', '2.1', 'v2_1.tenant_usages',
             'get_tenant_usage')
        hid = admin.get(H, headers=_mv('2.1')).json()['hypervisors'][0]['id']
        for version, mod in (('2.1', 'v2_1'), ('2.28', 'v2_28'), ('2.52', 'v2_33')):
            for path, name in ((f'{H}/{hid}/uptime', 'get_hypervisor_uptime'),
                               (f'{H}/compute/search', 'list_search_hypervisors'),
                               (f'{H}/compute/servers', 'get_hypervisors_servers'),
                               (f'{H}/statistics', 'get_hypervisor_statistics'),
                               (f'{H}/detail', 'list_hypervisors_detail')):
                _get(admin, path, version, mod + '.hypervisors', name)
        uuid = admin.get(H, headers=_mv('2.53')).json()['hypervisors'][0]['id']
        for path, name in ((f'{H}/{uuid}/uptime', 'get_hypervisor_uptime'),
                           (f'{H}?with_servers=true', 'list_search_hypervisors'),
                           (f'{H}/detail?with_servers=true', 'list_hypervisors_detail'),
                           (f'{H}/{uuid}?with_servers=true', 'get_hypervisor')):
            _get(admin, path, '2.53', 'v2_53.hypervisors', name)


def _legacy(client, action, version, **body):
    return client.request('PUT', f'/compute/v2.1/os-services/{action}', headers=_mv(version),
                          json=dict({'host': 'compute-2', 'binary': 'nova-compute'}, **body))


def test_legacy_service_updates_before_2_53(admin):
    """enable / disable / disable-log-reason (2.1) and force-down (2.11) by host and binary,
    each as tempest's schema says; the service list shows the change."""
    try:
        for action, mod, name, body in (
                ('disable', 'v2_1', 'enable_disable_service', {}),
                ('enable', 'v2_1', 'enable_disable_service', {}),
                ('disable-log-reason', 'v2_1', 'disable_log_reason',
                 {'disabled_reason': 'maintenance'}),
                ('force-down', 'v2_11', 'update_forced_down', {'forced_down': True})):
            resp = _legacy(admin, action, '2.11', **body)
            assert resp.status_code == 200, (action, resp.text)
            _check(resp, f'{mod}.services', name)
        [shown] = admin.get('/compute/v2.1/os-services?host=compute-2&binary=nova-compute',
                            headers=_mv('2.11')).json()['services']
        assert (shown['status'], shown['disabled_reason'], shown['forced_down'],
                shown['state']) == ('disabled', 'maintenance', True, 'down')
    finally:
        _legacy(admin, 'force-down', '2.11', forced_down=False)
        _legacy(admin, 'enable', '2.11')
    assert _legacy(admin, 'force-down', '2.10', forced_down=True).status_code == 404
    assert _legacy(admin, 'disable', '2.1', host='nowhere').status_code == 404
    assert _legacy(admin, 'disable', '2.1', bogus=1).status_code == 400
