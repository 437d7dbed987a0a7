"""Power actions: reboot, stop/start, pause/unpause, suspend/resume, and the admin's resetState."""
from api.handlers.actions import NO_ARGS
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import image_of
from compute import states
from db import instances

REBOOT_BODY = {'type': 'object', 'properties': {
    'type': {'type': 'string', 'pattern': '^([Hh][Aa][Rr][Dd]|[Ss][Oo][Ff][Tt])$'}},
    'required': ['type'], 'additionalProperties': False}
RESET_BODY = {'type': 'object', 'properties': {
    'state': {'type': 'string', 'enum': ['active', 'error']}},
    'required': ['state'], 'additionalProperties': False}


def _reboot_row(args):
    return 'reboot_hard' if str(args.get('type', '')).upper() == 'HARD' else 'reboot'


def _reboot(req, deps, instance, args):
    reboot_type = args['type'].upper()
    row = states.ACTIONS[_reboot_row(args)]
    instance = begin(deps, instance, row)
    deps.compute_api.reboot_instance(req.context, instance['host'], instance,
                                     image_of(deps, instance), reboot_type)


def _simple(name, method, with_image=False):
    """An action whose cast carries only the instance (and maybe its image)."""
    def act(req, deps, instance, args):
        instance = begin(deps, instance, states.ACTIONS[name])
        cast = getattr(deps.compute_api, method)
        if with_image:
            cast(req.context, instance['host'], instance, image_of(deps, instance))
        else:
            cast(req.context, instance['host'], instance)
    act.__name__ = method
    return act


def _reset_state(req, deps, instance, args):
    # Saved as-is: the admin says what the state is; nothing runs on the host.
    instances.update(deps.db, instance['uuid'],
                     {'vm_state': args['state'], 'task_state': None})


SPECS = [
    Spec('reboot', 'servers:reboot', REBOOT_BODY, _reboot, row=_reboot_row),
    Spec('os-stop', 'servers:stop', NO_ARGS, _simple('os-stop', 'stop_instance'), record='stop'),
    Spec('os-start', 'servers:start', NO_ARGS,
         _simple('os-start', 'start_instance', with_image=True), record='start'),
    Spec('pause', 'os-pause-server:pause', NO_ARGS, _simple('pause', 'pause_instance')),
    Spec('unpause', 'os-pause-server:unpause', NO_ARGS, _simple('unpause', 'unpause_instance')),
    Spec('suspend', 'os-suspend-server:suspend', NO_ARGS, _simple('suspend', 'suspend_instance')),
    Spec('resume', 'os-suspend-server:resume', NO_ARGS,
         _simple('resume', 'resume_instance', with_image=True)),
    Spec('os-resetState', 'os-admin-actions:reset_state', RESET_BODY, _reset_state,
         record='resetState'),
]
