"""GET/POST /servers over HTTP: filters, paging, microversions, project isolation, policy."""
import uuid

import pytest

S = '/compute/v2.1/servers'
VERSION_HEADERS = ('OpenStack-API-Version', 'X-OpenStack-Nova-API-Version')


@pytest.fixture(scope='module')
def tag():
    return f'sapi-{uuid.uuid4().hex[:6]}'


@pytest.fixture(scope='module')
def trio(demo, image_id, tag):
    """Three ACTIVE demo servers {tag}-alpha/-beta/-gamma: name -> id."""
    servers = {}
    try:
        for suffix in ('alpha', 'beta', 'gamma'):
            resp = demo.create_server(f'{tag}-{suffix}', image_id)
            assert resp.status_code == 202, resp.text
            servers[f'{tag}-{suffix}'] = resp.json()['server']['id']
        for server_id in servers.values():
            assert demo.wait_status(server_id, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
        yield servers
    finally:
        _delete_all(demo, servers.values())


def _delete_all(client, server_ids):
    for server_id in server_ids:
        client.delete(f'{S}/{server_id}')
    for server_id in server_ids:
        client.wait_status(server_id, {'DELETED'})


def _names(resp):
    assert resp.status_code == 200, resp.text
    return sorted(s['name'] for s in resp.json()['servers'])


def _only_version(version=None, legacy=None):
    """Headers that replace the Client's default OpenStack-API-Version."""
    return {'OpenStack-API-Version': f'compute {version}' if version else None,
            'X-OpenStack-Nova-API-Version': legacy}


# --- filters -------------------------------------------------------------------------------

@pytest.mark.parametrize('path', [S, S + '/detail'])
def test_name_filter_is_a_regex(demo, trio, tag, path):
    assert _names(demo.get(path, params={'name': f'^{tag}-(alpha|beta)$'})) == [
        f'{tag}-alpha', f'{tag}-beta']
    assert _names(demo.get(path, params={'name': tag})) == sorted(trio)
    assert _names(demo.get(path, params={'name': f'{tag}-a'})) == [f'{tag}-alpha']
    assert _names(demo.get(path, params={'name': f'^{tag}-alpha$'})) == [f'{tag}-alpha']
    assert _names(demo.get(path, params={'name': f'{tag}-delta'})) == []


def test_status_filter(demo, trio, tag):
    active = demo.get(S + '/detail', params={'name': tag, 'status': 'ACTIVE'})
    assert _names(active) == sorted(trio)
    assert {s['status'] for s in active.json()['servers']} == {'ACTIVE'}
    assert _names(demo.get(S, params={'name': tag, 'status': 'SHUTOFF'})) == []
    # An unknown status matches nothing (Nova answers an empty list, not 400).
    assert _names(demo.get(S, params={'name': tag, 'status': 'SLEEPING'})) == []


def test_all_tenants_admin_sees_every_project(admin, demo, alt, trio, tag):
    assert _names(admin.get(S, params={'name': tag})) == []
    everyone = admin.get(S + '/detail', params={'name': tag, 'all_tenants': '1'})
    assert _names(everyone) == sorted(trio)
    assert {s['tenant_id'] for s in everyone.json()['servers']} == {demo.project_id}
    by_project = admin.get(S, params={'name': tag, 'all_tenants': 'True',
                                      'tenant_id': demo.project_id})
    assert _names(by_project) == sorted(trio)
    other = admin.get(S, params={'name': tag, 'all_tenants': '1', 'tenant_id': alt.project_id})
    assert _names(other) == []


@pytest.mark.parametrize('value', ['1', 'true', 'True', ''])
def test_all_tenants_is_forbidden_for_members(demo, trio, value):
    for path in (S, S + '/detail'):
        resp = demo.get(path, params={'all_tenants': value})
        assert resp.status_code == 403, resp.text
        fault = resp.json()['forbidden']
        assert fault['code'] == 403 and fault['message']


def test_all_tenants_false_is_own_project(demo, trio, tag):
    assert _names(demo.get(S, params={'name': tag, 'all_tenants': '0'})) == sorted(trio)
    assert _names(demo.get(S, params={'name': tag, 'all_tenants': 'false'})) == sorted(trio)


def test_host_filter_is_admin_only(admin, demo, trio, tag):
    detail = admin.get(S + '/detail', params={'name': tag, 'all_tenants': '1'}).json()
    hosts = {s['name']: s['OS-EXT-SRV-ATTR:host'] for s in detail['servers']}
    assert set(hosts) == set(trio) and all(hosts.values())
    for host in set(hosts.values()):
        on_host = admin.get(S, params={'name': tag, 'all_tenants': '1', 'host': host})
        assert _names(on_host) == sorted(n for n, h in hosts.items() if h == host)
    assert _names(admin.get(S, params={'name': tag, 'all_tenants': '1',
                                       'host': 'no-such-host'})) == []
    # A member's host filter is dropped silently, as Nova drops admin-only filters.
    assert _names(demo.get(S, params={'name': tag, 'host': 'no-such-host'})) == sorted(trio)
    for server in demo.get(S + '/detail', params={'name': tag}).json()['servers']:
        assert 'OS-EXT-SRV-ATTR:host' not in server


def test_image_and_flavor_filters(demo, trio, tag, image_id):
    assert _names(demo.get(S, params={'name': tag, 'image': image_id})) == sorted(trio)
    assert _names(demo.get(S, params={'name': tag, 'image': str(uuid.uuid4())})) == []
    assert _names(demo.get(S, params={'name': tag, 'flavor': '42'})) == sorted(trio)
    assert _names(demo.get(S, params={'name': tag, 'flavor': '2'})) == []


# --- paging --------------------------------------------------------------------------------

def _walk(client, path, params):
    """Follow servers_links from the first page; returns the pages' name lists."""
    pages = []
    resp = client.get(path, params=params)
    while True:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages.append([s['name'] for s in body['servers']])
        assert len(pages) < 20, 'paging does not terminate'
        links = body.get('servers_links')
        if not links:
            return pages
        (link,) = links
        assert link['rel'] == 'next'
        resp = client.session.get(link['href'], timeout=60)


@pytest.mark.parametrize('path', [S, S + '/detail'])
@pytest.mark.parametrize('limit', [1, 2])
def test_marker_paging_returns_each_server_once(demo, trio, tag, path, limit):
    pages = _walk(demo, path, {'name': tag, 'limit': limit})
    names = [n for page in pages for n in page]
    assert sorted(names) == sorted(trio) and len(names) == len(set(names))
    assert all(len(page) == limit for page in pages[:-1])
    # Newest first, like Nova's default sort (created_at desc).
    assert names == [f'{tag}-gamma', f'{tag}-beta', f'{tag}-alpha']


def test_next_link_only_when_page_is_full(demo, trio, tag):
    short = demo.get(S, params={'name': tag, 'limit': 4}).json()
    assert len(short['servers']) == 3 and 'servers_links' not in short
    unlimited = demo.get(S, params={'name': tag}).json()
    assert len(unlimited['servers']) == 3 and 'servers_links' not in unlimited
    full = demo.get(S, params={'name': tag, 'limit': 3}).json()
    assert len(full['servers']) == 3
    (link,) = full['servers_links']
    # The link keeps the filter and moves the marker to the last server shown.
    assert f'name={tag}' in link['href']
    assert f"marker={full['servers'][-1]['id']}" in link['href']
    last = demo.session.get(link['href'], timeout=60).json()
    assert last == {'servers': []}


def test_marker_is_exclusive_and_limit_zero_is_empty(demo, trio, tag):
    gamma = trio[f'{tag}-gamma']
    after = demo.get(S, params={'name': tag, 'marker': gamma})
    assert _names(after) == [f'{tag}-alpha', f'{tag}-beta']
    assert demo.get(S, params={'name': tag, 'limit': 0}).json() == {'servers': []}


def test_another_projects_server_is_an_unknown_marker(alt, trio, tag):
    resp = alt.get(S, params={'marker': trio[f'{tag}-alpha']})
    # Nova looks the marker up in the caller's view: another project's id is not found.
    assert resp.status_code in (200, 400)
    assert trio[f'{tag}-alpha'] not in {s['id'] for s in resp.json().get('servers', [])}


# --- show and microversions ----------------------------------------------------------------

def _show(client, server_id, version=None, legacy=None):
    resp = client.get(f'{S}/{server_id}', headers=_only_version(version, legacy))
    assert resp.status_code == 200, resp.text
    return resp


def test_show_flavor_by_microversion(demo, trio, tag):
    server_id = trio[f'{tag}-alpha']
    for version in ('2.1', '2.46'):
        flavor = _show(demo, server_id, version).json()['server']['flavor']
        assert set(flavor) == {'id', 'links'} and flavor['id'] == '42'
        assert flavor['links'][0]['rel'] == 'bookmark'
        assert flavor['links'][0]['href'].endswith('/flavors/42')
    for version in ('2.47', '2.96'):
        flavor = _show(demo, server_id, version).json()['server']['flavor']
        assert set(flavor) == {'vcpus', 'ram', 'disk', 'ephemeral', 'swap', 'original_name',
                               'extra_specs'}
        assert (flavor['original_name'], flavor['ram'], flavor['vcpus'], flavor['disk']) == (
            'm1.nano', 128, 1, 1)


def test_show_locked_fields_by_microversion(demo, trio, tag):
    server_id = trio[f'{tag}-beta']
    server = _show(demo, server_id, '2.8').json()['server']
    assert 'locked' not in server and 'locked_reason' not in server
    server = _show(demo, server_id, '2.9').json()['server']
    assert server['locked'] is False and 'locked_reason' not in server
    server = _show(demo, server_id, '2.72').json()['server']
    assert 'locked' in server and 'locked_reason' not in server
    server = _show(demo, server_id, '2.73').json()['server']
    assert server['locked'] is False and server['locked_reason'] is None


def test_show_basics(demo, trio, tag, image_id):
    server_id = trio[f'{tag}-gamma']
    server = _show(demo, server_id, '2.96').json()['server']
    assert server['id'] == server_id and server['name'] == f'{tag}-gamma'
    assert server['status'] == 'ACTIVE' and server['tenant_id'] == demo.project_id
    assert server['image']['id'] == image_id
    assert server['links'][0] == {'rel': 'self',
                                  'href': f'{demo.base}/compute/v2.1/servers/{server_id}'}
    # Members do not see the admin-only extended attributes (hostname is theirs from 2.90).
    assert 'OS-EXT-SRV-ATTR:host' not in server
    assert 'OS-EXT-SRV-ATTR:hypervisor_hostname' not in server
    assert server['OS-EXT-SRV-ATTR:hostname'] == f'{tag}-gamma'
    assert 'OS-EXT-SRV-ATTR:hostname' not in _show(demo, server_id, '2.89').json()['server']


def _assert_echo(resp, version):
    assert resp.headers['OpenStack-API-Version'] == f'compute {version}'
    assert resp.headers['X-OpenStack-Nova-API-Version'] == version
    vary = {v.strip() for v in resp.headers['Vary'].split(',')}
    assert set(VERSION_HEADERS) <= vary


def test_both_version_headers_are_accepted_and_echoed(demo, trio, tag):
    server_id = trio[f'{tag}-alpha']
    legacy = _show(demo, server_id, legacy='2.60')
    _assert_echo(legacy, '2.60')
    assert 'locked' in legacy.json()['server']
    modern = _show(demo, server_id, version='2.47')
    _assert_echo(modern, '2.47')
    # Both sent: OpenStack-API-Version wins.
    both = _show(demo, server_id, version='2.9', legacy='2.73')
    _assert_echo(both, '2.9')
    assert 'locked_reason' not in both.json()['server']
    latest = _show(demo, server_id, version='latest')
    _assert_echo(latest, '2.96')


def test_no_version_header_means_2_1(demo, trio, tag):
    resp = _show(demo, trio[f'{tag}-alpha'])
    _assert_echo(resp, '2.1')
    server = resp.json()['server']
    assert 'locked' not in server and set(server['flavor']) == {'id', 'links'}
    listing = demo.get(S, headers=_only_version())
    _assert_echo(listing, '2.1')


def test_version_headers_on_other_compute_routes(demo, trio):
    for path in (S, S + '/detail', '/compute/v2.1/flavors', '/compute/v2.1/flavors/42'):
        _assert_echo(demo.get(path, headers=_only_version('2.61')), '2.61')


# --- project in the URL, isolation ---------------------------------------------------------

def test_project_id_in_url(demo, trio, tag):
    base = f'/compute/v2.1/{demo.project_id}'
    assert _names(demo.get(f'{base}/servers', params={'name': tag})) == sorted(trio)
    assert _names(demo.get(f'{base}/servers/detail', params={'name': tag})) == sorted(trio)
    server_id = trio[f'{tag}-alpha']
    shown = demo.get(f'{base}/servers/{server_id}')
    assert shown.status_code == 200 and shown.json()['server']['id'] == server_id
    actions = demo.get(f'{base}/servers/{server_id}/os-instance-actions')
    assert actions.status_code == 200
    assert [a['action'] for a in actions.json()['instanceActions']] == ['create']
    assert demo.get(f'{base}/flavors/42').json()['flavor']['id'] == '42'


def test_other_project_cannot_see_or_touch(alt, demo, trio, tag):
    assert _names(alt.get(S, params={'name': tag})) == []
    assert _names(alt.get(S + '/detail', params={'name': tag})) == []
    assert tag not in str(alt.get(S + '/detail').json())
    server_id = trio[f'{tag}-alpha']
    for method, path in (('GET', f'{S}/{server_id}'), ('DELETE', f'{S}/{server_id}'),
                         ('GET', f'{S}/{server_id}/os-instance-actions')):
        resp = alt.request(method, path)
        assert resp.status_code == 404, resp.text
        assert resp.json()['itemNotFound']['code'] == 404
    # Still there for its owner.
    assert demo.get(f'{S}/{server_id}').json()['server']['status'] == 'ACTIVE'


def test_admin_can_show_other_projects_server(admin, demo, trio, tag):
    server = admin.get(f"{S}/{trio[f'{tag}-alpha']}").json()['server']
    assert server['tenant_id'] == demo.project_id
    assert server['OS-EXT-SRV-ATTR:host'] in ('compute-1', 'compute-2')


# --- multiple create -----------------------------------------------------------------------

def test_min_max_count_creates_numbered_servers(admin, demo, image_id, tag):
    name = f'{tag}-mc'
    resp = demo.create_server(name, image_id, min_count=2, max_count=3)
    assert resp.status_code == 202, resp.text
    first = resp.json()['server']['id']
    listed = demo.get(S + '/detail', params={'name': f'^{name}-'}).json()['servers']
    ids = [s['id'] for s in listed]
    try:
        assert sorted(s['name'] for s in listed) == [f'{name}-1', f'{name}-2', f'{name}-3']
        assert demo.get(f'{S}/{first}').json()['server']['name'] == f'{name}-1'
        reservations = {admin.get(f'{S}/{i}').json()['server'][
            'OS-EXT-SRV-ATTR:reservation_id'] for i in ids}
        assert len(reservations) == 1
        for server_id in ids:
            assert demo.wait_status(server_id, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
    finally:
        _delete_all(demo, ids)


def test_return_reservation_id(demo, image_id, tag):
    name = f'{tag}-rr'
    resp = demo.create_server(name, image_id, min_count=2, return_reservation_id=True)
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert list(body) == ['reservation_id'] and body['reservation_id']
    found = demo.get(S, params={'reservation_id': body['reservation_id']}).json()['servers']
    try:
        assert sorted(s['name'] for s in found) == [f'{name}-1', f'{name}-2']
    finally:
        _delete_all(demo, [s['id'] for s in found])


def test_single_create_keeps_the_name(demo, image_id, tag):
    resp = demo.create_server(f'{tag}-single', image_id, min_count=1, max_count=1)
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    try:
        assert demo.get(f'{S}/{server_id}').json()['server']['name'] == f'{tag}-single'
    finally:
        _delete_all(demo, [server_id])


def test_delete_right_after_create_always_deletes(demo, image_id):
    # The build may finish between the API's read and its compare-and-swap; the
    # delete must follow the new state rather than answer 409.
    ids = demo.boot_many('race-del', image_id, 12, workers=12)
    assert demo.delete_all(ids, workers=12) == [204] * 12
