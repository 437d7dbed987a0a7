"""Boot to ACTIVE and delete, all services in one process over the in-memory transport."""
import concurrent.futures

from compute.virt import power_state


def test_boot_active_then_delete(cloud, demo, image_id):
    resp = demo.create_server('vm-one', image_id)
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    assert resp.headers['Location'].endswith(server_id)
    server = demo.wait_status(server_id, {'ACTIVE', 'ERROR'})
    assert server['status'] == 'ACTIVE', server.get('fault')
    assert server['OS-EXT-STS:power_state'] == power_state.RUNNING
    host = _host_of(cloud, server_id)
    driver = cloud.computes[host].manager.driver
    assert server_id in driver.list_instance_uuids()
    disk = driver.instance_disk_path({'uuid': server_id})
    assert disk and __import__('os').path.exists(disk)

    assert demo.delete(f'/compute/v2.1/servers/{server_id}').status_code == 204
    demo.wait_status(server_id, {'DELETED'})
    assert server_id not in driver.list_instance_uuids()
    assert not __import__('os').path.exists(disk)


def _host_of(cloud, server_id):
    from db import instances
    return instances.get(cloud.db, server_id)['host']


def test_concurrent_boots_spread_over_both_hosts(cloud, demo, image_id):
    def boot(n):
        resp = demo.create_server(f'par-{n}', image_id)
        assert resp.status_code == 202, resp.text
        return resp.json()['server']['id']

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(boot, range(10)))
    servers = [demo.wait_status(i, {'ACTIVE', 'ERROR'}) for i in ids]
    assert {s['status'] for s in servers} == {'ACTIVE'}
    assert {_host_of(cloud, i) for i in ids} == {'compute-1', 'compute-2'}
    for i in ids:
        assert demo.delete(f'/compute/v2.1/servers/{i}').status_code == 204
    for i in ids:
        demo.wait_status(i, {'DELETED'})


def test_instance_actions_recorded(demo, image_id):
    server_id = demo.create_server('vm-actions', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    actions = demo.get(f'/compute/v2.1/servers/{server_id}/os-instance-actions').json()
    assert [a['action'] for a in actions['instanceActions']] == ['create']
    req_id = actions['instanceActions'][0]['request_id']
    detail = demo.get(f'/compute/v2.1/servers/{server_id}/os-instance-actions/{req_id}').json()
    events = {e['event']: e['result'] for e in detail['instanceAction']['events']}
    assert events == {'conductor_schedule_and_build_instances': 'Success',
                      'compute__do_build_and_run_instance': 'Success'}
    demo.delete(f'/compute/v2.1/servers/{server_id}')
    demo.wait_status(server_id, {'DELETED'})
