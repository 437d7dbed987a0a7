"""The unmodified `openstack` CLI against the gateway: the boot flow as an operator types it."""
import json
import os
import subprocess
import sys

import pytest

CLI = os.path.join(os.path.dirname(sys.executable), 'openstack')


@pytest.fixture
def openstack(cloud):
    env = dict(os.environ, OS_AUTH_URL=f'{cloud.url}/identity/v3', OS_USERNAME='demo',
               OS_PASSWORD='demopw', OS_PROJECT_NAME='demo', OS_USER_DOMAIN_NAME='Default',
               OS_PROJECT_DOMAIN_NAME='Default', OS_IDENTITY_API_VERSION='3',
               OS_REGION_NAME='RegionOne', OS_AUTH_TYPE='password')

    def run(*args):
        done = subprocess.run([CLI, *args], env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f'openstack {" ".join(args)}: {done.stderr}'
        return done.stdout
    return run


def test_server_create_list_show_events_delete(openstack):
    created = json.loads(openstack('server', 'create', '--flavor', 'm1.nano', '--image',
                                   'stratus-tiny', '--nic', 'none', '--wait', 'cli-vm',
                                   '-f', 'json'))
    assert created['status'] == 'ACTIVE'
    listed = json.loads(openstack('server', 'list', '-f', 'json'))
    assert [s['Name'] for s in listed if s['ID'] == created['id']] == ['cli-vm']
    shown = json.loads(openstack('server', 'show', 'cli-vm', '-f', 'json'))
    assert shown['status'] == 'ACTIVE' and shown['flavor']['name'] == 'm1.nano'
    events = json.loads(openstack('server', 'event', 'list', 'cli-vm', '-f', 'json'))
    assert [e['Action'] for e in events] == ['create']
    openstack('server', 'delete', '--wait', 'cli-vm')
    assert created['id'] not in openstack('server', 'list', '-f', 'value', '-c', 'ID')
