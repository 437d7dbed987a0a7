"""Evacuate (admin): rebuild the server of a host whose compute service is down on another
host, from the disk when the two share instance storage, else from the image.

Refused at once: a source compute that is still up (409: fence it with os-services
force-down first), a named host that is the source (400) or unknown (404).
"""
import secrets

from api import schemas
from api import wsgi
from api.handlers.actions import Spec
from api.handlers.actions import begin
from common import exception
from compute import states
from db import compute_nodes
from db import instance_migrations
from db import instances
from db import services

COMPUTE_BINARY = 'stratus-compute'
_HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_PASS = {'type': 'string'}
SHARED_UNTIL = (2, 13)          # onSharedStorage is asked for, then detected
FORCE_VERSIONS = ((2, 29), (2, 67))
STOPPED_FROM = (2, 95)          # the evacuated server is left stopped


def body_schema(version):
    props = {'host': _HOST, 'adminPass': _PASS}
    required = []
    if version <= SHARED_UNTIL:
        props['onSharedStorage'] = schemas.BOOLEAN
        required.append('onSharedStorage')
    if FORCE_VERSIONS[0] <= version <= FORCE_VERSIONS[1]:
        props['force'] = schemas.BOOLEAN
    return {'type': 'object', 'properties': props, 'required': required,
            'additionalProperties': False}


def _prepare(req, deps, instance, args):
    if not deps.conductor_api.can_resize():
        raise exception.Conflict('Evacuate is not available while [upgrade_levels] caps the '
                                 'conductor below 1.3.')
    found = services.list_(deps.db, host=instance['host'], binary=COMPUTE_BINARY)
    if found and services.is_up(found[0], deps.services_down_time):
        raise exception.Conflict(f'Compute service of {instance["host"]} is still in use.')
    host = args.get('host')
    if host is not None:
        if host == instance['host']:
            raise exception.Invalid(f'The target host {host} is the host the server runs '
                                    'on; evacuate needs another one.')
        if not compute_nodes.list_(deps.db, host=host):
            raise exception.NotFound(f'Compute host {host} not found.')
    shared = args.get('onSharedStorage')
    return {'host': host, 'force': host is not None and schemas.to_bool(args.get('force', False)),
            'shared': None if shared is None else schemas.to_bool(shared),
            'admin_pass': args.get('adminPass'),
            'stop': req.api_version >= STOPPED_FROM or instance['vm_state'] == states.STOPPED}


def _evacuate(req, deps, instance, args):
    ctxt = req.context
    source = instance['host']
    instance = begin(deps, instance, states.ACTIONS['evacuate'])
    migration = None
    try:
        migration = instance_migrations.create(deps.db, {
            'instance_uuid': instance['uuid'], 'migration_type': 'evacuation',
            'source_compute': source, 'source_node': instance['node'],
            'dest_compute': args['host'], 'status': 'accepted',
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id})
        deps.conductor_api.evacuate_server(ctxt, instance['uuid'], migration['uuid'],
                                           args['host'], args['force'], args['shared'],
                                           args['stop'])
    except Exception:
        if migration is not None:
            instance_migrations.update(deps.db, migration['uuid'], {'status': 'error'})
        instances.update(deps.db, instance['uuid'], {'task_state': None},
                         expected_task_state=states.REBUILDING)
        raise
    if req.api_version <= SHARED_UNTIL:
        # Nova answers the password the guest gets (no guest agent here sets it).
        return wsgi.json_response({'adminPass': args['admin_pass'] or
                                   secrets.token_urlsafe(9)}, 200)
    return wsgi.json_response(None, 200)


SPECS = [Spec('evacuate', 'os-evacuate', body_schema, _evacuate, prepare=_prepare)]
