"""The console proxy: token parsing, the Origin rule, and real websocket sessions to a fake RFB."""
import socket
import logging
import time

import pytest
import requests
import websocket

import conf as conf_mod
from common import exception
from consoleauth import proxy
from tests import rfb

TOKEN = 'Zq7sEcr3t-t0ken-value_0123456789abcdef'


@pytest.mark.parametrize('path, cookie, expected', [
    (f'/?token={TOKEN}', None, TOKEN),
    (f'/websockify?token={TOKEN}&x=1', None, TOKEN),
    (f'/?path=%3Ftoken%3D{TOKEN}', None, TOKEN),
    (f'/?path=websockify%3Ftoken%3D{TOKEN}', None, TOKEN),
    ('/', f'token={TOKEN}; other=1', TOKEN),
    ('/', f'other=1; token={TOKEN}', TOKEN),
    (f'/?token={TOKEN}', 'token=cookie-loses', TOKEN),
    ('/', None, None),
    ('/?token=', None, None),
    ('/?token=%20%0a', None, None),
    ('/?path=%3Fother%3D1', None, None),
    ('/', 'other=1', None),
    ('/', 'garbage;;;=="', None),
])
def test_parse_token(path, cookie, expected):
    assert proxy.parse_token(path, cookie) == expected


@pytest.mark.parametrize('origin, host, allowed, ok', [
    (None, 'proxy.example:6080', [], True),            # not a browser
    ('http://proxy.example:6080', 'proxy.example:6080', [], True),
    ('https://PROXY.example', 'proxy.example:6080', [], True),   # scheme/port/case ignored
    ('http://evil.example', 'proxy.example:6080', [], False),
    ('http://evil.example', 'proxy.example:6080', ['dash.example'], False),
    ('http://dash.example:8443', 'proxy.example:6080', ['dash.example'], True),
    ('http://[::1]:6080', '[::1]:6080', [], True),
    ('http://proxy.example', None, [], False),           # nothing to compare with
    ('null', 'proxy.example:6080', ['null'], False),     # sandboxed/file pages
    ('not a url', 'proxy.example:6080', [], False),
    ('', 'proxy.example:6080', [], False),
])
def test_origin_allowed(origin, host, allowed, ok):
    assert proxy.origin_allowed(origin, host, allowed) is ok


@pytest.mark.parametrize('origin, base, ok', [
    (None, 'https://proxy/vnc_lite.html', True),
    ('http://proxy', None, True),
    ('http://proxy', 'http://proxy:6080/vnc_lite.html', True),
    ('HTTPS://proxy', 'https://proxy/vnc_lite.html', True),
    ('http://proxy', 'https://proxy/vnc_lite.html', False),
    ('https://proxy', 'http://proxy/vnc_lite.html', False),
])
def test_scheme_matches(origin, base, ok):
    assert proxy.scheme_matches(origin, base) is ok


def test_expiry_epoch():
    assert proxy.expiry_epoch(12.5) == 12.5
    assert proxy.expiry_epoch('1970-01-01T00:01:40Z') == 100.0
    assert proxy.expiry_epoch('1970-01-01T00:01:40') == 100.0
    assert proxy.expiry_epoch('soon') is None
    assert proxy.expiry_epoch(None) is None


def test_token_ref_is_short_and_not_the_token():
    ref = proxy.token_ref(TOKEN)
    assert len(ref) == 8 and ref not in TOKEN and ref == proxy.token_ref(TOKEN)


class FakeConsoleAuth:
    """check_token answers from a dict of token -> info, or raises ``error``."""

    def __init__(self):
        self.tokens = {}
        self.error = None
        self.checked = []

    def check_token(self, ctxt, token):
        self.checked.append(token)
        if self.error:
            raise self.error
        return self.tokens.get(token)


@pytest.fixture
def vnc():
    with rfb.RFBServer() as server:
        yield server


@pytest.fixture
def make_proxy(tmp_path):
    servers = []
    web = tmp_path / 'novnc'
    web.mkdir()
    (web / 'vnc_lite.html').write_text('<html>noVNC lite</html>')

    def make(enforce=False, allowed=()):
        conf = conf_mod.new_conf(register_messaging=False)
        conf.set_override('novnc_web', str(web), group='vnc')
        conf.set_override('allowed_origins', list(allowed), group='console')
        conf.set_override('enforce_session_timeout', enforce, group='consoleauth')
        auth = FakeConsoleAuth()
        server = proxy.ConsoleProxyServer(conf, auth, host='127.0.0.1', port=0)
        server.start()
        servers.append(server)
        return server, auth
    yield make
    for server in servers:
        server.stop()


def _grant(auth, vnc, expires_in=600):
    auth.tokens[TOKEN] = {'instance_uuid': 'u-1', 'console_type': 'novnc',
                          'host': '127.0.0.1', 'port': vnc.port,
                          'internal_access_path': None, 'expires': time.time() + expires_in}


def test_valid_token_relays_the_rfb_handshake(make_proxy, vnc, caplog):
    caplog.set_level(logging.DEBUG)
    server, auth = make_proxy()
    _grant(auth, vnc)
    ws, banner = rfb.open_console(f'ws://127.0.0.1:{server.port}/?path=%3Ftoken%3D{TOKEN}',
                                  origin=server.url)
    try:
        assert banner == rfb.BANNER
        assert vnc.answered.wait(5) and vnc.answers == [rfb.BANNER]
    finally:
        ws.close()
    assert auth.checked == [TOKEN]
    assert TOKEN not in caplog.text and 'relaying' in caplog.text


def test_token_from_cookie(make_proxy, vnc):
    server, auth = make_proxy()
    _grant(auth, vnc)
    ws, banner = rfb.open_console(f'ws://127.0.0.1:{server.port}/', cookie=f'token={TOKEN}')
    ws.close()
    assert banner == rfb.BANNER


def _refused(server, status, path=f'/?token={TOKEN}', **kwargs):
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        rfb.open_console(f'ws://127.0.0.1:{server.port}{path}', **kwargs)
    assert info.value.status_code == status


@pytest.mark.parametrize('case', ['forged', 'missing', 'origin', 'scheme', 'store-down',
                                  'rpc-timeout', 'unexpected'])
def test_refusals_proxy_nothing(make_proxy, vnc, case, caplog):
    caplog.set_level(logging.DEBUG)
    server, auth = make_proxy(allowed=['dash.example'])
    _grant(auth, vnc)
    if case == 'forged':
        _refused(server, 403, path='/?token=forged-' + TOKEN)
    elif case == 'missing':
        _refused(server, 403, path='/')
    elif case == 'origin':
        _refused(server, 403, origin='http://evil.example')
        assert auth.checked == []
    elif case == 'scheme':
        auth.tokens[TOKEN]['access_url_base'] = 'https://dash.example/vnc_lite.html'
        _refused(server, 403, origin='http://dash.example')
        auth.tokens[TOKEN]['access_url_base'] = None
    else:
        auth.error = {'store-down': exception.ServiceUnavailable(what='memcached', reason='x'),
                      'rpc-timeout': proxy.rpc_client.CallTimeout('check_token'),
                      'unexpected': RuntimeError('boom')}[case]
        _refused(server, 503)
    time.sleep(0.2)
    assert vnc.connections == 0
    assert TOKEN not in caplog.text
    # The proxy still serves the next client.
    auth.error = None
    ws, banner = rfb.open_console(f'ws://127.0.0.1:{server.port}/?token={TOKEN}',
                                  origin='https://dash.example')
    ws.close()
    assert banner == rfb.BANNER


def test_unreachable_vnc_server_is_refused(make_proxy):
    server, auth = make_proxy()
    free = rfb.RFBServer()
    port = free.port
    free.server_close()
    auth.tokens[TOKEN] = {'instance_uuid': 'u-1', 'host': '127.0.0.1', 'port': port,
                          'expires': time.time() + 60}
    _refused(server, 502)


def test_session_closes_when_token_expires(make_proxy, vnc):
    server, auth = make_proxy(enforce=True)
    _grant(auth, vnc, expires_in=1.0)
    ws, banner = rfb.open_console(f'ws://127.0.0.1:{server.port}/?token={TOKEN}')
    assert banner == rfb.BANNER
    ws.settimeout(5)
    start = time.monotonic()
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        while True:
            ws.recv()
    assert 0.5 < time.monotonic() - start < 4


def test_session_outlives_token_without_enforcement(make_proxy, vnc):
    server, auth = make_proxy(enforce=False)
    _grant(auth, vnc, expires_in=0.3)
    ws, _ = rfb.open_console(f'ws://127.0.0.1:{server.port}/?token={TOKEN}')
    ws.settimeout(1.5)
    with pytest.raises(websocket.WebSocketTimeoutException):
        ws.recv()
    assert ws.connected
    ws.close()


def test_plain_get_serves_novnc(make_proxy):
    server, _auth = make_proxy()
    page = requests.get(f'{server.url}/vnc_lite.html', timeout=5)
    assert page.status_code == 200 and 'noVNC lite' in page.text
    assert requests.get(f'{server.url}/', timeout=5).status_code == 404   # no listings
    assert requests.get(f'{server.url}/../../etc/passwd', timeout=5).status_code == 404


def test_refusal_status_line_is_one_clean_line(make_proxy, vnc):
    import socket
    server, auth = make_proxy()
    auth.error = exception.ServiceUnavailable(what='memcached',
                                              reason='down\nTraceback (most recent call last)')
    request = (f'GET /?token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n'
               'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
               'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    with socket.create_connection(('127.0.0.1', server.port), timeout=5) as sock:
        sock.sendall(request.encode())
        reply = b''
        while chunk := sock.recv(4096):
            reply += chunk
    head = reply.split(b'\r\n\r\n', 1)[0].decode('latin-1').split('\r\n')
    assert head[0] == 'HTTP/1.1 503 Console authentication unavailable'
    assert all(':' in line for line in head[1:]), head
    assert b'Traceback' not in reply and TOKEN.encode() not in reply
    assert vnc.connections == 0


def test_forged_token_gets_a_status_line_and_no_data(make_proxy, vnc):
    """A websocket client sees the connection end with no byte after the headers, as
    tempest's test_novnc_bad_token demands (an HTML error body reads as proxied data)."""
    server, auth = make_proxy()
    _grant(auth, vnc)
    with socket.create_connection(('127.0.0.1', server.port), timeout=10) as sock:
        sock.sendall(b'GET /?token=forged HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                     b'Upgrade: websocket\r\nConnection: Upgrade\r\n'
                     b'Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n'
                     b'Sec-WebSocket-Version: 13\r\n\r\n')
        received = b''
        while chunk := sock.recv(4096):
            received += chunk
    head, _, body = received.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 403') or head.startswith(b'HTTP/1.0 403'), head
    assert body == b''
