"""The gateway's WSGI app: route table, authentication, microversions, error mapping."""
import logging
import time

import routes

from api import auth
from api import console_auth
from api import microversion
from api import tokens
from api import wsgi
from rpc import context as context_mod

LOG = logging.getLogger(__name__)
COMPUTE_PREFIX = '/compute/v2.1'


def public(func):
    """Mark a handler that needs no token (version documents, token issue)."""
    func.public = True
    return func


def _log_path(req):
    try:
        return console_auth.redact(req.path)
    except UnicodeDecodeError:  # not UTF-8: log the raw bytes instead
        return console_auth.redact(repr(req.environ.get('PATH_INFO', '')))


def _legacy_v2(path):
    """(path, legacy): /compute/v2/... is served by the v2.1 routes at microversion 2.1."""
    if path.startswith('/compute/v2/'):
        return COMPUTE_PREFIX + path[len('/compute/v2'):], True
    return path, False


class App:
    """WSGI app over handler modules; each module has ROUTES = [(method, path, func)]."""

    def __init__(self, deps, handler_modules):
        self.deps = deps
        self.auth = auth.Authenticator(deps.conf)
        self.mapper = routes.Mapper()
        self._handlers = {}
        self._compute_collections = set()
        for module in handler_modules:
            for method, path, func in module.ROUTES:
                name = f'{method} {path}'
                self._handlers[name] = func
                self.mapper.connect(name, path, conditions={'method': [method]})
                if path.startswith(COMPUTE_PREFIX + '/'):
                    self._compute_collections.add(path[len(COMPUTE_PREFIX) + 1:].split('/')[0])

    def __call__(self, environ, start_response):
        req = wsgi.Request(environ)
        started = time.monotonic()
        resp = self._handle(req)
        ctx = req.context
        token = ctx.bind() if ctx else None
        try:
            LOG.info('%s %s status %s len %s time %.4f', req.method, _log_path(req),
                     resp.status_int, resp.content_length, time.monotonic() - started)
        finally:
            if token is not None:
                context_mod.unbind(token)
        if ctx is not None:
            resp.headers['X-OpenStack-Request-Id'] = ctx.request_id
            resp.headers['X-Compute-Request-Id'] = ctx.request_id
        return resp(environ, start_response)

    def _handle(self, req):
        try:
            path_info = req.path_info
            req.GET  # noqa: B018 - decode (and cache) the query string here
        except UnicodeDecodeError:
            return wsgi.error_response(400, 'The request URL is not valid UTF-8.')
        path, legacy = _legacy_v2(path_info.rstrip('/') or '/')
        path, url_project = self._strip_project(path)
        is_compute = path.startswith(COMPUTE_PREFIX)
        req.legacy_v2 = legacy
        try:
            found = self.mapper.routematch(path, environ={'REQUEST_METHOD': req.method})
            if not found:
                return self._no_route(req, path)
            match, route = found
            return self._dispatch(req, self._handlers[route.name], dict(match), url_project,
                                  is_compute)
        except tokens.InvalidToken as exc:
            resp = self._unauthorized(req, exc)
        except Exception as exc:  # noqa: BLE001 - every error becomes an error body
            resp = wsgi.from_exception(exc)
        if is_compute and req.api_version and not legacy:
            resp.headers.update(microversion.response_headers(req.api_version))
        return resp

    def _dispatch(self, req, func, match, url_project, is_compute):
        kwargs = {k: v for k, v in match.items() if k not in ('controller', 'action')}
        if is_compute:
            # /v2 is v2.1 without microversions, as Nova serves it.
            req.api_version = (microversion.MIN_VERSION if req.legacy_v2
                               else microversion.parse(req.headers))
        if not getattr(func, 'public', False):
            req.context = self.auth.context_for(req, url_project)
        token = req.context.bind() if req.context else None
        try:
            resp = func(req, self.deps, **kwargs)
        finally:
            if token is not None:
                context_mod.unbind(token)
        if is_compute and req.api_version and not req.legacy_v2:
            resp.headers.update(microversion.response_headers(req.api_version))
        return resp

    def _unauthorized(self, req, exc):
        """A missing or bad token: keystonemiddleware's 401 body and WWW-Authenticate."""
        body = {'error': {'code': 401, 'title': 'Unauthorized', 'message': str(exc)}}
        uri = self.deps.endpoint(req, '/identity')
        return wsgi.json_response(body, 401, {'WWW-Authenticate': f'Keystone uri="{uri}"'})

    def _strip_project(self, path):
        """Drop a project id from /compute/v2.1/<project_id>/<collection>/... (endpoint
        overrides send one). Only a segment followed by a known collection is taken for a
        project id, so an unknown path such as /compute/v2.1/limits stays a 404."""
        if not path.startswith(COMPUTE_PREFIX + '/'):
            return path, None
        rest = path[len(COMPUTE_PREFIX) + 1:]
        first, _, tail = rest.partition('/')
        if (first and first not in self._compute_collections
                and tail.split('/')[0] in self._compute_collections):
            return f'{COMPUTE_PREFIX}/{tail}', first
        return path, None

    def _no_route(self, req, path):
        for method in ('GET', 'POST', 'PUT', 'DELETE', 'PATCH'):
            # routematch, not match: match() gives {} (falsy) for a route without variables.
            if method != req.method and self.mapper.routematch(
                    path, environ={'REQUEST_METHOD': method}):
                return wsgi.error_response(405, f'The method {req.method} is not allowed '
                                                f'for this resource.')
        return wsgi.error_response(404, 'The resource could not be found.')
