"""consoleauth fixtures: private memcached servers, a config and a fake compute API."""
import pytest

from conf import new_conf
from tests.memcached import memcached, memcached_factory  # noqa: F401 - pytest fixtures


class FakeComputeAPI:
    """validate_console_port answers ``valid`` (or raises it, if an exception)."""

    def __init__(self, valid=True):
        self.valid = valid
        self.calls = []

    def validate_console_port(self, ctxt, host, instance, port, console_type):
        self.calls.append((host, instance, port, console_type))
        if isinstance(self.valid, Exception):
            raise self.valid
        return self.valid


@pytest.fixture
def conf():
    return new_conf(register_messaging=False)


@pytest.fixture
def compute_api():
    return FakeComputeAPI()
