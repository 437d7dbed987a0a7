"""Two stratus-consoleauth processes over RabbitMQ sharing one private memcached."""
import hashlib
import json
import time

import pytest
from pymemcache.client import base as mc_base

from common import exception
from conf import new_conf
from consoleauth import rpcapi as consoleauth_rpcapi
from rpc import context as context_mod
from rpc import transport as transport_mod
from tests.integration import conftest
from tests.integration import deployment as deployment_mod

pytestmark = pytest.mark.integration
UUID = '9b7f8d2e-6a1c-4f3e-8b5d-2c4e6a8f0b13'
TOKEN_KEY = 'stratus-console-token-'
INDEX_KEY = 'stratus-console-instance-' + UUID


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url, module_memcached):
    tmp = tmp_path_factory.mktemp('consoleauth')
    yield from deployment_mod.running(tmp, vhost_url, conftest.free_port(), compute_hosts=1,
                                      memcache_servers=module_memcached.server,
                                      consoleauths=2)


@pytest.fixture(scope='module')
def api(cloud):
    conf = new_conf(['--config-file', cloud.conf_path])
    conf.set_override('rpc_response_timeout', 20)
    transport = transport_mod.get_transport(conf)
    yield consoleauth_rpcapi.ConsoleAuthAPI(conf, transport)
    transport.cleanup()


def _raw(server):
    return mc_base.Client(('127.0.0.1', server.port), connect_timeout=2, timeout=2)


def _authorize(api):
    return api.authorize_console(context_mod.admin_context(), UUID, 'novnc', '127.0.0.1',
                                 5999, compute_host='compute-1')['token']


def _eventually(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, 'condition not reached'
        time.sleep(0.1)


def test_tokens_are_shared_and_stored_hashed(cloud, api, module_memcached):
    tokens = [_authorize(api) for _ in range(4)]          # round-robin over both processes
    raw = _raw(module_memcached)
    for token in tokens:
        stored = raw.get(TOKEN_KEY + hashlib.sha256(token.encode()).hexdigest())
        assert stored is not None and token.encode() not in stored
        assert raw.get(TOKEN_KEY + token) is None
    assert len(json.loads(raw.get(INDEX_KEY))) == 4
    # Only consoleauth-1 is left: it revokes what consoleauth-0 minted too.
    cloud.kill('consoleauth-0')
    api.delete_tokens_for_instance(context_mod.admin_context(), UUID)
    _eventually(lambda: all(
        raw.get(TOKEN_KEY + hashlib.sha256(t.encode()).hexdigest()) is None for t in tokens))
    assert api.check_token(context_mod.admin_context(), 'forged-' + 'x' * 40) is None
    cloud.restart('consoleauth-0')
    _eventually(lambda: cloud.log_tail('consoleauth-0', 10 ** 6).count(
        'consoleauth started') >= 2)
    assert all(token not in line for line in cloud.logs() for token in tokens)


def test_memcached_down_is_503_over_rpc_and_recovers(cloud, api, module_memcached):
    module_memcached.stop()
    try:
        for _ in range(4):                                # both processes answer it
            with pytest.raises(exception.ServiceUnavailable) as err:
                _authorize(api)
            assert 'console token store (memcached) is unavailable' in str(err.value)
            with pytest.raises(exception.ServiceUnavailable):
                api.check_token(context_mod.admin_context(), 'x' * 43)
    finally:
        module_memcached.start()
    assert all(proc.poll() is None for proc in cloud.procs.values())
    token = _authorize(api)
    raw = _raw(module_memcached)
    assert raw.get(TOKEN_KEY + hashlib.sha256(token.encode()).hexdigest()) is not None
