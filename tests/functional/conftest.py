"""One all-in-one cloud per session: every service in this process, driven over HTTP."""
import socket

import pytest

from conf import new_conf
from db import flavors
from image import importer
from image import qemu_img
from image import store as store_mod
from launch import all_in_one
from tests.functional import client as client_mod

USERS = ['admin:adminpw:admin:admin+member+reader', 'demo:demopw:demo:member+reader',
         'alt:altpw:alt:member+reader', 'viewer:viewerpw:demo:reader']


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
def image_id(cloud):
    return cloud.image['id']
