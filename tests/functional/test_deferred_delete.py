"""Deferred delete: DELETE soft-deletes while reclaim_instance_interval > 0; restore, forceDelete
and the periodic reclaim that deletes for good."""
import time

import pytest

from compute import reclaim
from db import instances
from rpc import context as context_mod
from tests.functional import disks
from tests.functional.actions import events_succeeded
from tests.functional.actions import run_action
from tests.functional.client import SERVERS as S
from tests.functional.client import request_id


@pytest.fixture
def deferred(cloud):
    cloud.conf.set_override('reclaim_instance_interval', 3600)
    yield cloud
    cloud.conf.clear_override('reclaim_instance_interval')


@pytest.fixture
def server(deferred, demo, image_id):
    server_id = demo.boot('deferred', image_id)
    yield server_id
    demo.action(server_id, {'unlock': None})
    demo.action(server_id, {'forceDelete': None})
    demo.wait_status(server_id, {'DELETED'})


def soft_delete(client, server_id, collector=None):
    """DELETE, then wait for SOFT_DELETED; the delete's events are checked."""
    seen = len(collector.events[server_id]) if collector is not None else 0
    resp = client.delete(f'{S}/{server_id}')
    assert resp.status_code == 204, resp.text
    shown = client.wait_status(server_id, {'SOFT_DELETED'})
    events_succeeded(client, server_id, request_id(resp), 'delete',
                     ['compute_soft_delete_instance'])
    if collector is not None:
        collector.wait_for(server_id, 'instance.soft_delete.end')
        kinds = [e[0] for e in collector.events[server_id][seen:]
                 if e[0].startswith('instance.soft_delete.')]
        assert kinds[:2] == ['instance.soft_delete.start', 'instance.soft_delete.end']
    return client.wait_idle(server_id) and shown


def guest_exists(cloud, server_id, host):
    return cloud.computes[host].manager.driver.instance_exists({'uuid': server_id})


def test_delete_soft_deletes_and_restore_brings_it_back(cloud, demo, server, collector):
    disks.write_pattern(disks.disk_path(cloud, server), 0x96)
    shown = soft_delete(demo, server, collector)
    assert shown['OS-EXT-STS:power_state'] == 4
    assert instances.get(cloud.db, server)['deleted_at'] is not None
    # Deleting again while soft-deleted changes nothing.
    assert demo.delete(f'{S}/{server}').status_code == 204
    assert demo.server(server)['status'] == 'SOFT_DELETED'
    instances.update(cloud.db, server, {'task_state': 'restoring'})
    busy = demo.action(server, {'restore': None})
    instances.update(cloud.db, server, {'task_state': None})
    assert busy.status_code == 409 and 'task_state restoring' in busy.text
    restored = run_action(demo, server, {'restore': None}, 'restore', 'restore_instance',
                          'ACTIVE', collector, 'restore')
    assert restored['OS-EXT-STS:power_state'] == 1
    assert instances.get(cloud.db, server)['deleted_at'] is None
    assert disks.has_pattern(disks.disk_path(cloud, server), 0x96)
    assert 'vm_state active' in demo.action(server, {'restore': None}).json()[
        'conflictingRequest']['message']


def test_force_delete_of_a_soft_deleted_server(cloud, demo, server, collector):
    host = instances.get(cloud.db, server)['host']
    soft_delete(demo, server)
    assert guest_exists(cloud, server, host)
    req_id = demo.accepted(server, {'forceDelete': None})
    demo.wait_status(server, {'DELETED'})
    events_succeeded(demo, server, req_id, 'delete', ['api_delete', 'compute_terminate_instance'])
    collector.wait_for(server, 'instance.delete.end')
    assert not guest_exists(cloud, server, host)


def test_force_delete_of_an_active_server_deletes_at_once(cloud, demo, server):
    host = instances.get(cloud.db, server)['host']
    demo.accepted(server, {'forceDelete': None})
    demo.wait_status(server, {'DELETED'})
    assert not guest_exists(cloud, server, host)


def test_delete_of_a_never_launched_server_is_not_deferred(cloud, demo, server):
    instances.update(cloud.db, server, {'launched_at': None})
    assert demo.delete(f'{S}/{server}').status_code == 204
    demo.wait_status(server, {'DELETED'})


def test_restore_without_a_host_is_database_only(cloud, demo, server):
    soft_delete(demo, server)
    host = instances.get(cloud.db, server)['host']
    cloud.computes[host].manager.driver.destroy({'uuid': server})
    instances.update(cloud.db, server, {'host': None, 'node': None})
    req_id = demo.accepted(server, {'restore': None})
    shown = demo.server(server)
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)
    events_succeeded(demo, server, req_id, 'restore', ['api_restore'])


def test_locked_and_other_project(demo, alt, server):
    soft_delete(demo, server)
    for body in ({'restore': None}, {'forceDelete': None}):
        assert alt.action(server, body).status_code == 404
    demo.accepted(server, {'lock': None})
    for body in ({'restore': None}, {'forceDelete': None}):
        refused = demo.action(server, body)
        assert refused.status_code == 409 and 'locked' in refused.text
    assert demo.delete(f'{S}/{server}').status_code == 409
    demo.accepted(server, {'unlock': None})


def _reclaim(cloud, host):
    manager = cloud.computes[host].manager
    reclaimer = reclaim.Reclaimer(cloud.conf, host, manager.conductor_api, manager.locks,
                                  manager.terminate_instance)
    return reclaimer.reclaim(context_mod.admin_context())


def test_reclaim_deletes_old_soft_deleted_servers(cloud, demo, server, collector):
    host = instances.get(cloud.db, server)['host']
    soft_delete(demo, server)
    assert server not in _reclaim(cloud, host)  # an hour has not passed
    time.sleep(1.1)
    cloud.conf.set_override('reclaim_instance_interval', 1)
    assert server in _reclaim(cloud, host)
    demo.wait_status(server, {'DELETED'})
    collector.wait_for(server, 'instance.delete.end')
    assert not guest_exists(cloud, server, host)
