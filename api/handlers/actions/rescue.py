"""Actions that boot a server from other disks: rescue, unrescue, and rebuild from an image."""
import secrets

from api import build_request
from api import console_auth
from api import schemas
from api import wsgi
from api.handlers.actions import NO_ARGS
from api.handlers.actions import NULL
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import image_of
from api.handlers.actions import system_metadata
from api.schemas import servers as server_schemas
from api.views import servers as views
from compute import states
from db import images as images_db

RESCUE_BODY = {'oneOf': [NULL, {'type': 'object', 'properties': {
    'adminPass': {'type': 'string'},
    'rescue_image_ref': {'type': 'string', 'minLength': 1}},
    'additionalProperties': False}]}
REBUILD_BODY = {'type': 'object', 'properties': {
    'imageRef': {'type': 'string', 'minLength': 1},
    'name': schemas.NAME,
    'adminPass': {'type': 'string'},
    'metadata': server_schemas.CREATE['properties']['server']['properties']['metadata'],
    # There are no ephemeral disks to keep, so either value rebuilds the same way.
    'preserve_ephemeral': schemas.BOOLEAN,
    # Accepted as at create; no partition is ever grown, so the server shows MANUAL.
    'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']}},
    'required': ['imageRef'], 'additionalProperties': False}
# Before 2.75 Nova's rebuild answer leaves out the extended attributes of a show.
_NOT_IN_OLD_REBUILD = ('OS-EXT-', 'OS-SRV-USG:', 'os-extended-volumes:', 'host_status',
                       'security_groups', 'config_drive', 'key_name', 'server_groups')


def new_password():
    """A random admin password (12 characters, as Nova's default password_length)."""
    return secrets.token_urlsafe(9)


def _image(deps, ctxt, ref):
    """The image ``ref`` if the caller may boot it (visible, active), else a 400."""
    return build_request.resolve_image(deps.db, ctxt, {'imageRef': ref})


def _rescue(req, deps, instance, args):
    args = args or {}
    ref = (args.get('rescue_image_ref') or deps.conf.libvirt.rescue_image_id or
           instance['image_ref'])
    rescue_image = _image(deps, req.context, ref)
    image = image_of(deps, instance)
    # Remembered as Nova does, for whoever needs the state before the rescue.
    instance = begin(deps, instance, states.ACTIONS['rescue'], values={
        'system_metadata': system_metadata(instance, old_vm_state=instance['vm_state'])})
    deps.compute_api.rescue_instance(req.context, instance['host'], instance, image,
                                     images_db.for_compute(rescue_image))
    return wsgi.json_response({'adminPass': args.get('adminPass') or new_password()})


def _unrescue(req, deps, instance, args):
    instance = begin(deps, instance, states.ACTIONS['unrescue'], values={
        'system_metadata': system_metadata(instance, old_vm_state=None)})
    deps.compute_api.unrescue_instance(req.context, instance['host'], instance)


def _rebuild(req, deps, instance, args):
    ctxt = req.context
    image = _image(deps, ctxt, args['imageRef'])
    build_request.check_fit(instance['flavor'], image)
    started_from = instance['vm_state']
    values = {'image_ref': image['id']}
    if 'name' in args:
        values['display_name'] = args['name']
    if 'metadata' in args:
        values['metadata'] = args['metadata']  # replaces the old metadata, as in Nova
    instance = begin(deps, instance, states.ACTIONS['rebuild'], values=values)
    deps.compute_api.rebuild_instance(ctxt, instance['host'], instance,
                                      images_db.for_compute(image), started_from)
    console_auth.forget_tokens(deps, ctxt, instance['uuid'])
    base = deps.endpoint(req, '/compute')
    body = views.detail(instance, base, req.api_version, ctxt.is_admin)
    if req.api_version < (2, 75):
        body = {k: v for k, v in body.items() if not k.startswith(_NOT_IN_OLD_REBUILD)}
    body['adminPass'] = args.get('adminPass') or new_password()
    return wsgi.json_response({'server': body}, 202, {'Location': body['links'][0]['href']})


SPECS = [
    Spec('rescue', 'os-rescue', RESCUE_BODY, _rescue),
    Spec('unrescue', 'os-unrescue', NO_ARGS, _unrescue),
    Spec('rebuild', 'servers:rebuild', REBUILD_BODY, _rebuild),
]
