"""GET /servers/{id}/diagnostics: the libvirt guest's figures, admin only, per microversion."""

V248 = {'OpenStack-API-Version': 'compute 2.48'}
KEYS = {'state', 'driver', 'hypervisor', 'hypervisor_os', 'uptime', 'config_drive',
        'num_cpus', 'num_nics', 'num_disks', 'memory_details', 'cpu_details', 'nic_details',
        'disk_details'}


def test_standard_diagnostics(admin, image_id):
    with admin.booted('diag-vm', image_id) as server_id:
        resp = admin.get(f'/compute/v2.1/servers/{server_id}/diagnostics', headers=V248)
        assert resp.status_code == 200, resp.text
        diags = resp.json()
        assert set(diags) == KEYS
        assert (diags['state'], diags['driver'], diags['num_cpus']) == ('running', 'libvirt', 1)
        # m1.nano: the domain was defined with 128 MiB.
        assert diags['memory_details']['maximum'] == 128
        assert diags['num_disks'] == len(diags['disk_details']) >= 1
        assert diags['uptime'] is not None and diags['uptime'] >= 0
        old = admin.get(f'/compute/v2.1/servers/{server_id}/diagnostics',
                        headers={'OpenStack-API-Version': 'compute 2.47'}).json()
        assert old['memory'] == 128 * 1024 and 'state' not in old


def test_diagnostics_errors(admin, demo, image_id):
    missing = admin.get('/compute/v2.1/servers/00000000-0000-0000-0000-000000000000/'
                        'diagnostics', headers=V248)
    assert missing.status_code == 404
    with demo.booted('diag-demo', image_id) as server_id:
        path = f'/compute/v2.1/servers/{server_id}/diagnostics'
        assert demo.get(path, headers=V248).status_code == 403
        assert admin.get(path, headers=V248).status_code == 200
