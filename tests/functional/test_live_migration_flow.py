"""Live migration end to end between two fake hosts of the session's cloud: API, conductor
and both computes over the in-memory RPC transport, the migration record, claims,
console tokens, notifications, the failure and pre-check paths, and the lists."""
import threading
import time

import pytest

from common import exception
from db import allocations
from db import compute_nodes
from db import instance_migrations
from db import instances
from tests.functional import actions
from tests.functional.client import SERVERS
from tests.functional.conftest import cli_runner
from tests.functional.live_migration import FAKE_HOSTS
from tests.functional.live_migration import MIGRATIONS
from tests.functional.live_migration import fake_hosts  # noqa: F401 - fixture
from tests.functional.live_migration import host_of
from tests.functional.live_migration import live
from tests.functional.live_migration import migrations_of
from tests.functional.live_migration import on_fake_hosts  # noqa: F401 - fixture
from tests.functional.live_migration import other
from tests.functional.live_migration import set_disabled
from tests.functional.live_migration import wait_migration
from tests.functional.test_consoles import token_of

TOKENS = '/compute/v2.1/os-console-auth-tokens'
EVENTS = ['api_live-migration', 'conductor_live_migrate_instance',
          'compute_check_can_live_migrate_destination', 'compute_pre_live_migration',
          'compute_live_migration', 'compute_post_live_migration_at_destination']


@pytest.fixture
def lm_server(admin, image_id, on_fake_hosts):  # noqa: F811 - the imported fixture
    """An ACTIVE server of admin's on one of the fake hosts."""
    with admin.booted('lm', image_id) as server_id:
        yield server_id


def _node(cloud, host):
    return compute_nodes.list_(cloud.db, host=host)[0]


def _console_token(admin, server_id):
    resp = admin.post(f'{SERVERS}/{server_id}/remote-consoles',
                      json={'remote_console': {'protocol': 'vnc', 'type': 'novnc'}})
    assert resp.status_code == 200, resp.text
    token = token_of(resp.json()['remote_console']['url'])
    assert admin.get(f'{TOKENS}/{token}').status_code == 200
    return token


class Gate:
    """Injected as the source's live_migration_error: holds the move until opened and
    notes the migration's status while the guest is being moved."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.opened = threading.Event()
        self.seen = []

    def __call__(self, instance):
        migration = instance_migrations.in_progress(self.cloud.db, instance['uuid'])
        self.seen.append(migration['status'])
        assert self.opened.wait(30)
        return None


def test_live_migration_moves_the_server_its_claim_and_drops_its_tokens(
        cloud, admin, lm_server, on_fake_hosts, collector):  # noqa: F811
    source = host_of(cloud, lm_server)
    dest = other(source)
    token = _console_token(admin, lm_server)
    gate = on_fake_hosts[source].live_migration_error = Gate(cloud)
    req_id = admin.accepted(lm_server, live(), version='2.30')
    _wait(lambda: gate.seen)
    assert admin.server(lm_server)['OS-EXT-STS:task_state'] == 'migrating'
    [running] = _server_migrations(admin, lm_server)
    assert (running['status'], running['source_compute'], running['dest_compute']) == (
        'running', source, dest)
    gate.opened.set()
    migration = wait_migration(admin, lm_server)
    assert migration['status'] == 'completed' and gate.seen == ['running']
    shown = admin.server(lm_server)
    assert (shown['status'], shown['OS-EXT-SRV-ATTR:host'],
            shown['OS-EXT-SRV-ATTR:hypervisor_hostname']) == ('ACTIVE', dest, dest)
    assert lm_server in on_fake_hosts[dest].list_instance_uuids()
    assert lm_server not in on_fake_hosts[source].list_instance_uuids()
    assert allocations.get(cloud.db, lm_server)['node_id'] == _node(cloud, dest)['id']
    assert allocations.get(cloud.db, migration['uuid']) is None
    assert _node(cloud, source)['running_vms'] == 0
    actions.events_succeeded(admin, lm_server, req_id, 'live-migration', EVENTS)
    _wait(lambda: admin.get(f'{TOKENS}/{token}').status_code == 404)
    collector.wait_for(lm_server, 'instance.live_migration_post.end')
    assert _server_migrations(admin, lm_server) == []


def test_a_paused_server_stays_paused(cloud, admin, lm_server):
    admin.accepted(lm_server, {'pause': None})
    admin.wait_status(lm_server, {'PAUSED'})
    source = host_of(cloud, lm_server)
    admin.accepted(lm_server, live(host=other(source)), version='2.30')
    assert wait_migration(admin, lm_server)['status'] == 'completed'
    assert admin.server(lm_server)['status'] == 'PAUSED'
    assert host_of(cloud, lm_server) == other(source)


def test_a_failed_migration_rolls_back_and_the_server_stays(cloud, admin, lm_server,
                                                             on_fake_hosts):  # noqa: F811
    source = host_of(cloud, lm_server)
    dest = other(source)
    on_fake_hosts[source].live_migration_error = exception.VirtError(reason='link down')
    req_id = admin.accepted(lm_server, live(), version='2.30')
    migration = wait_migration(admin, lm_server)
    assert migration['status'] == 'failed'
    assert (host_of(cloud, lm_server), admin.server(lm_server)['status']) == (source, 'ACTIVE')
    _wait(lambda: ('rollback', lm_server) in on_fake_hosts[dest].migration_log)
    assert lm_server in on_fake_hosts[source].list_instance_uuids()
    assert allocations.get(cloud.db, lm_server)['node_id'] == _node(cloud, source)['id']
    assert allocations.get(cloud.db, migration['uuid']) is None
    assert _node(cloud, dest)['running_vms'] == 0
    _, events = admin.action_events(lm_server, req_id, ['compute_live_migration'])
    assert events['compute_live_migration'] == 'Error'
    detail = admin.get(f'{SERVERS}/{lm_server}/os-instance-actions/{req_id}').json()
    [event] = [e for e in detail['instanceAction']['events']
               if e['event'] == 'compute_live_migration']
    assert 'link down' in event['traceback']


def test_failed_checks_end_the_migration_in_error(cloud, admin, lm_server):
    """block_migration false between hosts that share no storage: the source's check
    refuses; nothing moved, nothing is claimed."""
    source = host_of(cloud, lm_server)
    req_id = admin.accepted(lm_server, live(block=False), version='2.30')
    migration = wait_migration(admin, lm_server)
    assert (migration['status'], migration['dest_compute']) == ('error', other(source))
    shown = admin.server(lm_server)
    assert (shown['status'], shown['OS-EXT-SRV-ATTR:host']) == ('ACTIVE', source)
    assert allocations.get(cloud.db, migration['uuid']) is None
    detail = admin.get(f'{SERVERS}/{lm_server}/os-instance-actions/{req_id}').json()
    events = {e['event']: e for e in detail['instanceAction']['events']}
    assert events['conductor_live_migrate_instance']['result'] == 'Error'
    assert 'do not share their instance storage' in \
        events['conductor_live_migrate_instance']['traceback']


def test_target_host_refusals_are_400(cloud, admin, lm_server):
    source = host_of(cloud, lm_server)
    for host, words in ((source, 'is the host the instance runs on'),
                        ('no-such-host', 'could not be found'),
                        ('compute-1', 'libvirt test:/// driver')):
        resp = admin.action(lm_server, live(host=host), version='2.30')
        assert resp.status_code == 400 and words in resp.text, (host, resp.text)
    set_disabled(cloud.db, [other(source)], True)
    resp = admin.action(lm_server, live(host=other(source)), version='2.30')
    assert resp.status_code == 400 and 'disabled' in resp.text, resp.text
    # 2.30-2.67: force skips the scheduler's checks, the disabled host included.
    admin.accepted(lm_server, live(host=other(source), force=True), version='2.30')
    assert wait_migration(admin, lm_server)['status'] == 'completed'
    assert host_of(cloud, lm_server) == other(source)
    assert migrations_of(admin, lm_server)[0]['status'] == 'completed'


def test_os_migrations_list_by_microversion(cloud, admin, demo, lm_server):
    admin.accepted(lm_server, live(), version='2.30')
    done = wait_migration(admin, lm_server)
    [new] = migrations_of(admin, lm_server, version='2.80')
    assert new == done
    assert set(new) == {'id', 'uuid', 'source_compute', 'dest_compute', 'source_node',
                        'dest_node', 'dest_host', 'old_instance_type_id',
                        'new_instance_type_id', 'instance_uuid', 'status', 'migration_type',
                        'created_at', 'updated_at', 'user_id', 'project_id'}
    assert (new['migration_type'], new['instance_uuid'], new['user_id'],
            new['project_id'], new['dest_host']) == (
        'live-migration', lm_server, instances.get(cloud.db, lm_server)['user_id'],
        admin.project_id, '127.0.0.1')
    [old] = migrations_of(admin, lm_server, version='2.1')
    assert not {'uuid', 'migration_type', 'user_id', 'project_id'} & set(old)
    assert demo.get(MIGRATIONS).status_code == 403
    v = {'OpenStack-API-Version': 'compute 2.80'}
    assert admin.get(f'{MIGRATIONS}?marker=nope', headers=v).status_code == 400
    assert admin.get(f'{MIGRATIONS}?limit=x', headers=v).status_code == 400
    page = admin.get(f'{MIGRATIONS}?limit=1', headers=v).json()
    assert len(page['migrations']) == 1 and 'marker=' in page['migrations_links'][0]['href']
    by_host = admin.get(f'{MIGRATIONS}?host={new["dest_compute"]}&status=completed',
                        headers=v).json()['migrations']
    assert new['uuid'] in {m['uuid'] for m in by_host}


def test_openstack_cli_live_migrates_and_lists(cloud, admin, lm_server):
    source = host_of(cloud, lm_server)
    cli = _admin_cli(cloud)
    cli('--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration',
        '--host', other(source), lm_server)
    assert wait_migration(admin, lm_server)['status'] == 'completed'
    out = cli('--os-compute-api-version', '2.80', 'server', 'migration', 'list',
              '--server', lm_server, '-f', 'value', '-c', 'Status', '-c', 'Dest Compute')
    assert out.split() == [other(source), 'completed']   # in the CLI's column order


# -- helpers ------------------------------------------------------------------------------
def _server_migrations(admin, server_id):
    resp = admin.get(f'{SERVERS}/{server_id}/migrations',
                     headers={'OpenStack-API-Version': 'compute 2.80'})
    assert resp.status_code == 200, resp.text
    return resp.json()['migrations']


def _wait(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, 'condition never came true'
        time.sleep(0.05)


def _admin_cli(cloud):
    return cli_runner(cloud.url, 'admin', 'adminpw')


def test_delete_waits_for_a_live_migration_to_end(cloud, admin, lm_server, on_fake_hosts):
    source = host_of(cloud, lm_server)
    dest = other(source)
    gate = on_fake_hosts[source].live_migration_error = Gate(cloud)
    try:
        admin.accepted(lm_server, live(), version='2.30')
        _wait(lambda: gate.seen)
        resp = admin.delete(f'{SERVERS}/{lm_server}')
        assert resp.status_code == 409 and 'live-migrated' in resp.text, resp.text
        resp = admin.action(lm_server, {'forceDelete': None})
        assert resp.status_code == 409, resp.text
    finally:
        gate.opened.set()
    assert wait_migration(admin, lm_server)['status'] == 'completed'
    admin.wait_idle(lm_server)
    assert admin.delete(f'{SERVERS}/{lm_server}').status_code == 204
    admin.wait_status(lm_server, {'DELETED'})
    assert lm_server not in on_fake_hosts[dest].list_instance_uuids()
    assert lm_server not in on_fake_hosts[source].list_instance_uuids()


def test_project_manager_live_migrates_without_naming_a_host(cloud, admin, demo, manager,
                                                             image_id, on_fake_hosts):
    """Nova's manager defaults: a project manager may live-migrate its project's server
    and let the scheduler pick; naming the host stays an admin's; a member may not."""
    with demo.booted('lm-manager', image_id) as server_id:
        source = host_of(cloud, server_id)
        assert demo.action(server_id, live(), version='2.30').status_code == 403
        named = manager.action(server_id, live(other(source)), version='2.30')
        assert named.status_code == 403, named.text
        manager.act(server_id, live(), version='2.30')
        assert wait_migration(admin, server_id)['status'] == 'completed'
        assert host_of(cloud, server_id) == other(source)
        # The manager may list the server's migrations (none under way now).
        listed = manager.get(f'{SERVERS}/{server_id}/migrations',
                             headers={'OpenStack-API-Version': 'compute 2.80'})
        assert listed.status_code == 200 and listed.json()['migrations'] == []
        assert demo.get(f'{SERVERS}/{server_id}/migrations',
                        headers={'OpenStack-API-Version': 'compute 2.80'}).status_code == 403
