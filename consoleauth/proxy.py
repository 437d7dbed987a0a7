"""stratus-novncproxy's websocket proxy: serves noVNC, checks tokens with consoleauth, relays RFB."""
import datetime
import hashlib
import http.cookies
import http.server
import logging
import os
import socket
import socketserver
import threading
import time
import urllib.parse

from websockify import websocketproxy

from common import exception
from consoleauth import rpcapi as consoleauth_rpcapi
from rpc import client as rpc_client
from rpc import context as context_mod

LOG = logging.getLogger(__name__)
CONNECT_TIMEOUT = 5.0


class Refused(Exception):
    """A websocket upgrade that must not be proxied; carries the HTTP status to answer."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def token_ref(token):
    """A short, irreversible name for a token, the only form of it a log may show."""
    return hashlib.sha256(token.encode('utf-8', 'replace')).hexdigest()[:8]


def parse_token(path, cookie_header=None):
    """The console token of a request: ``?token=``, noVNC's ``?path=?token=``, or the cookie."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path or '').query)
    token = _first(query.get('token'))
    if not token and query.get('path'):
        inner = urllib.parse.urlsplit(_first(query['path']) or '').query
        token = _first(urllib.parse.parse_qs(inner).get('token'))
    if not token and cookie_header:
        cookies = http.cookies.SimpleCookie()
        try:
            cookies.load(cookie_header)
        except http.cookies.CookieError:
            return None
        token = cookies['token'].value if 'token' in cookies else None
    token = (token or '').strip()
    return token or None


def _first(values):
    return values[0] if values else None


def _hostname(netloc):
    """Lower-case host of ``host[:port]`` (IPv6 in brackets too), or None."""
    try:
        return urllib.parse.urlsplit('//' + netloc.strip()).hostname
    except ValueError:
        return None


def origin_allowed(origin, host_header, allowed_origins=()):
    """Whether a browser page at ``origin`` may open a console through this proxy.

    No Origin header: a non-browser client (browsers always send one on a websocket
    upgrade), so cross-site pages cannot use this path. Otherwise the Origin's host
    must be the host the client addressed or one of ``allowed_origins``.
    """
    if origin is None:
        return True
    if origin.strip().lower() == 'null':
        return False
    try:
        origin_host = urllib.parse.urlsplit(origin.strip()).hostname
    except ValueError:
        return False
    if not origin_host:
        return False
    allowed = {h.strip().lower() for h in allowed_origins if h.strip()}
    expected = _hostname(host_header) if host_header else None
    if expected:
        allowed.add(expected)
    return origin_host in allowed


def scheme_matches(origin, access_url_base):
    """A browser page must use the scheme of the console URL it was given (no http page
    driving an https console); nothing to compare passes."""
    if not origin or not access_url_base:
        return True
    try:
        origin_scheme = urllib.parse.urlsplit(origin.strip()).scheme.lower()
        base_scheme = urllib.parse.urlsplit(access_url_base).scheme.lower()
    except ValueError:
        return False
    return not base_scheme or origin_scheme == base_scheme


def expiry_epoch(value):
    """'expires' of a token (epoch seconds or ISO 8601) as epoch seconds, or None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


class ConsoleProxyHandler(websocketproxy.ProxyRequestHandler):
    """One client connection: a noVNC file, or a checked websocket relayed to a VNC server."""

    def translate_path(self, path):
        # SimpleHTTPRequestHandler serves the process's cwd unless told a directory.
        self.directory = self.server.web_dir
        return super().translate_path(path)

    def handle_upgrade(self):
        try:
            self._target, self._connect_info = self._admit()
        except Refused as refusal:
            self._refuse(refusal)
            return
        try:
            super().handle_upgrade()
        finally:
            self._close_target()

    def _refuse(self, refusal):
        """The status line says why; no body, then close. A websocket client (tempest's
        bad-token check, noVNC) must see the connection end without a byte of data."""
        # send_response logs the status through log_message, which drops the query.
        self.send_response(refusal.status, (refusal.reason.splitlines() or [''])[0])
        self.send_header('Content-Length', '0')
        self.send_header('Connection', 'close')
        self.end_headers()
        self.close_connection = True

    def _admit(self):
        """Check Origin and token; returns the connected target socket and the token's info."""
        if not origin_allowed(self.headers.get('Origin'), self.headers.get('Host'),
                              self.server.allowed_origins):
            raise Refused(403, 'Origin not allowed')
        token = parse_token(self.path, self.headers.get('Cookie'))
        if token is None:
            raise Refused(403, 'No console token')
        info = self._check(token)
        if not info:
            raise Refused(403, f'Invalid or expired console token {token_ref(token)}')
        if not scheme_matches(self.headers.get('Origin'), info.get('access_url_base')):
            raise Refused(403, 'Origin scheme does not match the console URL')
        try:
            target = socket.create_connection((info['host'], int(info['port'])),
                                              timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as exc:
            raise Refused(502, f'Console of instance {info.get("instance_uuid")} '
                               f'unreachable: {exc}') from exc
        target.settimeout(None)
        target.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return target, info

    def _check(self, token):
        ctxt = context_mod.admin_context()
        try:
            return self.server.consoleauth.check_token(ctxt, token)
        except (exception.ServiceUnavailable, rpc_client.CallTimeout) as exc:
            # A remote error's text carries the callee's traceback: its first line only.
            LOG.warning('check_token of %s: %s', token_ref(token),
                        (str(exc).splitlines() or [''])[0])
            raise Refused(503, 'Console authentication unavailable') from exc
        except Exception as exc:  # noqa: BLE001 - any failure refuses; the proxy lives on
            LOG.warning('check_token of %s failed: %s', token_ref(token), exc)
            raise Refused(503, 'Console authentication failed') from exc

    def new_websocket_client(self):
        """Relay between the websocket and the VNC server until either side closes."""
        info, target = self._connect_info, self._target
        self.log_message('console of instance %s: relaying to %s:%s',
                         info.get('instance_uuid'), info['host'], info['port'])
        self._expired = False
        timer = self._session_timer(target, expiry_epoch(info.get('expires')))
        try:
            self.do_proxy(target)
        except self.CClose:
            if self._expired:
                raise self.CClose(1000, 'Console session expired')
            raise
        except OSError as exc:
            raise self.CClose(1011, f'Console connection lost: {exc}')
        finally:
            if timer:
                timer.cancel()

    def _session_timer(self, target, expires):
        if not (self.server.enforce_session_timeout and expires):
            return None
        timer = threading.Timer(max(0.0, expires - time.time()), self._expire, (target,))
        timer.daemon = True
        timer.start()
        return timer

    def _expire(self, target):
        # Shutting the VNC side down wakes do_proxy, which then closes the websocket.
        self._expired = True
        self.log_message('console session of instance %s expired; closing',
                         self._connect_info.get('instance_uuid'))
        try:
            target.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _close_target(self):
        target, self._target = getattr(self, '_target', None), None
        if target:
            try:
                target.close()
            except OSError:
                pass

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        """Every line the handler or websockify logs, minus any query string (the token)."""
        text = (format % args) if args else format
        for secret in self._secrets():
            text = text.replace(secret, '<redacted>')
        LOG.info('%s %s', self.client_address[0] if self.client_address else '-', text)

    def _secrets(self):
        path = getattr(self, 'path', '') or ''
        secrets = [p for p in (path, getattr(self, 'requestline', '')) if '?' in p]
        secrets = [s.split('?', 1)[1] for s in secrets] + secrets
        token = parse_token(path, self.headers.get('Cookie') if getattr(
            self, 'headers', None) else None)
        if token:
            secrets.append(token)
            secrets.append(urllib.parse.quote(token, safe=''))
        return sorted({s for s in secrets if s}, key=len, reverse=True)

    def log_request(self, code='-', size='-'):
        # The request line carries the token; websockify's verbose mode would log it.
        pass


class ConsoleProxyServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """A threaded websockify proxy (no eventlet, no fork), started and stopped like a service."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    # What websockify's handler reads from its server.
    only_upgrade = False
    verbose = False
    daemon = False
    record = ''
    run_once = False
    handler_id = 0
    file_only = True
    traffic = False
    web_auth = False
    host_token = False
    token_plugin = None
    auth_plugin = None
    heartbeat = None
    ssl_target = None
    unix_target = None
    unix_listen = None
    wrap_cmd = None
    logger = LOG

    def __init__(self, conf, consoleauth, host=None, port=None):
        self.consoleauth = consoleauth
        self.web_dir = os.path.abspath(conf.vnc.novnc_web)
        self.only_upgrade = not os.path.isdir(self.web_dir)
        self.allowed_origins = list(conf.console.allowed_origins)
        self.enforce_session_timeout = conf.consoleauth.enforce_session_timeout
        super().__init__((conf.vnc.novncproxy_host if host is None else host,
                          conf.vnc.novncproxy_port if port is None else port),
                         ConsoleProxyHandler)
        self.host, self.port = self.server_address[:2]
        self._thread = None

    @classmethod
    def from_conf(cls, conf, transport, **kwargs):
        return cls(conf, consoleauth_rpcapi.ConsoleAuthAPI(conf, transport), **kwargs)

    @property
    def url(self):
        return f'http://{self.host}:{self.port}'

    def start(self):
        if self.only_upgrade:
            LOG.warning('noVNC web directory %s is missing: serving websockets only '
                        '(install the novnc package)', self.web_dir)
        self._thread = threading.Thread(target=self.serve_forever, name='novncproxy',
                                        kwargs={'poll_interval': 0.2}, daemon=True)
        self._thread.start()
        LOG.info('novncproxy listening on %s', self.url)

    def stop(self):
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def handle_error(self, request, client_address):
        # The stdlib prints a traceback to stderr; one redacted line is enough here.
        LOG.warning('console connection from %s ended with an error',
                    client_address[0] if client_address else '-', exc_info=True)
