"""VNC consoles through the API: remote-consoles, os-getVNCConsole, token lookup, revocation."""
import time
import urllib.parse

import pytest

from api import console_auth
from common import exception
from db import instances
from tests.functional.actions import driver_of
from tests.functional.client import SERVERS as S

TOKENS = '/compute/v2.1/os-console-auth-tokens'
NOVNC = {'remote_console': {'protocol': 'vnc', 'type': 'novnc'}}


def _v(version):
    return {'OpenStack-API-Version': f'compute {version}'}


def _remote(client, server_id, body=None, version='2.96'):
    return client.post(f'{S}/{server_id}/remote-consoles', json=NOVNC if body is None else body,
                       headers=_v(version))


def token_of(url):
    """The token in a console URL (noVNC's ?path=%3Ftoken%3D... convention)."""
    path = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)['path'][0]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)['token'][0]


def _new_token(client, server_id):
    resp = _remote(client, server_id)
    assert resp.status_code == 200, resp.text
    return token_of(resp.json()['remote_console']['url'])


def _lookup(admin, token, version='2.96'):
    return admin.get(f'{TOKENS}/{token}', headers=_v(version))


def _wait_revoked(admin, token, timeout=15):
    """The revocation is a cast: poll until the token is gone."""
    deadline = time.monotonic() + timeout
    while _lookup(admin, token).status_code != 404:
        assert time.monotonic() < deadline, 'the token was never revoked'
        time.sleep(0.05)


@pytest.fixture(scope='module')
def server(demo, image_id):
    server_id = demo.boot('vnc', image_id)
    yield server_id
    demo.delete_all([server_id])


def test_remote_console_url_carries_a_token_consoleauth_accepts(cloud, demo, admin, server):
    resp = _remote(demo, server)
    assert resp.status_code == 200, resp.text
    body = resp.json()['remote_console']
    assert (body['protocol'], body['type']) == ('vnc', 'novnc')
    base = cloud.conf.vnc.novncproxy_base_url
    assert body['url'].startswith(base + '?path=%3Ftoken%3D')
    token = token_of(body['url'])
    assert len(token) >= 22  # >= 128 random bits, url-safe base64
    found = _lookup(admin, token)
    assert found.status_code == 200, found.text
    port = driver_of(cloud, server).get_vnc_port({'uuid': server})
    assert found.json() == {'console': {'instance_uuid': server, 'host': '127.0.0.1',
                                        'port': port, 'internal_access_path': None}}
    # Every request mints a new token.
    assert _new_token(demo, server) != token


def test_token_lookup_is_for_admins_and_unknown_tokens_are_404(demo, admin, server):
    token = _new_token(demo, server)
    assert _lookup(demo, token).status_code == 403
    missing = _lookup(admin, 'x' + token)
    assert missing.status_code == 404 and 'itemNotFound' in missing.json()
    # Before 2.31 only RDP tokens could be shown (Nova), and there are none.
    assert _lookup(admin, token, '2.30').status_code == 400


@pytest.mark.parametrize('body', [
    {'remote_console': {'protocol': 'spice', 'type': 'spice-html5'}},
    {'remote_console': {'protocol': 'vnc', 'type': 'xvpvnc'}},
    {'remote_console': {'protocol': 'vnc', 'type': 'spice-html5'}},
    {'remote_console': {'protocol': 'telnet', 'type': 'novnc'}},
    {'remote_console': {'protocol': 'vnc'}},
    {'remote_console': {'protocol': 'vnc', 'type': 'novnc', 'extra': 1}},
    {'remote_console': 'vnc'},
    {'console': {'protocol': 'vnc', 'type': 'novnc'}},
    [],
])
def test_bad_bodies_are_400(demo, server, body):
    resp = _remote(demo, server, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()['badRequest']['code'] == 400


def test_not_json_is_400_and_old_microversion_404(demo, server):
    resp = demo.post(f'{S}/{server}/remote-consoles', data='{', headers=_v('2.96'))
    assert resp.status_code == 400
    assert _remote(demo, server, version='2.5').status_code == 404


def test_other_project_and_missing_server_are_404(alt, demo, server):
    assert _remote(alt, server).status_code == 404
    assert _remote(demo, '00000000-0000-4000-8000-000000000000').status_code == 404
    assert alt.action(server, {'os-getVNCConsole': {'type': 'novnc'}},
                      version='2.5').status_code == 404


def test_old_action_up_to_2_5(demo, admin, server):
    resp = demo.action(server, {'os-getVNCConsole': {'type': 'novnc'}}, version='2.5')
    assert resp.status_code == 200, resp.text
    console = resp.json()['console']
    assert console['type'] == 'novnc'
    assert _lookup(admin, token_of(console['url'])).status_code == 200
    assert demo.action(server, {'os-getVNCConsole': {'type': 'xvpvnc'}},
                       version='2.5').status_code == 400
    assert demo.action(server, {'os-getVNCConsole': {}}, version='2.1').status_code == 400
    # From 2.6 remote-consoles replaces it.
    gone = demo.action(server, {'os-getVNCConsole': {'type': 'novnc'}}, version='2.6')
    assert gone.status_code in (400, 404), gone.text


def test_stopped_server_has_no_console(demo, image_id):
    with demo.booted('vnc-stop', image_id) as server_id:
        demo.accepted(server_id, {'os-stop': None})
        demo.wait_status(server_id, {'SHUTOFF'})
        resp = _remote(demo, server_id)
        assert resp.status_code == 409, resp.text
        assert 'not running' in resp.json()['conflictingRequest']['message']
        old = demo.action(server_id, {'os-getVNCConsole': {'type': 'novnc'}}, version='2.5')
        assert old.status_code == 409


def test_server_without_host_is_409(cloud, demo, image_id):
    with demo.booted('vnc-nohost', image_id) as server_id:
        demo.accepted(server_id, {'shelve': None})
        demo.wait_status(server_id, {'SHELVED_OFFLOADED'})
        assert instances.get(cloud.db, server_id)['host'] is None
        assert _remote(demo, server_id).status_code == 409
        assert demo.action(server_id, {'os-getVNCConsole': {'type': 'novnc'}},
                           version='2.5').status_code == 409


def test_shelve_revokes_tokens(demo, admin, image_id):
    with demo.booted('vnc-shelve', image_id) as server_id:
        token = _new_token(demo, server_id)
        demo.accepted(server_id, {'shelve': None})
        _wait_revoked(admin, token)


def test_rebuild_revokes_tokens(cloud, demo, admin, image_id):
    with demo.booted('vnc-rebuild', image_id) as server_id:
        token = _new_token(demo, server_id)
        port = driver_of(cloud, server_id).get_vnc_port({'uuid': server_id})
        demo.act(server_id, {'rebuild': {'imageRef': image_id}})
        demo.wait_status(server_id, {'ACTIVE'})
        demo.wait_idle(server_id)
        _wait_revoked(admin, token)
        # Same guest port after the rebuild: only the revocation stops the old token.
        assert driver_of(cloud, server_id).get_vnc_port({'uuid': server_id}) == port
        assert _lookup(admin, _new_token(demo, server_id)).status_code == 200


def test_delete_revokes_tokens(demo, admin, image_id):
    server_id = demo.boot('vnc-delete', image_id)
    token = _new_token(demo, server_id)
    assert demo.delete(f'{S}/{server_id}').status_code == 204
    _wait_revoked(admin, token)
    demo.wait_status(server_id, {'DELETED'})


def test_force_delete_revokes_tokens(cloud, demo, admin, image_id):
    server_id = demo.boot('vnc-force', image_id)
    token = _new_token(demo, server_id)
    demo.act(server_id, {'forceDelete': None})
    _wait_revoked(admin, token)
    demo.wait_status(server_id, {'DELETED'})


def test_consoleauth_down_is_503(cloud, demo, server):
    class Down:
        def authorize_console(self, *args, **kwargs):
            raise exception.ServiceUnavailable(what='The console token store',
                                               reason='memcached does not answer')

    deps = cloud.api.server.app.deps
    real, deps.consoleauth_api = deps.consoleauth_api, Down()
    try:
        resp = _remote(demo, server)
    finally:
        deps.consoleauth_api = real
    assert resp.status_code == 503, resp.text
    assert 'memcached does not answer' in resp.text


def test_api_log_never_holds_a_token(admin, demo, server, caplog):
    token = _new_token(demo, server)
    with caplog.at_level('DEBUG'):
        assert _lookup(admin, token).status_code == 200
    # urllib3 is this test's own HTTP client, which logs the URL it sends.
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith('urllib3')]
    assert any('os-console-auth-tokens/***' in line for line in lines)
    assert not [line for line in lines if token in line]
    assert console_auth.redact(f'{TOKENS}/{token}') == f'{TOKENS}/***'
