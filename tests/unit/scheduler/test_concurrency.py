"""Parallel schedulers (threads, processes) on SQLite and PostgreSQL never overcommit a node."""
import collections
import json
import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from db import allocations
from db import compute_nodes
from db import engine
from db import migration
from db import models
from scheduler import manager as manager_mod

from . import claim_worker

PG_ADMIN_URL = os.environ.get('STRATUS_TEST_POSTGRESQL_URL',
                              'postgresql+psycopg2://postgres@127.0.0.1/test')

# Each node runs out of a different resource; with 1 vCPU/512 MB/1 GB per
# instance they hold exactly 4 + 4 + 3 + 4 instances.
NODES = {
    'cpu': {'vcpus': 4},
    'ram': {'memory_mb': 2560, 'reserved_host_memory_mb': 512},
    'disk': {'local_gb': 3},
    'ratio': {'vcpus': 2, 'cpu_allocation_ratio': 2.0},
}
ROOM = 15


@pytest.fixture
def pg_db():
    """A migrated, uniquely named PostgreSQL database, dropped afterwards."""
    pytest.importorskip('psycopg2')
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level='AUTOCOMMIT',
                             connect_args={'connect_timeout': 3})
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql('SELECT 1')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f'PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}'.strip())
    name = 'stratus_sched_' + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    database = engine.Database(url.render_as_string(hide_password=False))
    try:
        migration.sync(database)
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=['sqlite', 'postgresql'])
def shared_db(request):
    return request.getfixturevalue('db' if request.param == 'sqlite' else 'pg_db')


def _add_nodes(database, add_compute):
    for host, inventory in NODES.items():
        add_compute(database, host, **inventory)


def _check_no_overcommit(database, claims):
    """Exactly ROOM claims, each node full but within capacity, usage matching allocations."""
    assert len(claims) == ROOM
    assert len({instance for instance, _ in claims}) == ROOM
    with database.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(models.Allocation)) == ROOM
    per_node = collections.Counter(dest['node_id'] for _, dest in claims)
    need = claim_worker.SPEC
    for node in compute_nodes.list_(database):
        held = allocations.list_for_node(database, node['id'])
        vcpus, memory_mb, disk_gb = compute_nodes.capacity(node)
        used = (node['vcpus_used'], node['memory_mb_used'], node['local_gb_used'])
        assert used[0] <= vcpus and used[1] <= memory_mb and used[2] <= disk_gb, node
        assert used == (sum(a['vcpus'] for a in held), sum(a['memory_mb'] for a in held),
                        sum(a['disk_gb'] for a in held))
        assert node['running_vms'] == len(held) == per_node[node['id']]
        free = compute_nodes.free(node)
        assert (free[0] < need['vcpus'] or free[1] < need['memory_mb']
                or free[2] < need['root_gb']), f'{node["host"]} still has room'


def _race_in_threads(conf, database, subset_size):
    conf.set_override('host_subset_size', subset_size, group='filter_scheduler')
    claims, errors = claim_worker.race(manager_mod.SchedulerManager(conf, database), 8)
    assert errors == []
    _check_no_overcommit(database, claims)


@pytest.mark.parametrize('subset_size', [1, 3])
def test_threads_sqlite(conf, db, add_compute, subset_size):
    _add_nodes(db, add_compute)
    _race_in_threads(conf, db, subset_size)


@pytest.mark.parametrize('subset_size', [1, 3])
def test_threads_postgresql(conf, pg_db, add_compute, subset_size):
    _add_nodes(pg_db, add_compute)
    _race_in_threads(conf, pg_db, subset_size)


def test_processes(shared_db, add_compute):
    """Three scheduler processes with four threads each against one database."""
    _add_nodes(shared_db, add_compute)
    script = os.path.join(os.path.dirname(__file__), 'claim_worker.py')
    procs = [subprocess.Popen([sys.executable, script, shared_db.url, '4', '2'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    claims = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        result = json.loads(out)
        assert result['errors'] == []
        claims.extend(result['claims'])
    _check_no_overcommit(shared_db, claims)
