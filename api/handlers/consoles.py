"""/servers/{id}/remote-consoles (2.6+) and the admin's /os-console-auth-tokens/{token}."""
from api import console_auth
from api import policy
from api import schemas
from api import wsgi
from api.handlers import servers as server_handlers
from common import exception
from rpc import client as rpc_client

PREFIX = '/compute/v2.1/servers/{server_id}/remote-consoles'
TOKENS = '/compute/v2.1/os-console-auth-tokens/{console_token}'
MIN_VERSION = (2, 6)
# 2.31: any console's token may be shown; before, only RDP ones (none exist here).
TOKENS_ANY_TYPE = (2, 31)
# Nova's names, so a request for a console kind we lack is a 400 that says so.
PROTOCOLS = ['vnc', 'spice', 'rdp', 'serial', 'mks']
TYPES = ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'spice-direct', 'serial', 'webmks']
CREATE = {'type': 'object', 'properties': {'remote_console': {
    'type': 'object',
    'properties': {'protocol': {'type': 'string', 'enum': PROTOCOLS},
                   'type': {'type': 'string', 'enum': TYPES}},
    'required': ['protocol', 'type'], 'additionalProperties': False}},
    'required': ['remote_console'], 'additionalProperties': False}


def create(req, deps, server_id):
    if req.api_version < MIN_VERSION:
        raise exception.NotFound('The resource could not be found.')
    body = schemas.validate(CREATE, req.json_body_or_400())['remote_console']
    instance = server_handlers.get_instance(req, deps, server_id)
    policy.authorize(req.context, 'os-remote-consoles')
    protocol, console_type = body['protocol'], body['type']
    if protocol != 'vnc':
        raise exception.Invalid(f'Unavailable console type {console_type}.')
    if console_type != 'novnc':
        raise exception.ConsoleTypeInvalid(console_type=console_type)
    url = console_auth.vnc_console_url(req, deps, instance, console_type)
    return wsgi.json_response({'remote_console': {'protocol': protocol,
                                                  'type': console_type, 'url': url}})


def show_token(req, deps, console_token):
    policy.authorize(req.context, 'os-console-auth-tokens')
    if deps.consoleauth_api is None:
        raise exception.InvalidToken()
    try:
        info = deps.consoleauth_api.check_token(req.context, console_token)
    except rpc_client.CallTimeout as exc:
        raise exception.ServiceUnavailable(what='The console authentication service',
                                           reason='it did not answer in time') from exc
    if not info:
        raise exception.InvalidToken()
    if req.api_version < TOKENS_ANY_TYPE and info.get('console_type') != 'rdp-html5':
        raise exception.Invalid('The requested console type details are not accessible.')
    return wsgi.json_response({'console': {
        key: info.get(key) for key in ('instance_uuid', 'host', 'port',
                                       'internal_access_path')}})


ROUTES = [
    ('POST', PREFIX, create),
    ('GET', TOKENS, show_token),
]
