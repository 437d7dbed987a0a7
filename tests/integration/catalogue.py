"""One server through every lifecycle action, driven either over HTTP or by the unmodified
`openstack` CLI; the deployment must run with reclaim_instance_interval > 0 and
shelved_offload_time = -1 so soft delete and the admin's shelveOffload are reachable."""
import dataclasses
import json
import os
import subprocess
import sys
import time

CLI = os.path.join(os.path.dirname(sys.executable), 'openstack')
S = '/compute/v2.1/servers'


@dataclasses.dataclass
class Step:
    name: str
    body: object  # the action body, or 'DELETE' for DELETE /servers/{id}
    cli: tuple    # `openstack` arguments; {server} and {image} are filled in
    status: str   # the server status the step ends in ('DELETED' when gone)
    admin: bool = False
    # The CLI's own way, where it differs: None as cli = done by the step before.
    cli_status: str = None
    cli_admin: bool = None


STEPS = [
    Step('lock', {'lock': {'locked_reason': 'catalogue'}},
         ('server', 'lock', '--reason', 'catalogue', '{server}'), 'ACTIVE'),
    Step('unlock', {'unlock': None}, ('server', 'unlock', '{server}'), 'ACTIVE'),
    Step('reboot', {'reboot': {'type': 'SOFT'}}, ('server', 'reboot', '--soft', '{server}'),
         'ACTIVE'),
    Step('reboot hard', {'reboot': {'type': 'HARD'}},
         ('server', 'reboot', '--hard', '{server}'), 'ACTIVE'),
    Step('stop', {'os-stop': None}, ('server', 'stop', '{server}'), 'SHUTOFF'),
    Step('start', {'os-start': None}, ('server', 'start', '{server}'), 'ACTIVE'),
    Step('pause', {'pause': None}, ('server', 'pause', '{server}'), 'PAUSED'),
    Step('unpause', {'unpause': None}, ('server', 'unpause', '{server}'), 'ACTIVE'),
    Step('suspend', {'suspend': None}, ('server', 'suspend', '{server}'), 'SUSPENDED'),
    Step('resume', {'resume': None}, ('server', 'resume', '{server}'), 'ACTIVE'),
    Step('rescue', {'rescue': None}, ('server', 'rescue', '{server}'), 'RESCUE'),
    Step('unrescue', {'unrescue': None}, ('server', 'unrescue', '{server}'), 'ACTIVE'),
    # The deployment has two compute hosts: each move crosses to the other one.
    Step('resize', {'resize': {'flavorRef': '1'}},
         ('server', 'resize', '--flavor', 'm1.tiny', '{server}'), 'VERIFY_RESIZE'),
    Step('confirmResize', {'confirmResize': None},
         ('server', 'resize', 'confirm', '{server}'), 'ACTIVE'),
    Step('migrate', {'migrate': None}, ('server', 'migrate', '{server}'), 'VERIFY_RESIZE',
         admin=True),
    Step('revertResize', {'revertResize': None}, ('server', 'resize', 'revert', '{server}'),
         'ACTIVE'),
    Step('rebuild', {'rebuild': {'imageRef': '{image}'}},
         ('server', 'rebuild', '--image', '{image}', '{server}'), 'ACTIVE'),
    Step('createImage', {'createImage': {'name': 'snap-{server}'}},
         ('server', 'image', 'create', '--name', 'snap-{server}', '--wait', '{server}'),
         'ACTIVE'),
    Step('createBackup', {'createBackup': {'name': 'backup-{server}', 'backup_type': 'daily',
                                           'rotation': 1}},
         ('server', 'backup', 'create', '--name', 'backup-{server}', '--type', 'daily',
          '--rotate', '1', '--wait', '{server}'), 'ACTIVE'),
    Step('console output', {'os-getConsoleOutput': {'length': 5}},
         ('console', 'log', 'show', '--lines', '5', '{server}'), 'ACTIVE'),
    Step('changePassword', {'changePassword': {'adminPass': 'catalogue-pw-1'}},
         ('server', 'set', '--password', 'catalogue-pw-1', '{server}'), 'ACTIVE'),
    Step('resetState error', {'os-resetState': {'state': 'error'}},
         ('server', 'set', '--state', 'error', '--auto-approve', '{server}'), 'ERROR',
         admin=True),
    Step('resetState active', {'os-resetState': {'state': 'active'}},
         ('server', 'set', '--state', 'active', '--auto-approve', '{server}'), 'ACTIVE',
         admin=True),
    # `openstack server shelve --offload` skips a server that is already SHELVED, so the
    # CLI shelves and offloads in one command (as admin: offloading is admin-only).
    Step('shelve', {'shelve': None}, ('server', 'shelve', '--offload', '{server}'), 'SHELVED',
         cli_status='SHELVED_OFFLOADED', cli_admin=True),
    Step('shelveOffload', {'shelveOffload': None}, None, 'SHELVED_OFFLOADED', admin=True),
    Step('unshelve', {'unshelve': None}, ('server', 'unshelve', '{server}'), 'ACTIVE'),
    Step('soft delete', 'DELETE', ('server', 'delete', '{server}'), 'SOFT_DELETED'),
    Step('restore', {'restore': None}, ('server', 'restore', '{server}'), 'ACTIVE'),
    Step('soft delete again', 'DELETE', ('server', 'delete', '{server}'), 'SOFT_DELETED'),
    Step('forceDelete', {'forceDelete': None}, ('server', 'delete', '--force', '{server}'),
         'DELETED'),
]
# What `server event list` must show afterwards (Nova's action names, newest last).
RECORDED = ['create', 'lock', 'unlock', 'reboot', 'reboot', 'stop', 'start', 'pause',
            'unpause', 'suspend', 'resume', 'rescue', 'unrescue', 'resize', 'confirmResize',
            'migrate', 'revertResize', 'rebuild', 'createImage',
            'createBackup', 'changePassword', 'resetState', 'resetState', 'shelve',
            'shelveOffload', 'unshelve', 'delete', 'restore', 'delete', 'delete']


def fill(value, server, image):
    text = json.dumps(value).replace('{server}', server).replace('{image}', image)
    return json.loads(text)


class ApiDriver:
    """Each step as one HTTP request through tests.functional.client.Client."""

    def __init__(self, owner, admin):
        self.owner, self.admin = owner, admin

    @staticmethod
    def expected(step):
        return step.status

    def run(self, step, server, image):
        client = self.admin if step.admin else self.owner
        if step.body == 'DELETE':
            resp = client.delete(f'{S}/{server}')
        else:
            resp = client.action(server, fill(step.body, server, image))
        assert resp.status_code in (200, 202, 204), f'{step.name}: {resp.status_code} ' \
                                                    f'{resp.text}'
        return resp


class CliDriver:
    """Each step as one `openstack` command, as an operator would type it."""

    def __init__(self, url, owner, admin):
        self.envs = {False: _cli_env(url, *owner), True: _cli_env(url, *admin)}

    def __call__(self, *args, admin=False):
        done = subprocess.run([CLI, *args], env=self.envs[admin], capture_output=True,
                              text=True, timeout=180, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f'openstack {" ".join(args)}: {done.stderr}'
        return done.stdout

    @staticmethod
    def expected(step):
        return step.cli_status or step.status

    def run(self, step, server, image):
        if step.cli is None:
            return None
        admin = step.admin if step.cli_admin is None else step.cli_admin
        return self(*fill(list(step.cli), server, image), admin=admin)


def _cli_env(url, user, password, project):
    return dict(os.environ, OS_AUTH_URL=f'{url}/identity/v3', OS_USERNAME=user,
                OS_PASSWORD=password, OS_PROJECT_NAME=project, OS_USER_DOMAIN_NAME='Default',
                OS_PROJECT_DOMAIN_NAME='Default', OS_IDENTITY_API_VERSION='3',
                OS_REGION_NAME='RegionOne', OS_AUTH_TYPE='password')


def wait_for(admin, server, status, timeout=120, poll=0.1):
    """Poll (as admin, who also sees soft-deleted servers) until ``status``, task idle."""
    deadline = time.monotonic() + timeout
    while True:
        resp = admin.get(f'{S}/{server}')
        if resp.status_code == 404:
            found, task = 'DELETED', None
        else:
            body = resp.json()['server']
            found, task = body['status'], body['OS-EXT-STS:task_state']
        if found == status and task is None:
            return
        if found == 'ERROR' and status != 'ERROR':
            raise AssertionError(f'{server} went to ERROR waiting for {status}: {resp.text}')
        if time.monotonic() > deadline:
            raise AssertionError(f'{server} is {found}/{task}, not {status}, after {timeout} s')
        time.sleep(poll)


def run_catalogue(driver, admin, server, image, on_step=None, steps=None, poll=0.1):
    """Every step in order; ``on_step(step, seconds)`` sees how long each took."""
    for step in STEPS if steps is None else steps:
        started = time.monotonic()
        driver.run(step, server, image)
        wait_for(admin, server, driver.expected(step), poll=poll)
        if on_step:
            on_step(step, time.monotonic() - started)


def agent_image(admin, image_id):
    """Mark the image as having a guest agent, so changePassword can work."""
    resp = admin.request('PATCH', f'/image/v2/images/{image_id}', data=json.dumps(
        [{'op': 'add', 'path': '/hw_qemu_guest_agent', 'value': 'yes'}]),
        headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
    assert resp.status_code == 200, resp.text
