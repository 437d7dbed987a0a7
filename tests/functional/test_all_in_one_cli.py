"""`stratus-all-in-one` as a user runs it: one process, seeded defaults, a boot, SIGTERM."""
import os
import signal
import subprocess
import sys
import time

import requests

from tests.functional import client as client_mod
from tests.functional import conftest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_all_in_one_boots_a_server_from_its_defaults(tmp_path):
    port = conftest.free_port()
    conf = tmp_path / 'aio.conf'
    conf.write_text(f'[DEFAULT]\nstate_path = {tmp_path / "state"}\n[api]\nport = {port}\n')
    log = open(tmp_path / 'aio.log', 'wb')
    proc = subprocess.Popen([sys.executable, '-m', 'launch.all_in_one', '--config-file',
                             str(conf)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f'http://127.0.0.1:{port}'
        _wait_until_up(url, proc)
        admin = client_mod.Client(url, 'admin', 'admin', 'admin')
        images = admin.get('/image/v2/images?name=stratus-tiny').json()['images']
        assert len(images) == 1
        names = {f['name'] for f in admin.get('/compute/v2.1/flavors').json()['flavors']}
        assert {'m1.nano', 'm1.tiny', 'm1.small'} <= names
        server_id = admin.create_server('aio-vm', images[0]['id']).json()['server']['id']
        assert admin.wait_status(server_id, {'ACTIVE', 'ERROR'})['status'] == 'ACTIVE'
        admin.delete_all([server_id])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        log.close()


def _wait_until_up(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, 'stratus-all-in-one exited early'
        try:
            if requests.get(f'{url}/identity/v3', timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError('stratus-all-in-one did not answer in time')


def _run(tmp_path, module, *args, timeout=60):
    return subprocess.run([sys.executable, '-m', module, *args], cwd=REPO, timeout=timeout,
                          capture_output=True, text=True)


def test_missing_config_file_is_one_line_not_a_traceback(tmp_path):
    for module in ('launch.all_in_one', 'launch.manage'):
        extra = ('db', 'version') if module == 'launch.manage' else ()
        out = _run(tmp_path, module, '--config-file', str(tmp_path / 'nope.conf'), *extra)
        assert out.returncode != 0
        assert 'nope.conf not found' in out.stderr and 'Traceback' not in out.stderr


def test_port_in_use_is_a_clear_error(tmp_path):
    import socket
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        conf = tmp_path / 'aio.conf'
        conf.write_text(f'[DEFAULT]\nstate_path = {tmp_path / "state"}\n[api]\nport = {port}\n'
                        f'[vnc]\nnovncproxy_port = {conftest.free_port()}\n')
        out = _run(tmp_path, 'launch.all_in_one', '--config-file', str(conf))
    assert out.returncode == 1, out.stderr[-2000:]
    assert 'Address already in use' in out.stderr and 'Traceback' not in out.stderr


def test_manage_uses_the_all_in_one_database_without_a_connection(tmp_path):
    conf = tmp_path / 'aio.conf'
    conf.write_text(f'[DEFAULT]\nstate_path = {tmp_path / "state"}\n')
    out = _run(tmp_path, 'launch.manage', '--config-file', str(conf), 'db', 'sync')
    assert out.returncode == 0, out.stderr
    assert (tmp_path / 'state' / 'stratus.sqlite').exists()
    listed = _run(tmp_path, 'launch.manage', '--config-file', str(conf), 'flavor', 'create',
                  'f1', '--id', 'f1', '--ram', '64', '--vcpus', '1', '--disk', '0')
    assert listed.returncode == 0, listed.stderr
