"""Compute workers never open the database (DESIGN.md §1): config, imports, devstack.

Each check runs in a fresh interpreter, since what matters is what a real
``stratus-compute`` process loads, not what this test process already imported.
"""
import configparser
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DB_PREFIXES = ('db', 'sqlalchemy', 'alembic', 'psycopg2', 'pymysql')


def _env():
    env = dict(os.environ)
    env['PYTHONPATH'] = str(ROOT) + os.pathsep + env.get('PYTHONPATH', '')
    return env


def _python(code, timeout=60):
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=timeout)


def test_compute_refuses_database_url(tmp_path):
    conf_file = tmp_path / 'compute.conf'
    conf_file.write_text('[DEFAULT]\nhost = compute-x\n\n[libvirt]\ndriver = fake\n\n'
                         f'[database]\nconnection = sqlite:///{tmp_path}/x.sqlite\n')
    try:
        proc = subprocess.run([sys.executable, '-m', 'launch.compute',
                               '--config-file', str(conf_file)],
                              cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail('stratus-compute with [database] connection set kept running')
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert 'database' in proc.stderr.lower(), proc.stderr[-2000:]
    assert not (tmp_path / 'x.sqlite').exists(), 'compute created the database file'


def test_forbid_database_blocks_later_imports():
    proc = _python('''
        import conf
        import launch.compute
        from common import exception

        launch.compute.forbid_database(conf.new_conf())
        for name in ('db.instances', 'db', 'sqlalchemy', 'alembic'):
            try:
                __import__(name)
            except exception.DatabaseNotAllowed:
                continue
            raise SystemExit(f'import {name} was allowed after forbid_database')
        print('ok')
    ''')
    assert proc.returncode == 0 and proc.stdout.strip().endswith('ok'), \
        proc.stdout + proc.stderr[-2000:]


def test_building_a_compute_worker_loads_no_database_module():
    proc = _python(f'''
        import sys
        import conf
        import launch.compute
        from compute.virt import fake
        from rpc import transport

        c = conf.new_conf()
        launch.compute.forbid_database(c)
        svc = launch.compute.build(c, transport.get_transport(c), host='compute-x',
                                   driver=fake.FakeDriver(host='compute-x'))
        assert svc.manager is not None
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in {DB_PREFIXES!r})
        if loaded:
            raise SystemExit(f'compute import graph loads: {{loaded}}')
        print('ok')
    ''')
    assert proc.returncode == 0 and proc.stdout.strip().endswith('ok'), \
        proc.stdout + proc.stderr[-2000:]


def _run_write_configs(tmp_path):
    """Run devstack/stack.sh's own config writers into tmp_path; return the state dir."""
    copy = tmp_path / 'devstack'
    copy.mkdir()
    shutil.copy(ROOT / 'devstack' / 'settings', copy / 'settings')   # no local.conf
    script = (ROOT / 'devstack' / 'stack.sh').read_text()
    lines = script.rstrip().splitlines()
    assert lines[-1].strip() == 'main "$@"', 'stack.sh no longer ends with main "$@"'
    (copy / 'stack.sh').write_text('\n'.join(lines[:-1]) + '\n')
    state = tmp_path / 'state'
    env = dict(os.environ, STATE_DIR=str(state), COMPUTE_HOSTS='2', DATABASE='sqlite',
               TOKEN_SECRET='s3cret', RABBIT_URL='rabbit://u:p@127.0.0.1:5672/')
    proc = subprocess.run(
        ['bash', '-c', f'source "{copy}/stack.sh" && mkdir -p "$STATE_DIR" && '
                       'DB_URL="sqlite:////db-marker/stratus.sqlite" && write_controller_config '
                       '&& write_compute_configs'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return state


@pytest.mark.skipif(not (ROOT / 'devstack' / 'stack.sh').exists(), reason='no devstack')
@pytest.mark.skipif(shutil.which('bash') is None, reason='no bash')
def test_devstack_compute_config_has_no_database(tmp_path):
    state = _run_write_configs(tmp_path)
    controller = (state / 'stratus.conf').read_text()
    assert 'db-marker' in controller, 'the controller config should carry the DB URL'
    computes = sorted(state.glob('compute-*.conf'))
    assert [p.name for p in computes] == ['compute-1.conf', 'compute-2.conf']
    for path in computes:
        text = path.read_text()
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read_string(text)
        assert 'database' not in parser.sections(), f'{path.name} has a [database] section'
        assert 'db-marker' not in text and 'connection =' not in text, \
            f'{path.name} carries a database URL:\n{text}'
