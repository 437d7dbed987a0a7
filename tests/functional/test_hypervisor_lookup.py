"""Hypervisor search, servers, uptime and statistics per microversion; os-services filters."""
import pytest

HYP = '/compute/v2.1/os-hypervisors'
SVC = '/compute/v2.1/os-services'


def v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


def test_search_before_2_53(admin, demo):
    resp = admin.get(f'{HYP}/compute/search', headers=v('2.52'))
    assert resp.status_code == 200, resp.text
    found = resp.json()['hypervisors']
    assert len(found) == 2
    assert set(found[0]) == {'id', 'hypervisor_hostname', 'state', 'status'}
    only = admin.get(f'{HYP}/compute-2/search', headers=v('2.1')).json()['hypervisors']
    assert [h['hypervisor_hostname'] for h in only] == ['compute-2']
    assert admin.get(f'{HYP}/nothing-like-it/search', headers=v('2.1')).status_code == 404
    assert admin.get(f'{HYP}/compute/search', headers=v('2.53')).status_code == 404
    assert demo.get(f'{HYP}/compute/search', headers=v('2.1')).status_code == 403


def test_servers_on_hypervisors(admin, image_id):
    with admin.booted('hyp-vm', image_id) as server_id:
        host = admin.server(server_id)['OS-EXT-SRV-ATTR:host']
        old = admin.get(f'{HYP}/{host}/servers', headers=v('2.52'))
        assert old.status_code == 200, old.text
        [hyp] = old.json()['hypervisors']
        assert {'name': 'hyp-vm', 'uuid': server_id} in hyp['servers']
        assert admin.get(f'{HYP}/{host}/servers', headers=v('2.53')).status_code == 404
        new = admin.get(f'{HYP}?with_servers=true&hypervisor_hostname_pattern={host}',
                        headers=v('2.53')).json()['hypervisors']
        assert [h['hypervisor_hostname'] for h in new] == [host]
        assert {'name': 'hyp-vm', 'uuid': server_id} in new[0]['servers']
        detail = admin.get(f'{HYP}/detail?with_servers=1', headers=v('2.53')).json()
        ours = [h for h in detail['hypervisors'] if h['hypervisor_hostname'] == host]
        assert server_id in [s['uuid'] for s in ours[0]['servers']]
        shown = admin.get(f'{HYP}/{ours[0]["id"]}?with_servers=true', headers=v('2.53'))
        assert server_id in [s['uuid'] for s in shown.json()['hypervisor']['servers']]
        plain = admin.get(f'{HYP}?hypervisor_hostname_pattern={host}', headers=v('2.53'))
        assert 'servers' not in plain.json()['hypervisors'][0]


def test_pattern_and_with_servers_errors(admin):
    missing = admin.get(f'{HYP}?hypervisor_hostname_pattern=zzz', headers=v('2.53'))
    assert missing.status_code == 404
    bad = admin.get(f'{HYP}?with_servers=perhaps', headers=v('2.53'))
    assert bad.status_code == 400


def test_uptime_before_2_88(admin, demo):
    hyps = admin.get(HYP, headers=v('2.1')).json()['hypervisors']
    resp = admin.get(f'{HYP}/{hyps[0]["id"]}/uptime', headers=v('2.1'))
    assert resp.status_code == 200, resp.text
    body = resp.json()['hypervisor']
    assert set(body) == {'id', 'hypervisor_hostname', 'state', 'status', 'uptime'}
    # The compute host's own `uptime` line (this machine, in the all-in-one).
    assert ' up ' in f' {body["uptime"]}' and 'load average' in body['uptime']
    assert admin.get(f'{HYP}/999999/uptime', headers=v('2.1')).status_code == 404
    assert demo.get(f'{HYP}/{hyps[0]["id"]}/uptime', headers=v('2.1')).status_code == 403
    uuid = admin.get(HYP, headers=v('2.88')).json()['hypervisors'][0]['id']
    assert admin.get(f'{HYP}/{uuid}/uptime', headers=v('2.88')).status_code == 404


def test_statistics_gone_at_2_88(admin):
    resp = admin.get(f'{HYP}/statistics', headers=v('2.87'))
    assert resp.status_code == 200 and resp.json()['hypervisor_statistics']['count'] == 2
    assert admin.get(f'{HYP}/statistics', headers=v('2.88')).status_code == 404


@pytest.mark.parametrize('binary', ['nova-compute', 'stratus-compute'])
def test_services_filter_by_nova_binary(admin, binary):
    found = admin.get(f'{SVC}?binary={binary}').json()['services']
    assert sorted(s['host'] for s in found) == ['compute-1', 'compute-2']
    assert {s['binary'] for s in found} == {'nova-compute'}


def test_services_filter_by_host(admin):
    everything = admin.get(SVC).json()['services']
    host = everything[0]['host']
    on_host = admin.get(f'{SVC}?host={host}').json()['services']
    assert sorted(s['binary'] for s in on_host) == sorted(
        s['binary'] for s in everything if s['host'] == host)
    assert admin.get(f'{SVC}?host={host}&binary=xxx').json()['services'] == []
    assert admin.get(f'{SVC}?host=xxx&binary=nova-compute').json()['services'] == []
    both = admin.get(f'{SVC}?host=compute-1&binary=nova-compute').json()['services']
    assert [(s['host'], s['binary']) for s in both] == [('compute-1', 'nova-compute')]
