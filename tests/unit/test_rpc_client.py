"""RPC clients: [upgrade_levels] caps, ping, and waiting for a service that never answers."""
import time

import pytest

from conf import new_conf
from rpc import client as client_mod
from rpc import context as context_mod
from rpc import transport as transport_mod


@pytest.fixture
def transport():
    conf = new_conf()
    conf.set_override('transport_url', transport_mod.EMBEDDED_URL)
    tr = transport_mod.get_transport(conf)
    yield conf, tr
    tr.cleanup()


def test_version_cap_from_upgrade_levels(transport):
    conf, tr = transport
    conf.set_override('compute', '1.0', group='upgrade_levels')
    capped = client_mod.Client(conf, tr, 'compute', '1.3', 'compute')
    assert capped.version_cap == '1.0'
    assert capped.can_send_version('1.0') and not capped.can_send_version('1.1')


def test_auto_or_unset_means_the_client_version(transport):
    conf, tr = transport
    conf.set_override('scheduler', 'auto', group='upgrade_levels')
    assert client_mod.Client(conf, tr, 'scheduler', '1.2', 'scheduler').version_cap == '1.2'
    assert client_mod.Client(conf, tr, 'conductor', '1.1', 'conductor').version_cap == '1.1'


def test_waiting_for_a_missing_service_gives_up_at_the_deadline(transport):
    conf, tr = transport
    client = client_mod.Client(conf, tr, 'nobody-listens-here', '1.0', 'compute')
    with pytest.raises(client_mod.CallTimeout):
        client.wait_until_ready(context_mod.admin_context(), deadline=1.5)


def test_a_console_port_check_gives_up_after_the_console_timeout(transport):
    """consoleauth asks the compute while a browser waits: a dead compute costs
    [consoleauth] check_timeout, not rpc_response_timeout (60 s)."""
    from compute import rpcapi as compute_rpcapi
    conf, tr = transport
    conf.set_override('check_timeout', 0.5, group='consoleauth')
    api = compute_rpcapi.ComputeAPI(conf, tr)
    started = time.monotonic()
    with pytest.raises(client_mod.CallTimeout):
        api.validate_console_port(context_mod.admin_context(), 'no-such-compute-host',
                                  {'uuid': 'x'}, 5900, 'novnc')
    assert time.monotonic() - started < 10
