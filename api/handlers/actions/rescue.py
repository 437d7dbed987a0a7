"""Actions that boot a server from other disks: rescue, unrescue, and rebuild from an image."""
import secrets

from api import build_request
from api import console_auth
from api import schemas
from api import server_fields
from api import wsgi
from api.handlers import servers as server_handlers
from api.handlers.actions import NO_ARGS
from api.handlers.actions import NULL
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import image_of
from api.handlers.actions import system_metadata
from api.schemas import servers as server_schemas
from api.views import servers as views
from common import exception
from compute import states
from db import images as images_db
from db import keypairs

RESCUE_BODY = {'oneOf': [NULL, {'type': 'object', 'properties': {
    'adminPass': {'type': 'string'},
    'rescue_image_ref': {'type': 'string', 'minLength': 1}},
    'additionalProperties': False}]}
_REBUILD_PROPS = {
    'imageRef': {'type': 'string', 'minLength': 1},
    'name': schemas.NAME,
    'adminPass': {'type': 'string'},
    'metadata': server_schemas.CREATE['properties']['server']['properties']['metadata'],
    # There are no ephemeral disks to keep, so either value rebuilds the same way.
    'preserve_ephemeral': schemas.BOOLEAN,
    # Kept in system_metadata and shown; no partition is ever grown.
    'OS-DCF:diskConfig': server_fields.DISK_CONFIG,
    'accessIPv4': {'type': 'string'}, 'accessIPv6': {'type': 'string'},
}
# (since, key, schema): the rebuild body's keys by microversion.
_VERSIONED_PROPS = (
    ((2, 1), 'personality', {'type': 'array'}),  # ignored; gone at 2.57
    ((2, 19), 'description', server_fields.DESCRIPTION),
    ((2, 54), 'key_name', {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}),
    # 2.57: user data replaces personality files (base64, as at create).
    ((2, 57), 'user_data', {'type': ['string', 'null'], 'maxLength': 65535}),
    # No certificate validation here: only null (no certificates) is accepted.
    ((2, 63), 'trusted_image_certificates', {'type': 'null'}),
    ((2, 90), 'hostname', {'type': 'string', 'minLength': 1, 'maxLength': 255}),
)


def rebuild_body(version):
    """The rebuild action's body schema at microversion ``version``."""
    props = dict(_REBUILD_PROPS)
    for since, key, schema in _VERSIONED_PROPS:
        if version >= since and not (key == 'personality' and version >= (2, 57)):
            props[key] = schema
    return {'type': 'object', 'properties': props, 'required': ['imageRef'],
            'additionalProperties': False}


USER_DATA_VERSION = (2, 57)
# Before 2.75 Nova's rebuild answer leaves out the extended attributes of a show.
_NOT_IN_OLD_REBUILD = ('OS-EXT-', 'OS-SRV-USG:', 'os-extended-volumes:', 'host_status',
                       'security_groups', 'config_drive')
KEY_NAME_VERSION = (2, 54)


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


def _rebuild_values(req, deps, instance, args, image):
    """The instance columns a rebuild with ``args`` sets."""
    values = {'image_ref': image['id'], **server_fields.values(args, req.api_version)}
    if 'name' in args:
        values['display_name'] = args['name']
    if 'metadata' in args:
        values['metadata'] = args['metadata']  # replaces the old metadata, as in Nova
    if 'key_name' in args:
        values.update(_key(deps, req.context, args['key_name']))
    meta = server_fields.with_disk_config(instance, args) or dict(
        instance.get('system_metadata') or {})
    if 'user_data' in args:
        meta['user_data'] = args['user_data']
    values['system_metadata'] = {k: v for k, v in meta.items() if v is not None}
    return values


def _key(deps, ctxt, name):
    """2.54: the caller's keypair ``name`` for the rebuilt server; None unsets it."""
    if name is None:
        return {'key_name': None, 'key_data': None}
    try:
        keypair = keypairs.get(deps.db, ctxt.user_id, name)
    except keypairs.KeypairNotFound:
        raise exception.Invalid('Invalid key_name provided.') from None
    return {'key_name': name, 'key_data': keypair['public_key']}


def _check_rebuild(req, deps, instance, args):
    if 'hostname' in args:
        raise exception.Invalid('Setting hostname at rebuild is not supported.')
    if args.get('key_name') is not None:
        _key(deps, req.context, args['key_name'])  # a 400 before anything is recorded
    return args


def _rebuild(req, deps, instance, args):
    ctxt = req.context
    image = _image(deps, ctxt, args['imageRef'])
    build_request.check_fit(instance['flavor'], image)
    started_from = instance['vm_state']
    values = _rebuild_values(req, deps, instance, args, image)
    instance = begin(deps, instance, states.ACTIONS['rebuild'], values=values)
    deps.compute_api.rebuild_instance(ctxt, instance['host'], instance,
                                      images_db.for_compute(image), started_from)
    console_auth.forget_tokens(deps, ctxt, instance['uuid'])
    body = rebuild_view(req, deps, instance)
    body['adminPass'] = args.get('adminPass') or new_password()
    return wsgi.json_response({'server': body}, 202, {'Location': body['links'][0]['href']})


def rebuild_view(req, deps, instance):
    """Nova's rebuild answer: the basic server body before 2.75, a show's after; key_name
    from 2.54, user_data from 2.57 (in place of OS-EXT-SRV-ATTR:user_data)."""
    version = req.api_version
    instance = server_handlers.with_tags(deps, instance, version)
    body = views.detail(instance, deps.endpoint(req, '/compute'), version,
                        req.context.is_admin,
                        server_groups=server_handlers.groups_for_view(deps, instance, version))
    if version < (2, 75):
        body = {k: v for k, v in body.items() if not k.startswith(_NOT_IN_OLD_REBUILD)}
        if version < KEY_NAME_VERSION:
            body.pop('key_name', None)
    body.pop('OS-EXT-SRV-ATTR:user_data', None)
    if version >= USER_DATA_VERSION:
        body['user_data'] = (instance.get('system_metadata') or {}).get('user_data')
    return body


SPECS = [
    Spec('rescue', 'os-rescue', RESCUE_BODY, _rescue),
    Spec('unrescue', 'os-unrescue', NO_ARGS, _unrescue),
    Spec('rebuild', 'servers:rebuild', rebuild_body, _rebuild, prepare=_check_rebuild),
]
