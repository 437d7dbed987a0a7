"""Resize, cold migration, confirm and revert end to end: two libvirt test:/// hosts that
join the session's cloud, each in a directory of its own (nothing shared), the API,
conductor and scheduler in one process; the disk's bytes, the claims, the migration
record and every refusal."""
import os
import time

import pytest

from common import exception
from db import allocations
from db import compute_nodes
from tests.functional import disks
from tests.functional import move_hosts
from tests.functional.client import SERVERS
from tests.functional.conftest import cli_runner

MIGRATIONS = '/compute/v2.1/os-migrations'


@pytest.fixture(scope='module')
def hosts(cloud, admin, tmp_path_factory):
    with move_hosts.joined(cloud, admin, tmp_path_factory.mktemp('moves'),
                           ('mv-1', 'mv-2')) as joined:
        yield joined


@pytest.fixture
def mcloud(hosts):
    """The two move hosts, the only ones taking servers during the test."""
    with hosts.only():
        yield hosts


@pytest.fixture
def mdemo(demo):
    return demo


@pytest.fixture
def madmin(admin):
    return admin


@pytest.fixture
def server(mcloud, mdemo, image_id):
    with mdemo.booted('mover', image_id, flavor='1') as server_id:
        yield server_id


def host_of(cloud, server_id):
    return cloud.host_of(server_id)


def node_id(cloud, host):
    return compute_nodes.list_(cloud.db, host=host)[0]['id']


def last_migration(admin, server_id):
    found = admin.get(f'{MIGRATIONS}?instance_uuid={server_id}',
                      headers={'OpenStack-API-Version': 'compute 2.80'}).json()['migrations']
    return found[0]


def claims_of(cloud, server_id, migration_uuid):
    """{'instance': (node_id, memory_mb), 'migration': ... or None}."""
    found = {}
    for who, uuid in (('instance', server_id), ('migration', migration_uuid)):
        alloc = allocations.get(cloud.db, uuid)
        found[who] = (alloc['node_id'], alloc['memory_mb']) if alloc else None
    return found


def leftovers(cloud, host, server_id):
    """What of the server is left on ``host``: domain and directories."""
    drv = cloud.drivers[host]
    left = [d for d in os.listdir(drv.instances_path) if d.startswith(server_id)]
    return drv.instance_exists({'uuid': server_id}), sorted(left)


def test_resize_then_confirm_moves_the_disk_and_the_claims(mcloud, mdemo, madmin, server):
    source = host_of(mcloud, server)
    disks.write_pattern(mcloud.drivers[source].instance_disk_path({'uuid': server}), 0x5a)
    req_id = mdemo.accepted(server, {'resize': {'flavorRef': '2'}})
    shown = mdemo.wait_status(server, {'VERIFY_RESIZE', 'ERROR'})
    assert shown['status'] == 'VERIFY_RESIZE', shown
    assert shown['flavor']['original_name'] == 'm1.small'
    dest = host_of(mcloud, server)
    assert dest == mcloud.other(source)
    path = mcloud.drivers[dest].instance_disk_path({'uuid': server})
    assert path.startswith(mcloud.drivers[dest].instances_path)
    assert disks.has_pattern(path, 0x5a)
    migration = last_migration(madmin, server)
    assert (migration['status'], migration['migration_type'], migration['source_compute'],
            migration['dest_compute']) == ('finished', 'resize', source, dest)
    assert migration['old_instance_type_id'] != migration['new_instance_type_id']
    # VERIFY_RESIZE: room held on both hosts, the source's by the migration.
    assert claims_of(mcloud, server, migration['uuid']) == {
        'instance': (node_id(mcloud, dest), 2048),
        'migration': (node_id(mcloud, source), 512)}
    assert mcloud.drivers[dest].get_power_state({'uuid': server}) == 1
    mdemo.act(server, {'confirmResize': None}, expect=204)
    assert mdemo.wait_status(server, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
    assert last_migration(madmin, server)['status'] == 'confirmed'
    assert claims_of(mcloud, server, migration['uuid']) == {
        'instance': (node_id(mcloud, dest), 2048), 'migration': None}
    assert leftovers(mcloud, source, server) == (False, [])
    assert disks.has_pattern(mcloud.drivers[dest].instance_disk_path({'uuid': server}), 0x5a)
    _, events = mdemo.action_events(server, req_id, ['compute_finish_resize'])
    assert events == {'api_resize': 'Success', 'conductor_migrate_server': 'Success',
                      'compute_resize_instance': 'Success',
                      'compute_finish_resize': 'Success'}


def test_migrate_then_revert_brings_the_server_back(mcloud, madmin, server):
    source = host_of(mcloud, server)
    disks.write_pattern(mcloud.drivers[source].instance_disk_path({'uuid': server}), 0x33)
    madmin.accepted(server, {'migrate': None})
    assert madmin.wait_status(server, {'VERIFY_RESIZE', 'ERROR'})['status'] == 'VERIFY_RESIZE'
    dest = host_of(mcloud, server)
    migration = last_migration(madmin, server)
    assert (migration['migration_type'], dest) == ('migration', mcloud.other(source))
    assert claims_of(mcloud, server, migration['uuid']) == {
        'instance': (node_id(mcloud, dest), 512), 'migration': (node_id(mcloud, source), 512)}
    madmin.accepted(server, {'revertResize': None})
    shown = madmin.wait_status(server, {'ACTIVE', 'ERROR'})
    assert (shown['status'], host_of(mcloud, server)) == ('ACTIVE', source)
    assert last_migration(madmin, server)['status'] == 'reverted'
    assert claims_of(mcloud, server, migration['uuid']) == {
        'instance': (node_id(mcloud, source), 512), 'migration': None}
    assert leftovers(mcloud, dest, server) == (False, [])
    assert mcloud.drivers[source].get_power_state({'uuid': server}) == 1
    assert disks.has_pattern(mcloud.drivers[source].instance_disk_path({'uuid': server}),
                             0x33)


def test_a_stopped_server_moves_stopped(mcloud, mdemo, server):
    mdemo.accepted(server, {'os-stop': None})
    mdemo.wait_status(server, {'SHUTOFF'})
    mdemo.accepted(server, {'resize': {'flavorRef': '2'}})
    assert mdemo.wait_status(server, {'VERIFY_RESIZE', 'ERROR'})['status'] == 'VERIFY_RESIZE'
    assert mcloud.drivers[host_of(mcloud, server)].get_power_state({'uuid': server}) != 1
    mdemo.act(server, {'confirmResize': None}, expect=204)
    assert mdemo.wait_status(server, {'SHUTOFF', 'ACTIVE', 'ERROR'})['status'] == 'SHUTOFF'


def test_a_failure_on_the_destination_leaves_the_server_running_on_its_source(
        mcloud, mdemo, madmin, server):
    source = host_of(mcloud, server)
    mcloud.drivers[mcloud.other(source)].finish_error = exception.VirtError(reason='disk full')
    req_id = mdemo.accepted(server, {'resize': {'flavorRef': '2'}})
    shown = mdemo.wait_idle(server)
    assert (shown['status'], host_of(mcloud, server)) == ('ACTIVE', source)
    assert shown['flavor']['original_name'] == 'm1.tiny'
    _, events = madmin.action_events(server, req_id, ['compute_finish_resize'])
    assert events['compute_finish_resize'] == 'Error'
    detail = madmin.get(f'{SERVERS}/{server}/os-instance-actions/{req_id}').json()
    [event] = [e for e in detail['instanceAction']['events']
               if e['event'] == 'compute_finish_resize']
    assert 'disk full' in event['traceback']
    migration = last_migration(madmin, server)
    assert migration['status'] == 'error'
    assert claims_of(mcloud, server, migration['uuid']) == {
        'instance': (node_id(mcloud, source), 512), 'migration': None}
    assert leftovers(mcloud, mcloud.other(source), server) == (False, [])
    assert mcloud.drivers[source].get_power_state({'uuid': server}) == 1


@pytest.mark.parametrize('body, message', [
    ({'resize': {'flavorRef': 'nope'}}, 'Unable to locate requested flavor.'),
    ({'resize': {'flavorRef': '1'}}, 'When resizing, instances must change flavor!'),
    ({'resize': {}}, "'flavorRef' is a required property"),
])
def test_bad_resizes_are_400(mdemo, server, body, message):
    resp = mdemo.action(server, body)
    assert resp.status_code == 400, resp.text
    assert message in resp.json()['badRequest']['message']


def test_a_smaller_root_disk_is_400(mcloud, mdemo, image_id):
    with mdemo.booted('big', image_id, flavor='2') as server_id:
        resp = mdemo.action(server_id, {'resize': {'flavorRef': '1'}})
        assert resp.status_code == 400, resp.text
        assert 'Resizing to a smaller disk flavor is not allowed.' in \
            resp.json()['badRequest']['message']


def test_refusals(mcloud, mdemo, madmin, server):
    assert mdemo.action(server, {'migrate': None}).status_code == 403
    for host, code in (('no-such-host', 400), (host_of(mcloud, server), 400)):
        resp = madmin.action(server, {'migrate': {'host': host}}, version='2.56')
        assert resp.status_code == code, resp.text
    assert madmin.action(server, {'migrate': {'host': 'x'}}, version='2.55').status_code == 400
    for body in ({'confirmResize': None}, {'revertResize': None}):
        assert mdemo.action(server, body).status_code == 409
    mdemo.accepted(server, {'pause': None})
    mdemo.wait_status(server, {'PAUSED'})
    assert mdemo.action(server, {'resize': {'flavorRef': '2'}}).status_code == 409
    mdemo.accepted(server, {'unpause': None})
    mdemo.wait_status(server, {'ACTIVE'})
    madmin.accepted(server, {'lock': None})
    assert mdemo.action(server, {'resize': {'flavorRef': '2'}}).status_code == 409
    madmin.accepted(server, {'unlock': None})


def test_the_openstack_cli_resizes_migrates_and_lists(mcloud, mdemo, server):
    demo = cli_runner(mcloud.url, 'demo', 'demopw')
    admin = cli_runner(mcloud.url, 'admin', 'adminpw')
    source = host_of(mcloud, server)
    demo('server', 'resize', '--flavor', 'm1.small', '--wait', server)
    assert mdemo.server(server)['status'] == 'VERIFY_RESIZE'
    demo('server', 'resize', 'revert', server)
    assert mdemo.wait_status(server, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
    assert host_of(mcloud, server) == source
    admin('server', 'migrate', '--wait', server)
    assert mdemo.server(server)['status'] == 'VERIFY_RESIZE'
    demo('server', 'resize', 'confirm', server)
    assert mdemo.wait_status(server, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
    assert host_of(mcloud, server) == mcloud.other(source)
    listed = admin('server', 'migration', 'list', '--server', server, '-f', 'value',
                   '-c', 'Status', '-c', 'Type')
    assert sorted(listed.split('\n')[:2]) == ['confirmed migration', 'reverted resize']


def test_deleting_a_server_in_verify_resize_leaves_nothing_on_either_host(
        mcloud, mdemo, madmin, image_id):
    server = mdemo.boot('doomed', image_id, flavor='1')
    mdemo.accepted(server, {'resize': {'flavorRef': '2'}})
    assert mdemo.wait_status(server, {'VERIFY_RESIZE', 'ERROR'})['status'] == 'VERIFY_RESIZE'
    migration = last_migration(madmin, server)
    mdemo.delete_all([server])
    assert last_migration(madmin, server)['status'] == 'confirmed'
    assert claims_of(mcloud, server, migration['uuid']) == {'instance': None,
                                                            'migration': None}
    for host in mcloud.names:
        deadline = time.monotonic() + 30
        while leftovers(mcloud, host, server) != (False, []) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert leftovers(mcloud, host, server) == (False, []), host


def test_a_resize_keeps_the_disk_config_it_was_given(mcloud, mdemo, server):
    assert mdemo.server(server)['OS-DCF:diskConfig'] == 'MANUAL'
    mdemo.accepted(server, {'resize': {'flavorRef': '2', 'OS-DCF:diskConfig': 'AUTO'}})
    shown = mdemo.wait_status(server, {'VERIFY_RESIZE', 'ERROR'})
    assert (shown['status'], shown['OS-DCF:diskConfig']) == ('VERIFY_RESIZE', 'AUTO')
    resp = mdemo.action(server, {'resize': {'flavorRef': '1', 'OS-DCF:diskConfig': 'X'}})
    assert resp.status_code in (400, 409), resp.text


def test_stratus_manage_lists_the_moves_under_way_per_host(mcloud, mdemo, server, capsys):
    import argparse
    from launch import manage

    def listed(host, everything=False):
        args = argparse.Namespace(host=host, all=everything)
        assert manage._COMMANDS[('migration', 'list')](mcloud.cloud.conf, mcloud.db, args) == 0
        return [line for line in capsys.readouterr().out.splitlines() if server in line]

    source = host_of(mcloud, server)
    mdemo.accepted(server, {'resize': {'flavorRef': '2'}})
    mdemo.wait_status(server, {'VERIFY_RESIZE'})
    [line] = listed(source)
    assert line.endswith(f'resize finished {server} {source} -> {mcloud.other(source)}')
    assert listed(mcloud.other(source)) == [line]
    mdemo.act(server, {'confirmResize': None}, expect=204)
    mdemo.wait_status(server, {'ACTIVE'})
    assert listed(source) == []
    assert 'confirmed' in listed(source, everything=True)[0]


@pytest.mark.parametrize('ending', ['confirm', 'revert'])
def test_a_lost_confirm_or_revert_is_sent_again_by_the_repair(mcloud, mdemo, madmin,
                                                              server, ending):
    """The API moved the server on, but its message never reached a host: the repair on
    the server's host (a restart, or the stuck-task deadline) sends it again."""
    from compute import states
    from db import instance_migrations
    from db import instances
    from rpc import context as context_mod
    source = host_of(mcloud, server)
    mdemo.accepted(server, {'resize': {'flavorRef': '2'}})
    mdemo.wait_status(server, {'VERIFY_RESIZE'})
    dest = host_of(mcloud, server)
    migration = last_migration(madmin, server)
    task, status = (('resize_confirming', 'confirming') if ending == 'confirm'
                    else ('resize_reverting', 'reverting'))
    instances.update(mcloud.db, server, {'task_state': task}, expected_task_state=None,
                     expected_vm_state=states.RESIZED)
    instance_migrations.update(mcloud.db, migration['uuid'], {'status': status},
                               expected_status='finished')
    worker = mcloud.workers[dest].manager
    worker.repairer.repair(context_mod.admin_context(), instances.get(mcloud.db, server))
    shown = mdemo.wait_status(server, {'ACTIVE', 'ERROR'})
    kept, gone = (dest, source) if ending == 'confirm' else (source, dest)
    assert (shown['status'], host_of(mcloud, server)) == ('ACTIVE', kept)
    assert last_migration(madmin, server)['status'] == status.replace('ing', 'ed')
    assert leftovers(mcloud, gone, server) == (False, [])
    assert claims_of(mcloud, server, migration['uuid'])['migration'] is None
