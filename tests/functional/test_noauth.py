"""noauth mode: the "user:project" token convention and a project id in the URL."""
import json

import pytest
import webob

from api import handlers
from api import router


@pytest.fixture
def noauth_app(cloud):
    deps = cloud.api.server.app.deps
    cloud.conf.set_override('auth_strategy', 'noauth', group='api')
    try:
        app = router.App(deps, handlers.ALL)
    finally:
        cloud.conf.clear_override('auth_strategy', group='api')
    return app


def call(app, method, path, token, body=None):
    req = webob.Request.blank(path, method=method, headers={'X-Auth-Token': token})
    if body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    resp = req.get_response(app)
    return resp.status_int, (json.loads(resp.body) if resp.body else None)


def test_notused_token_is_admin(noauth_app):
    status, body = call(noauth_app, 'GET', '/compute/v2.1/os-services', 'notused')
    assert status == 200 and body['services']


def test_user_project_token_scopes_to_that_project(noauth_app, image_id):
    body = {'server': {'name': 'noauth-vm', 'imageRef': image_id, 'flavorRef': '42',
                       'networks': 'none'}}
    status, created = call(noauth_app, 'POST', '/compute/v2.1/servers', 'bob:proj-x', body)
    assert status == 202
    server_id = created['server']['id']
    status, shown = call(noauth_app, 'GET', f'/compute/v2.1/servers/{server_id}', 'bob:proj-x')
    assert status == 200 and shown['server']['tenant_id'] == 'proj-x'
    assert call(noauth_app, 'GET', f'/compute/v2.1/servers/{server_id}', 'eve:proj-y')[0] == 404
    status, _ = call(noauth_app, 'GET', '/compute/v2.1/os-services', 'bob:proj-x')
    assert status == 403
    # SDK-style endpoint override: the project comes from the URL.
    status, listed = call(noauth_app, 'GET', '/compute/v2.1/proj-x/servers', 'bob')
    assert status == 200 and server_id in [s['id'] for s in listed['servers']]
    assert call(noauth_app, 'DELETE', f'/compute/v2.1/servers/{server_id}', 'bob:proj-x')[0] == 204
