"""ConsoleEndpoint over the fake driver: where the VNC server is, and re-checking a port."""
import uuid

import pytest

from common import exception
from compute import console
from compute.virt import fake
from compute.virt import power_state
from conf import new_conf


def _instance():
    return {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'memory_mb': 64, 'vcpus': 1,
            'root_gb': 1, 'ephemeral_gb': 0, 'flavor': {'extra_specs': {}},
            'image_ref': 'img'}


@pytest.fixture
def conf():
    c = new_conf(register_messaging=False)
    c.set_override('server_proxyclient_address', '192.0.2.10', group='vnc')
    return c


@pytest.fixture
def driver():
    return fake.FakeDriver(host='h1')


def _running(driver):
    inst = _instance()
    driver.spawn(inst, {}, None)
    return inst


def test_get_vnc_console_names_proxy_address_and_port(conf, driver):
    endpoint = console.ConsoleEndpoint(conf, driver)
    first, second = _running(driver), _running(driver)
    assert endpoint.get_vnc_console(None, first) == {
        'host': '192.0.2.10', 'port': 5900, 'internal_access_path': None}
    assert endpoint.get_vnc_console(None, second)['port'] == 5901


def test_no_console_for_missing_stopped_or_disabled(conf, driver):
    endpoint = console.ConsoleEndpoint(conf, driver)
    with pytest.raises(exception.ConsoleNotAvailable):
        endpoint.get_vnc_console(None, _instance())
    inst = _running(driver)
    driver.set_power_state(inst, power_state.SHUTDOWN)
    with pytest.raises(exception.ConsoleNotAvailable, match='not running'):
        endpoint.get_vnc_console(None, inst)
    driver.set_power_state(inst, power_state.RUNNING)
    conf.set_override('enabled', False, group='vnc')
    with pytest.raises(exception.ConsoleNotAvailable, match='disabled'):
        endpoint.get_vnc_console(None, inst)


def test_validate_console_port(conf, driver):
    endpoint = console.ConsoleEndpoint(conf, driver)
    inst = _running(driver)
    assert endpoint.validate_console_port(None, inst, 5900, 'novnc') is True
    assert endpoint.validate_console_port(None, inst, '5900', 'novnc') is True
    assert endpoint.validate_console_port(None, inst, 5901, 'novnc') is False
    assert endpoint.validate_console_port(None, inst, 5900, 'spice-html5') is False
    assert endpoint.validate_console_port(None, inst, 'x', 'novnc') is False
    driver.set_vnc_port(inst, 5999)
    assert endpoint.validate_console_port(None, inst, 5900, 'novnc') is False
    driver.destroy(inst)
    assert endpoint.validate_console_port(None, inst, 5999, 'novnc') is False


def test_default_driver_has_no_vnc():
    class Bare(fake.FakeDriver):
        get_vnc_port = fake.driver.ComputeDriver.get_vnc_port

    with pytest.raises(exception.ConsoleNotAvailable, match='Bare driver'):
        Bare().get_vnc_port(_instance())
