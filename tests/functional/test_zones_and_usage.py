"""os-availability-zone and os-simple-tenant-usage as Nova answers them."""
import datetime

AZ = '/compute/v2.1/os-availability-zone'
USAGE = '/compute/v2.1/os-simple-tenant-usage'


def _window(days=1):
    now = datetime.datetime.utcnow()
    fmt = '%Y-%m-%dT%H:%M:%S.%f'
    return {'start': (now - datetime.timedelta(days=days)).strftime(fmt),
            'end': (now + datetime.timedelta(days=days)).strftime(fmt)}


def test_zone_list_leaves_out_internal(demo):
    resp = demo.get(AZ)
    assert resp.status_code == 200, resp.text
    zones = resp.json()['availabilityZoneInfo']
    assert zones == [{'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None}]


def test_zone_detail_is_admin_only_and_lists_services(admin, demo):
    assert demo.get(AZ + '/detail').status_code == 403
    zones = {z['zoneName']: z for z in admin.get(AZ + '/detail').json()['availabilityZoneInfo']}
    assert set(zones) == {'nova', 'internal'}
    assert set(zones['nova']['hosts']) == {'compute-1', 'compute-2'}
    compute = zones['nova']['hosts']['compute-1']['nova-compute']
    assert compute['available'] is True and compute['active'] is True
    assert compute['updated_at'].endswith('Z')
    internal = {b for services in zones['internal']['hosts'].values() for b in services}
    assert {'nova-conductor', 'nova-scheduler'} <= internal
    assert 'nova-compute' not in internal


def test_disabled_zone_is_unavailable(admin):
    services = admin.get('/compute/v2.1/os-services?binary=nova-compute').json()['services']
    ids = [s['id'] for s in services]

    def set_all(status):
        for ident in ids:
            resp = admin.request('PUT', f'/compute/v2.1/os-services/{ident}',
                                 json={'status': status})
            assert resp.status_code == 200, resp.text
    set_all('disabled')
    try:
        zones = admin.get(AZ).json()['availabilityZoneInfo']
        assert zones == [{'zoneName': 'nova', 'zoneState': {'available': False},
                          'hosts': None}]
    finally:
        set_all('enabled')


def test_usage_of_a_running_server(admin, demo, image_id):
    with demo.booted('usage-vm', image_id) as server_id:
        resp = demo.get(f'{USAGE}/{demo.project_id}', params=_window())
        assert resp.status_code == 200, resp.text
        usage = resp.json()['tenant_usage']
        assert len(usage) == 8 and usage['tenant_id'] == demo.project_id
        mine = [u for u in usage['server_usages'] if u['instance_id'] == server_id]
        assert len(mine) == 1
        assert (mine[0]['flavor'], mine[0]['memory_mb'], mine[0]['vcpus'],
                mine[0]['local_gb'], mine[0]['state'], mine[0]['ended_at']) == \
            ('m1.nano', 128, 1, 1, 'active', None)
        # Like Nova, a running server is charged up to the window's end (a day from now).
        assert 23.9 < mine[0]['hours'] < 24.1 and usage['total_hours'] >= mine[0]['hours']
        assert usage['total_memory_mb_usage'] >= 128 * mine[0]['hours']
        listed = admin.get(USAGE, params=dict(_window(), detailed='1')).json()
        ours = [u for u in listed['tenant_usages'] if u['tenant_id'] == demo.project_id]
        assert len(ours) == 1 and len(ours[0]) == 8
        brief = admin.get(USAGE, params=_window()).json()['tenant_usages']
        assert all('server_usages' not in u for u in brief) and len(brief[0]) == 7
    # A deleted server still counts for the window it ran in.
    after = demo.get(f'{USAGE}/{demo.project_id}', params=_window()).json()['tenant_usage']
    gone = [u for u in after['server_usages'] if u['instance_id'] == server_id]
    assert gone and gone[0]['state'] == 'terminated' and gone[0]['ended_at']


def test_usage_errors(admin, demo, alt):
    window = _window()
    assert demo.get(USAGE, params=window).status_code == 403
    assert demo.get(f'{USAGE}/{alt.project_id}', params=window).status_code == 403
    assert admin.get(USAGE + '/', params=window).status_code == 404
    backwards = {'start': window['end'], 'end': window['start']}
    assert admin.get(f'{USAGE}/{demo.project_id}', params=backwards).status_code == 400
    assert admin.get(USAGE, params={'start': 'yesterday'}).status_code == 400
    empty = admin.get(f'{USAGE}/no-such-project', params=window)
    assert empty.status_code == 200 and empty.json() == {'tenant_usage': {}}


def test_usage_paging_from_2_40(admin, demo, image_id):
    ids = demo.boot_many('usage-page', image_id, 3)
    try:
        for server_id in ids:
            demo.wait_status(server_id, {'ACTIVE'})
        headers = {'OpenStack-API-Version': 'compute 2.40'}
        # The session's cloud holds every other test's servers too: page until the end.
        seen, pages, params = [], 0, dict(_window(), limit=2, detailed='1')
        for pages in range(1, 1000):
            body = admin.get(f'{USAGE}/{demo.project_id}', params=params,
                             headers=headers).json()
            page = body['tenant_usage'].get('server_usages', [])
            assert len(page) <= 2
            seen += [u['instance_id'] for u in page]
            if 'tenant_usage_links' not in body:
                break
            params['marker'] = page[-1]['instance_id']
        assert set(ids) <= set(seen) and len(seen) == len(set(seen)) and pages >= 2
        bad = admin.get(f'{USAGE}/{demo.project_id}', headers=headers,
                        params=dict(_window(), marker='no-such-server'))
        assert bad.status_code == 400
        # Before 2.40 limit is ignored: everything in one answer.
        whole = admin.get(f'{USAGE}/{demo.project_id}', params=dict(_window(), limit=1),
                          headers={'OpenStack-API-Version': 'compute 2.39'})
        assert len(whole.json()['tenant_usage']['server_usages']) >= 3
    finally:
        demo.delete_all(ids)
