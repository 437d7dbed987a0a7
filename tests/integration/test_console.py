"""VNC consoles end to end: api, conductor, scheduler, compute, two consoleauths, novncproxy,
a private memcached, and a real RFB server on the guest's VNC port (nothing listens there
with libvirt's test driver)."""
import time
import urllib.parse

import pytest
import requests
import websocket

from tests import rfb
from tests.integration import conftest
from tests.integration import deployment as deployment_mod
from tests.memcached import Memcached

pytestmark = pytest.mark.integration

TOKEN_TTL = 10
SERVERS = '/compute/v2.1/servers'
TOKENS = '/compute/v2.1/os-console-auth-tokens'
MINTED = []   # every token this module saw: none may reach a log


@pytest.fixture(scope='module')
def cache():
    server = Memcached().start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, vhost_url, cache):
    extra = {('consoleauth', 'token_ttl'): TOKEN_TTL,
             ('consoleauth', 'enforce_session_timeout'): True}
    yield from deployment_mod.running(
        tmp_path_factory.mktemp('console'), vhost_url, conftest.free_port(), compute_hosts=1,
        memcache_servers=cache.server, consoleauths=2, novncproxy_port=conftest.free_port(),
        extra=extra)


def console_url(demo, server_id, expect=200):
    resp = demo.post(f'{SERVERS}/{server_id}/remote-consoles',
                     json={'remote_console': {'protocol': 'vnc', 'type': 'novnc'}})
    assert resp.status_code == expect, resp.text
    if expect != 200:
        return resp
    url = resp.json()['remote_console']['url']
    MINTED.append(token_of(url))
    return url


def token_of(url):
    return rfb.token_of(url)


class Guest:
    """A booted server with a fake VNC server listening on its console port."""

    def __init__(self, server_id, vnc):
        self.id = server_id
        self.vnc = vnc


@pytest.fixture(scope='module')
def guest(cloud, demo, admin):
    server_id = demo.boot('console', cloud.image_id)
    url = console_url(demo, server_id)
    info = admin.get(f'{TOKENS}/{token_of(url)}').json()['console']
    assert info['instance_uuid'] == server_id and info['port'] > 0, info
    with rfb.RFBServer(info['host'], info['port']) as vnc:
        yield Guest(server_id, vnc)


def connect(cloud, url, origin='same'):
    origin = cloud.novncproxy_url if origin == 'same' else origin
    return rfb.open_console(rfb.ws_url_of(url), origin=origin)


def handshake_ok(cloud, guest, url):
    answered = len(guest.vnc.answers)
    ws, banner = connect(cloud, url)
    try:
        assert banner == rfb.BANNER
        deadline = time.monotonic() + 5
        while len(guest.vnc.answers) == answered and time.monotonic() < deadline:
            time.sleep(0.02)
        assert guest.vnc.answers[answered:] == [rfb.BANNER]
    finally:
        ws.close()


def refused(cloud, guest, url, status=403, origin='same'):
    seen = guest.vnc.connections
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        connect(cloud, url, origin=origin)
    assert info.value.status_code == status
    time.sleep(0.2)
    assert guest.vnc.connections == seen, 'a refused console reached the VNC server'


def test_console_url_opens_the_guest_console(cloud, demo, guest):
    url = console_url(demo, guest.id)
    assert url.startswith(cloud.novncproxy_url + '/vnc_lite.html?path=')
    handshake_ok(cloud, guest, url)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and 'noVNC' in page.text


def test_old_get_vnc_console_action(cloud, demo, guest):
    resp = demo.action(guest.id, {'os-getVNCConsole': {'type': 'novnc'}}, version='2.1')
    assert resp.status_code == 200, resp.text
    url = resp.json()['console']['url']
    MINTED.append(token_of(url))
    handshake_ok(cloud, guest, url)


def test_forged_token_and_wrong_origin_are_refused(cloud, demo, guest):
    url = console_url(demo, guest.id)
    token = token_of(url)
    refused(cloud, guest, url.replace(urllib.parse.quote(token, safe=''), 'forged' + token[6:]))
    refused(cloud, guest, url, origin='http://evil.example')
    handshake_ok(cloud, guest, url)   # the same token still works from the right page


def test_token_from_one_consoleauth_accepted_by_another(cloud, demo, guest):
    # Both consume one queue: with one stopped, the other mints; then the roles swap.
    cloud.kill('consoleauth-1')
    try:
        url = console_url(demo, guest.id)
    finally:
        cloud.restart('consoleauth-1')
    cloud.kill('consoleauth-0')
    try:
        handshake_ok(cloud, guest, url)
    finally:
        cloud.restart('consoleauth-0')
    cloud.wait_ready()


def test_expired_token_is_refused_and_session_closed(cloud, demo, guest):
    url = console_url(demo, guest.id)
    ws, banner = connect(cloud, url)
    assert banner == rfb.BANNER
    ws.settimeout(TOKEN_TTL + 5)
    opened = time.monotonic()
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        while True:
            ws.recv()
    assert time.monotonic() - opened < TOKEN_TTL + 2
    refused(cloud, guest, url)


def test_port_no_longer_valid_is_refused(cloud, demo, guest):
    url = console_url(demo, guest.id)
    demo.act(guest.id, {'os-stop': None})
    demo.wait_status(guest.id, {'SHUTOFF'})
    try:
        refused(cloud, guest, url)
        console_url(demo, guest.id, expect=409)
    finally:
        demo.act(guest.id, {'os-start': None})
        demo.wait_status(guest.id, {'ACTIVE'})
    handshake_ok(cloud, guest, console_url(demo, guest.id))


def test_memcached_down_503_then_back(cloud, demo, guest, cache):
    url = console_url(demo, guest.id)
    cache.stop()
    try:
        resp = console_url(demo, guest.id, expect=503)
        fault = resp.json()['serviceUnavailable']
        assert fault['code'] == 503 and 'unavailable' in fault['message'].lower(), fault
        refused(cloud, guest, url, status=503)
    finally:
        cache.start()
    for name, proc in cloud.procs.items():
        assert proc.poll() is None, f'{name} died: {cloud.log_tail(name)}'
    handshake_ok(cloud, guest, console_url(demo, guest.id))


def test_rebuilt_instance_token_is_refused(cloud, demo, guest):
    url = console_url(demo, guest.id)
    demo.act(guest.id, {'rebuild': {'imageRef': cloud.image_id}})
    demo.wait_status(guest.id, {'ACTIVE'})
    refused(cloud, guest, url)
    handshake_ok(cloud, guest, console_url(demo, guest.id))


def test_deleted_instance_token_is_refused(cloud, demo, admin):
    server_id = demo.boot('doomed', cloud.image_id)
    url = console_url(demo, server_id)
    info = admin.get(f'{TOKENS}/{token_of(url)}').json()['console']
    with rfb.RFBServer(info['host'], info['port']) as vnc:
        demo.delete_all([server_id])
        refused(cloud, Guest(server_id, vnc), url)
    assert admin.get(f'{TOKENS}/{token_of(url)}').status_code == 404


def test_no_console_token_in_any_log(cloud):
    assert len(MINTED) >= 8
    text = ''.join(cloud.logs())
    leaked = [t for t in MINTED if t in text or urllib.parse.quote(t, safe='') in text]
    assert not leaked, f'{len(leaked)} console token(s) in the logs of {cloud.root}/logs'
    assert 'relaying' in text   # the proxy's log was read
