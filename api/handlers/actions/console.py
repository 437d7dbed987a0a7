"""The os-getVNCConsole action (up to 2.5; remote-consoles replaces it from 2.6)."""
from api import console_auth
from api import wsgi
from api.handlers.actions import Spec
from common import exception

VNC_BODY = {'type': 'object', 'properties': {
    'type': {'type': 'string', 'enum': ['novnc', 'xvpvnc']}},
    'required': ['type'], 'additionalProperties': False}


def _vnc_console(req, deps, instance, args):
    if args['type'] != 'novnc':
        raise exception.ConsoleTypeInvalid(console_type=args['type'])
    url = console_auth.vnc_console_url(req, deps, instance, args['type'])
    return wsgi.json_response({'console': {'type': args['type'], 'url': url}})


SPECS = [
    # A read: not recorded, no lock check; the row asks for a host.
    Spec('os-getVNCConsole', 'os-remote-consoles', VNC_BODY, _vnc_console, record=None,
         max_version=(2, 5)),
]
