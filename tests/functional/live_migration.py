"""Helpers of the live-migration tests: request bodies, the migration list, and two fake
compute hosts (lm-1, lm-2) that join the session's cloud and can move guests between
each other (libvirt's test driver, on compute-1 and compute-2, cannot)."""
import time

import pytest
import sqlalchemy as sa

from compute.virt import fake
from db import instance_migrations
from db import instances
from db import models
from db import services
from launch import compute as compute_launch

MIGRATIONS = '/compute/v2.1/os-migrations'
FAKE_HOSTS = ('lm-1', 'lm-2')
TEST_DRIVER_HOSTS = ('compute-1', 'compute-2')


def live(host=None, block='auto', **extra):
    """An os-migrateLive body (the CLI's at 2.30 by default)."""
    return {'os-migrateLive': dict({'host': host, 'block_migration': block}, **extra)}


def host_of(cloud, server_id):
    return instances.get(cloud.db, server_id)['host']


def other(host):
    return FAKE_HOSTS[1] if host == FAKE_HOSTS[0] else FAKE_HOSTS[0]


def migrations_of(admin, server_id, version='2.80'):
    resp = admin.get(f'{MIGRATIONS}?instance_uuid={server_id}',
                     headers={'OpenStack-API-Version': f'compute {version}'})
    assert resp.status_code == 200, resp.text
    return resp.json()['migrations']


def wait_migration(admin, server_id, timeout=30):
    """The server's newest migration once it has ended (completed, failed, error), and
    the server idle again."""
    deadline = time.monotonic() + timeout
    while True:
        found = migrations_of(admin, server_id)
        if found and found[0]['status'] in instance_migrations.DONE:
            admin.wait_idle(server_id)
            return found[0]
        assert time.monotonic() < deadline, f'migration still {found}'
        time.sleep(0.05)


def set_disabled(db, hosts, disabled):
    for host in hosts:
        for service in services.list_(db, host=host, binary='stratus-compute'):
            services.update(db, service['id'], {'disabled': disabled})


@pytest.fixture(scope='module')
def fake_hosts(cloud, admin):
    """{host: FakeDriver} of two workers that can live-migrate; disabled outside
    ``on_fake_hosts``; removed with their rows (and servers) after the module."""
    cluster = {}
    drivers = {h: fake.FakeDriver(host=h, live_migration=True, cluster=cluster)
               for h in FAKE_HOSTS}
    workers = [compute_launch.build(cloud.conf, cloud.transport, host=h, driver=d)
               for h, d in drivers.items()]
    for svc in workers:
        svc.start()
    set_disabled(cloud.db, FAKE_HOSTS, True)
    yield drivers
    admin.delete_all([i['uuid'] for i in instances.list_(cloud.db,
                                                         {'host': list(FAKE_HOSTS)})])
    for svc in workers:
        svc.stop()
        svc.wait()
    for host in FAKE_HOSTS:
        for service in services.list_(cloud.db, host=host):
            services.delete(cloud.db, service['id'])
    table = models.ComputeNode.__table__
    with cloud.db.write() as conn:
        conn.execute(sa.delete(table).where(table.c.host.in_(FAKE_HOSTS)))


@pytest.fixture
def on_fake_hosts(cloud, fake_hosts):
    """During the test only lm-1 and lm-2 take new servers; no failure injected."""
    set_disabled(cloud.db, TEST_DRIVER_HOSTS, True)
    set_disabled(cloud.db, FAKE_HOSTS, False)
    for drv in fake_hosts.values():
        drv.live_migration_error = None
    yield fake_hosts
    set_disabled(cloud.db, FAKE_HOSTS, True)
    set_disabled(cloud.db, TEST_DRIVER_HOSTS, False)
