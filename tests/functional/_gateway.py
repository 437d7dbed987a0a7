"""A gateway with the identity and image handlers over a migrated SQLite file, in-process."""
import json
import threading
import wsgiref.simple_server

import webob

from api import deps as deps_mod
from api import identity_store
from api import router
from api.handlers import identity as identity_handlers
from api.handlers import images as images_handlers
from conf import new_conf
from db import engine
from db import migration
from image import store as store_mod

USERS = ['admin:admin:admin:admin+member+reader',
         'alice:alice-pw:demo:member+reader',
         'bob:bob-pw:other:member+reader',
         'rita:rita-pw:demo:reader']


class Gateway:
    """The app plus helpers to call it with a JSON body and a token."""

    def __init__(self, tmp_path, users=None, public_endpoint=None):
        self.conf = new_conf(register_messaging=False)
        self.conf.set_override('users', users or USERS, group='identity')
        if public_endpoint:
            self.conf.set_override('public_endpoint', public_endpoint, group='api')
        self.db = engine.Database('sqlite:///' + str(tmp_path / 'stratus.sqlite'))
        migration.sync(self.db)
        self.store = store_mod.LocalStore(str(tmp_path / 'images'))
        self.deps = deps_mod.Deps(conf=self.conf, db=self.db, image_store=self.store,
                                  identity=identity_store.IdentityStore.from_conf(self.conf))
        self.app = router.App(self.deps, [identity_handlers, images_handlers])
        self._tokens = {}

    def call(self, method, path, token=None, json_body=None, body=None, headers=None):
        req = webob.Request.blank(path, method=method, headers=headers or {})
        if token:
            req.headers['X-Auth-Token'] = token
        if json_body is not None:
            req.body = json.dumps(json_body).encode()
            req.content_type = 'application/json'
        elif body is not None:
            req.body = body
            req.content_type = req.headers.get('Content-Type', 'application/octet-stream')
        return req.get_response(self.app)

    def token(self, name, password=None):
        """An X-Subject-Token for ``name`` (password defaults to the USERS convention)."""
        if name not in self._tokens:
            password = password or ('admin' if name == 'admin' else f'{name}-pw')
            resp = self.call('POST', '/identity/v3/auth/tokens', json_body=password_auth(
                name, password))
            assert resp.status_int == 201, resp.text
            self._tokens[name] = resp.headers['X-Subject-Token']
        return self._tokens[name]

    def close(self):
        self.db.dispose()


def password_auth(name, password, project=None):
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': name, 'domain': {'name': 'Default'}, 'password': password}}}}}
    if project:
        body['auth']['scope'] = {'project': {'name': project, 'domain': {'id': 'default'}}}
    return body


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """The app served by wsgiref on 127.0.0.1 in a daemon thread (for real clients)."""

    def __init__(self, app):
        self.httpd = wsgiref.simple_server.make_server(
            '127.0.0.1', 0, app, handler_class=_QuietHandler)
        self.url = f'http://127.0.0.1:{self.httpd.server_port}'
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
