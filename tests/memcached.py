"""A private memcached for tests: its own free port, stopped (and restartable) by the test.

Conftests use it with ``from tests.memcached import memcached, memcached_factory``
(pytest fixtures); ``Memcached`` is the server itself, for module-scoped fixtures.
"""
import os
import shutil
import socket
import subprocess
import time

import pytest

BINARY = shutil.which('memcached') or '/usr/bin/memcached'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Memcached:
    """One memcached process on 127.0.0.1:port; stop() and start() keep the port."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.proc = None

    @property
    def server(self):
        """What [cache] memcache_servers takes."""
        return f'127.0.0.1:{self.port}'

    def start(self, timeout=10):
        if not os.path.exists(BINARY):
            pytest.fail('memcached is not installed (tools/install-deps.sh installs it)')
        # memcached refuses to run as root unless told which user to be.
        user = ['-u', 'root'] if os.geteuid() == 0 else []
        self.proc = subprocess.Popen(
            [BINARY, *user, '-l', '127.0.0.1', '-p', str(self.port), '-U', '0', '-m', '16'],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f'memcached exited: {self.proc.stderr.read()!r}')
            if time.monotonic() > deadline:
                raise RuntimeError(f'memcached did not open port {self.port}')
            time.sleep(0.02)
        return self

    def _answers(self):
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            # SIGKILL: a cache has nothing to save, and SIGTERM lingers ~1 s per server.
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self.proc.stderr.close()
        self.proc = None

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture
def memcached_factory():
    """start() -> a new running Memcached; every one is stopped after the test."""
    started = []

    def start():
        server = Memcached().start()
        started.append(server)
        return server
    yield start
    for server in started:
        server.stop()


@pytest.fixture
def memcached(memcached_factory):
    """A running private memcached (``.server`` is its host:port)."""
    return memcached_factory()


@pytest.fixture(scope='module')
def module_memcached():
    """One private memcached for a whole module (a deployment's lifetime)."""
    server = Memcached().start()
    yield server
    server.stop()
