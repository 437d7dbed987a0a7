"""One all-in-one cloud per session: every service in this process, driven over HTTP."""
import collections
import os
import socket
import subprocess
import sys
import threading

import pytest

from conf import new_conf
from db import flavors
from image import importer
from image import qemu_img
from image import store as store_mod
from launch import all_in_one
from rpc import notifier as notifier_mod
from rpc import transport as transport_mod
from tests.functional import client as client_mod

CLI = os.path.join(os.path.dirname(sys.executable), 'openstack')
USERS = ['admin:adminpw:admin:admin+member+reader', 'demo:demopw:demo:member+reader',
         'alt:altpw:alt:member+reader', 'viewer:viewerpw:demo:reader',
         'boss:bosspw:demo:manager']


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def cloud_conf(state_path, **overrides):
    conf = new_conf()
    conf.set_override('state_path', str(state_path))
    conf.set_override('report_interval', 2)
    conf.set_override('rpc_workers', 8)
    conf.set_override('port', free_port(), group='api')
    conf.set_override('users', USERS, group='identity')
    conf.set_override('log_format', 'text')
    for resource in ('instances', 'cores', 'ram'):
        conf.set_override(resource, -1, group='quota')
    conf.set_override('driver', ['messagingv2'], group='oslo_messaging_notifications')
    for (group, name), value in overrides.items():
        conf.set_override(name, value, group=group)
    return conf


def seed(db, conf, tmp_path):
    base = tmp_path / 'tiny.qcow2'
    qemu_img.create_blank(str(base), 16 * 2 ** 20)
    image = importer.import_file(db, store_mod.LocalStore.from_conf(conf), str(base),
                                 'stratus-tiny', visibility='public')
    for flavorid, name, ram, vcpus, disk in (('42', 'm1.nano', 128, 1, 1),
                                             ('1', 'm1.tiny', 512, 1, 1),
                                             ('2', 'm1.small', 2048, 1, 20)):
        flavors.create(db, {'flavorid': flavorid, 'name': name, 'memory_mb': ram,
                            'vcpus': vcpus, 'root_gb': disk})
    return image


@pytest.fixture(scope='session')
def cloud(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('cloud')
    conf = cloud_conf(tmp / 'state')
    aio = all_in_one.AllInOne(conf, compute_hosts=('compute-1', 'compute-2'))
    aio.image = seed(aio.db, conf, tmp)
    aio.start()
    yield aio
    aio.stop()


@pytest.fixture(scope='session')
def admin(cloud):
    return client_mod.Client(cloud.url, 'admin', 'adminpw', 'admin')


@pytest.fixture(scope='session')
def demo(cloud):
    return client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')


@pytest.fixture(scope='session')
def alt(cloud):
    return client_mod.Client(cloud.url, 'alt', 'altpw', 'alt')


@pytest.fixture(scope='session')
def manager(cloud):
    """demo's project manager: only the manager role (member and reader are implied)."""
    return client_mod.Client(cloud.url, 'boss', 'bosspw', 'demo')


@pytest.fixture(scope='session')
def image_id(cloud):
    return cloud.image['id']


def cli_runner(url, user, password):
    """run(*args): the unmodified `openstack` CLI as ``user`` (in the project of the same
    name) against the cloud at ``url``; its stdout."""
    env = dict(os.environ, OS_AUTH_URL=f'{url}/identity/v3', OS_USERNAME=user,
               OS_PASSWORD=password, OS_PROJECT_NAME=user, OS_USER_DOMAIN_NAME='Default',
               OS_PROJECT_DOMAIN_NAME='Default', OS_IDENTITY_API_VERSION='3',
               OS_REGION_NAME='RegionOne', OS_AUTH_TYPE='password')

    def run(*args):
        done = subprocess.run([CLI, *args], env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f'openstack {" ".join(args)}: {done.stderr}'
        return done.stdout
    return run


@pytest.fixture
def openstack(cloud):
    """run(*args): the unmodified `openstack` CLI as demo against the cloud; its stdout."""
    return cli_runner(cloud.url, 'demo', 'demopw')


class Collector:
    """The versioned notifications the cloud sends, by instance uuid, as they come."""

    def __init__(self):
        self.events = collections.defaultdict(list)
        self.cond = threading.Condition()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        data = payload['stratus_object.data']
        with self.cond:
            self.events[data['uuid']].append((event_type, publisher_id, ctxt.request_id))
            self.cond.notify_all()

    error = info

    def wait_for(self, uuid, event_type, timeout=30):
        with self.cond:
            ok = self.cond.wait_for(
                lambda: any(e[0] == event_type for e in self.events[uuid]), timeout)
        assert ok, f'{event_type} for {uuid} not seen; got {self.events[uuid]}'


@pytest.fixture
def collector(cloud):
    transport = transport_mod.get_notification_transport(cloud.conf)
    found = Collector()
    listener = notifier_mod.get_listener(transport, [found])
    listener.start()
    yield found
    listener.stop()
    listener.wait()
