"""`stratus-manage db sync` and the query layer on PostgreSQL and MariaDB (real servers)."""
import concurrent.futures
import os
import shutil
import socket
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from common import exception
from db import allocations
from db import compute_nodes
from db import engine
from db import flavors
from db import instances
from db import migration

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BACKENDS = {
    'postgresql': {'port': 5432, 'admin': 'postgresql+psycopg2://postgres@127.0.0.1/postgres',
                   'url': 'postgresql+psycopg2://postgres@127.0.0.1/{name}'},
    'mysql': {'port': 3306, 'admin': 'mysql+pymysql://root@127.0.0.1/',
              'url': 'mysql+pymysql://root@127.0.0.1/{name}'},
}


def _answers(port):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=1):
            return True
    except OSError:
        return False


def _try_start(kind):
    """Start the machine's own server when it is installed but stopped."""
    if kind == 'postgresql' and shutil.which('pg_ctlcluster'):
        versions = os.listdir('/etc/postgresql') if os.path.isdir('/etc/postgresql') else []
        for version in versions:
            subprocess.run(['pg_ctlcluster', '--skip-systemctl-redirect', version, 'main',
                            'start'], capture_output=True)
    if kind == 'mysql' and os.path.exists('/usr/sbin/mariadbd'):
        subprocess.run(['start-stop-daemon', '--start', '--oknodo', '--background', '--exec',
                        '/usr/sbin/mariadbd'], capture_output=True)
        for _ in range(50):
            if _answers(3306):
                break
            __import__('time').sleep(0.2)


@pytest.fixture(params=sorted(BACKENDS))
def database_url(request):
    kind = request.param
    info = BACKENDS[kind]
    if not _answers(info['port']):
        _try_start(kind)
    if not _answers(info['port']):
        pytest.skip(f'no {kind} server answers on 127.0.0.1:{info["port"]} and none could '
                    f'be started here')
    name = f'stratus_test_{uuid.uuid4().hex[:10]}'
    admin = sa.create_engine(info['admin'], isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    yield info['url'].format(name=name)
    with admin.connect() as conn:
        force = ' WITH (FORCE)' if kind == 'postgresql' else ''
        conn.exec_driver_sql(f'DROP DATABASE {name}{force}')
    admin.dispose()


def test_db_sync_and_queries(database_url, tmp_path):
    conf = tmp_path / 'stratus.conf'
    conf.write_text(f'[database]\nconnection = {database_url}\n')
    out = subprocess.run([sys.executable, '-m', 'launch.manage', '--config-file', str(conf),
                          'db', 'sync'], cwd=REPO, capture_output=True, text=True, check=True)
    assert 'revision 0007' in out.stdout
    db = engine.Database(database_url)
    try:
        assert migration.current(db) == '0007'
        _exercise(db)
    finally:
        db.dispose()


def _exercise(db):
    flavors.create(db, {'flavorid': '1', 'name': 'm1', 'memory_mb': 128, 'vcpus': 1})
    with pytest.raises(exception.FlavorExists):
        flavors.create(db, {'flavorid': '2', 'name': 'm1', 'memory_mb': 128, 'vcpus': 1})
    inst = instances.create(db, {'uuid': str(uuid.uuid4()), 'display_name': 'x',
                                 'project_id': 'p', 'user_id': 'u', 'flavor_id': '1',
                                 'flavor': {'name': 'm1'}, 'vm_state': 'building',
                                 'task_state': 'scheduling', 'metadata': {'k': 'v'}})
    instances.update(db, inst['uuid'], {'task_state': 'spawning'},
                     expected_task_state='scheduling')
    with pytest.raises(exception.UnexpectedTaskState):
        instances.update(db, inst['uuid'], {'task_state': None}, expected_task_state='scheduling')
    assert instances.get(db, inst['uuid'])['metadata'] == {'k': 'v'}
    node = compute_nodes.report(db, 'h1', 'h1', {'hypervisor_type': 'test', 'vcpus': 10,
                                                 'memory_mb': 10240, 'local_gb': 100,
                                                 'cpu_allocation_ratio': 1.0})

    def claim(n):
        try:
            allocations.claim(db, node['id'], f'i-{n}', 1, 128, 1)
            return True
        except exception.ClaimFailed:
            return False

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        won = sum(pool.map(claim, range(40)))
    used = compute_nodes.get(db, node['id'])
    assert used['vcpus_used'] <= 10 and used['vcpus_used'] == won
    assert len(allocations.list_for_node(db, node['id'])) == won
