"""The gateway's console-token helpers: the noVNC URL, revocation that never fails, redaction."""
import logging
import urllib.parse

from api import console_auth
from api import deps as api_deps


def test_access_url_follows_vnc_lite_convention():
    url = console_auth.access_url('http://proxy:6080/vnc_lite.html', 'a-b_c')
    assert url == 'http://proxy:6080/vnc_lite.html?path=%3Ftoken%3Da-b_c'


def test_access_url_keeps_a_query_in_the_base():
    url = console_auth.access_url('https://h/vnc.html?autoconnect=1&x=y#frag', 'T0k')
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    assert query == {'autoconnect': ['1'], 'x': ['y'], 'path': ['?token=T0k']}
    assert parts.fragment == 'frag' and parts.path == '/vnc.html'


class _Recorder:
    def __init__(self, error=None):
        self.calls = []
        self.error = error

    def delete_tokens_for_instance(self, ctxt, uuid):
        self.calls.append(uuid)
        if self.error:
            raise self.error


def test_forget_tokens_casts_and_survives_failure(caplog):
    ok = _Recorder()
    console_auth.forget_tokens(api_deps.Deps(conf=None, db=None, consoleauth_api=ok),
                               None, 'u1')
    assert ok.calls == ['u1']
    broken = _Recorder(ConnectionError('broker gone'))
    with caplog.at_level(logging.WARNING):
        console_auth.forget_tokens(api_deps.Deps(conf=None, db=None, consoleauth_api=broken),
                                   None, 'u2')
    assert broken.calls == ['u2'] and 'u2' in caplog.text
    # No consoleauth configured: nothing to do, nothing raised.
    console_auth.forget_tokens(api_deps.Deps(conf=None, db=None), None, 'u3')


def test_redact_hides_the_token_only():
    path = '/compute/v2.1/os-console-auth-tokens/SECRET'
    assert console_auth.redact(path) == '/compute/v2.1/os-console-auth-tokens/***'
    assert console_auth.redact('/compute/v2.1/servers') == '/compute/v2.1/servers'
