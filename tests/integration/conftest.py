"""Integration fixtures: a private RabbitMQ (pytest-rabbitmq) and multi-process deployments."""
import os
import shutil
import socket
import tempfile

import pytest
from pytest_rabbitmq import factories

# Private memcached servers (console tokens): memcached, memcached_factory, module_memcached.
from tests.memcached import memcached, memcached_factory, module_memcached  # noqa: F401

# Below the kernel's ephemeral port range (32768-60999), so no client socket can hold it.
RABBIT_PORT = 16720  # pytest.ini: rabbitmq_port


def _private_broker_config():
    """Keep the test broker off the machine's own RabbitMQ settings.

    A machine's /etc/rabbitmq/rabbitmq.conf may pin listeners to 5672, which would
    make the private broker collide with the system one; point both config files
    at our own, and keep epmd on loopback.
    """
    base = tempfile.mkdtemp(prefix='stratus-rabbit-')
    with open(os.path.join(base, 'rabbitmq.conf'), 'w') as f:
        f.write(f'listeners.tcp.local = 127.0.0.1:{RABBIT_PORT}\n')
    with open(os.path.join(base, 'rabbitmq-env.conf'), 'w') as f:
        f.write('ERL_EPMD_ADDRESS=127.0.0.1\n')
    os.environ['RABBITMQ_CONFIG_FILE'] = os.path.join(base, 'rabbitmq.conf')
    os.environ['RABBITMQ_CONF_ENV_FILE'] = os.path.join(base, 'rabbitmq-env.conf')
    os.environ.setdefault('ERL_EPMD_ADDRESS', '127.0.0.1')


_private_broker_config()

if shutil.which('rabbitmq-server') is None and not os.path.exists(
        '/usr/lib/rabbitmq/bin/rabbitmq-server'):
    pytest.skip('rabbitmq-server is not installed (tools/install-deps.sh installs it)',
                allow_module_level=True)

rabbitmq_proc = factories.rabbitmq_proc()


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='session')
def rabbit_url(rabbitmq_proc):
    return f'rabbit://guest:guest@{rabbitmq_proc.host}:{rabbitmq_proc.port}/'


@pytest.fixture(scope='module')
def vhost_url(rabbitmq_proc, request):
    """A fresh virtual host per module so queues of one deployment never meet another's."""
    name = f'v{abs(hash(request.node.nodeid)) % 10 ** 8}'
    rabbitmq_proc.rabbitctl_output('add_vhost', name)
    rabbitmq_proc.rabbitctl_output('set_permissions', '-p', name, 'guest', '.*', '.*', '.*')
    yield f'rabbit://guest:guest@{rabbitmq_proc.host}:{rabbitmq_proc.port}/{name}'
    rabbitmq_proc.rabbitctl_output('delete_vhost', name)


@pytest.fixture(scope='module')
def admin(cloud):
    """The admin's client for the module's ``cloud`` deployment."""
    from tests.functional import client as client_mod
    return client_mod.Client(cloud.url, 'admin', 'adminpw', 'admin')


@pytest.fixture(scope='module')
def demo(cloud):
    """The demo project member's client for the module's ``cloud`` deployment."""
    from tests.functional import client as client_mod
    return client_mod.Client(cloud.url, 'demo', 'demopw', 'demo')
