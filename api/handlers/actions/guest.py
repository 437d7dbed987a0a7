"""Actions that talk to the guest through its host: os-getConsoleOutput and changePassword."""
import re

from api import wsgi
from api.handlers.actions import Spec
from api.handlers.actions import begin
from common import exception
from compute import states

CONSOLE_BODY = {'type': 'object', 'properties': {
    # -1 (or null, or no length) means the whole log, as in Nova.
    'length': {'type': ['integer', 'string', 'null'], 'pattern': '^-?[0-9]+$',
               'minimum': -1}},
    'additionalProperties': False}
PASSWORD_BODY = {'type': 'object', 'properties': {'adminPass': {'type': 'string'}},
                 'required': ['adminPass'], 'additionalProperties': False}
# Control characters other than tab and newline are dropped, as Nova does.
_CONTROL = re.compile('[\x00-\x08\x0b-\x1f]')


def _length(value):
    """The number of lines wanted, or None for all of them; below -1 is a 400."""
    if value is None:
        return None
    length = int(value)
    if length < -1:
        # The schema's minimum only binds numbers; the same rule for "-5".
        raise exception.Invalid(f'Invalid input for field/attribute length. Value: {value}.'
                                ' It must be -1 (all) or more.')
    return None if length == -1 else length


def _console_output(req, deps, instance, args):
    length = _length(args.get('length'))
    output = deps.compute_api.get_console_output(req.context, instance['host'], instance,
                                                 length)
    return wsgi.json_response({'output': _CONTROL.sub('', output)})


def _change_password(req, deps, instance, args):
    instance = begin(deps, instance, states.ACTIONS['changePassword'])
    # A call: a guest without an agent answers 409 here, not later in a fault.
    deps.compute_api.set_admin_password(req.context, instance['host'], instance,
                                        args['adminPass'])


SPECS = [
    Spec('os-getConsoleOutput', 'os-console-output', CONSOLE_BODY, _console_output,
         record=None),
    Spec('changePassword', 'os-admin-password', PASSWORD_BODY, _change_password),
]
