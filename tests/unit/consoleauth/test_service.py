"""stratus-consoleauth as a service: its RPC API end to end over the embedded transport.

The RPC scenarios run in a fresh (spawned) interpreter: the embedded transport's queues are
global to a process, and the functional tests' all-in-one (with its own consoleauth on the
same topic) may live in this one.
"""
import contextlib
import logging
import multiprocessing
import time

import pytest

from common import exception
from conf import new_conf
from consoleauth import rpcapi as consoleauth_rpcapi
from consoleauth import store as store_mod
from launch import consoleauth as consoleauth_launch
from rpc import context as context_mod
from rpc import server as rpc_server
from rpc import transport as transport_mod

UUID = '5d0e2c6a-1f44-4b6e-8d0c-0c1e4b0a9f10'
HOST = 'console-test-compute'


class FakeComputeManager:
    """The compute side of validate_console_port: the guest's console is on ``port``."""

    RPC_API_VERSION = '1.2'

    def __init__(self, port):
        self.port = port

    def validate_console_port(self, ctxt, instance, port, console_type):
        return instance['uuid'] == UUID and port == self.port


def _in_fresh_process(scenario):
    """Run ``scenario(deployment, memcached)`` in a spawned interpreter with its own
    memcached; what it returns comes back, an assertion it fails is raised here."""
    with multiprocessing.get_context('spawn').Pool(1) as pool:
        return pool.apply(_run_scenario, (scenario.__name__,))


def _run_scenario(name):
    from tests import memcached as memcached_mod
    server = memcached_mod.Memcached()
    server.start()
    try:
        with _deployment(server) as deployment:
            return globals()[name](deployment, server)
    finally:
        server.stop()


@contextlib.contextmanager
def _deployment(memcached):
    conf = new_conf()
    conf.set_override('transport_url', transport_mod.EMBEDDED_URL)
    conf.set_override('rpc_response_timeout', 10)
    conf.set_override('memcache_servers', [memcached.server], group='cache')
    conf.set_override('memcache_timeout', 0.5, group='cache')
    transport = transport_mod.get_transport(conf)
    compute = FakeComputeManager(5905)
    compute_rpc = rpc_server.RPCService(conf, transport, 'compute', 'compute', HOST, compute)
    svc = consoleauth_launch.build(conf, transport)
    compute_rpc.start()
    svc.start()
    try:
        yield conf, transport, compute, svc
    finally:
        _stop(svc, compute_rpc, transport)


def _stop(svc, compute_rpc, transport):
    svc.stop()
    compute_rpc.stop()
    svc.wait()
    compute_rpc.wait()
    transport.cleanup()


def test_authorize_check_delete_over_rpc():
    assert _in_fresh_process(_authorize_check_delete) == 'ok'


def _authorize_check_delete(deployment, memcached):
    conf, transport, compute, svc = deployment
    assert isinstance(svc.store, store_mod.MemcacheStore)
    api = consoleauth_rpcapi.ConsoleAuthAPI(conf, transport)
    ctxt = context_mod.admin_context()
    caplog = _Capture()
    with caplog:
        answer = api.authorize_console(ctxt, UUID, 'novnc', '127.0.0.1', 5905,
                                       compute_host=HOST)
        info = api.check_token(ctxt, answer['token'])
        assert info['port'] == 5905 and info['instance_uuid'] == UUID
        compute.port = 5906                        # the guest's console moved
        assert api.check_token(ctxt, answer['token']) is None
        compute.port = 5905
        second = api.authorize_console(ctxt, UUID, 'novnc', '127.0.0.1', 5905,
                                       compute_host=HOST)
        assert api.check_token(ctxt, second['token']) is not None
        api.delete_tokens_for_instance(ctxt, UUID)   # a cast: wait for it to land
        _eventually(lambda: svc.store.get('stratus-console-instance-' + UUID) in (None, []))
        assert api.check_token(ctxt, second['token']) is None
    assert answer['token'] not in caplog.text and second['token'] not in caplog.text
    return 'ok'


def test_store_down_crosses_rpc_as_503_and_recovers():
    assert _in_fresh_process(_store_down) == 'ok'


def _store_down(deployment, memcached):
    conf, transport, compute, svc = deployment
    api = consoleauth_rpcapi.ConsoleAuthAPI(conf, transport)
    ctxt = context_mod.admin_context()
    memcached.stop()
    with pytest.raises(exception.ServiceUnavailable) as err:
        api.authorize_console(ctxt, UUID, 'novnc', '127.0.0.1', 5905, compute_host=HOST)
    assert err.value.code == 503
    assert 'console token store (memcached) is unavailable' in str(err.value)
    with pytest.raises(exception.ServiceUnavailable):
        api.check_token(ctxt, 'a' * 43)
    memcached.start()
    answer = api.authorize_console(ctxt, UUID, 'novnc', '127.0.0.1', 5905, compute_host=HOST)
    assert api.check_token(ctxt, answer['token'])['port'] == 5905
    return 'ok'


def test_without_memcache_servers_the_store_is_in_process():
    conf = new_conf()
    conf.set_override('transport_url', transport_mod.EMBEDDED_URL)
    transport = transport_mod.get_transport(conf)
    try:
        svc = consoleauth_launch.build(conf, transport)
        assert isinstance(svc.store, store_mod.MemoryStore)
    finally:
        transport.cleanup()


class _Capture(logging.Handler):
    """Every log record at DEBUG and up, as text, while in the ``with`` block."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    @property
    def text(self):
        return '\n'.join(self.lines)

    def emit(self, record):
        self.lines.append(record.getMessage())

    def __enter__(self):
        root = logging.getLogger()
        self._level = root.level
        root.setLevel(logging.DEBUG)
        root.addHandler(self)
        return self

    def __exit__(self, *exc):
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._level)


def _eventually(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, 'condition not reached'
        time.sleep(0.05)
