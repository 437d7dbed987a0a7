"""Snapshot actions: createImage and createBackup record a queued image, then cast the copy.

The image record exists before the compute starts, so the caller gets its id at
once (a Location header before microversion 2.45, {"image_id"} from 2.45 on) and
can watch it go queued -> saving -> active.
"""
from api import schemas
from api import wsgi
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import system_metadata
from common import exception
from compute import states
from db import images

# Nova's metadata parameter type (Draft 4 has no propertyNames: keys by pattern).
METADATA = {'type': 'object', 'maxProperties': 128,
            'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {
                'type': 'string', 'maxLength': 255}},
            'additionalProperties': False}
CREATE_IMAGE_BODY = {'type': 'object', 'properties': {
    'name': schemas.NAME, 'metadata': METADATA},
    'required': ['name'], 'additionalProperties': False}
CREATE_BACKUP_BODY = {'type': 'object', 'properties': {
    'name': schemas.NAME, 'backup_type': {'type': 'string'},
    'rotation': schemas.NON_NEGATIVE_INT, 'metadata': METADATA},
    'required': ['name', 'backup_type', 'rotation'], 'additionalProperties': False}

# Base-image properties a guest needs to boot the same way from the snapshot.
_INHERIT_PREFIXES = ('hw_', 'img_', 'os_')
_INHERIT_KEYS = frozenset({'architecture', 'hypervisor_type', 'vm_mode', 'auto_disk_config',
                           'kernel_id', 'ramdisk_id'})
# Never inherited: signatures and Glance's own bookkeeping describe the base's bytes only.
_NEVER_PREFIXES = ('img_signature', 'os_glance', 'os_hash', 'os_hidden')
FIRST_IMAGE_ID_VERSION = (2, 45)


def _inherited(base):
    props = (base or {}).get('properties') or {}
    return {key: value for key, value in props.items()
            if isinstance(value, str)
            and (key in _INHERIT_KEYS or key.startswith(_INHERIT_PREFIXES))
            and not key.startswith(_NEVER_PREFIXES)}


def _base_image(deps, instance):
    try:
        return images.get(deps.db, instance['image_ref']) if instance.get('image_ref') else None
    except exception.ImageNotFound:
        return None  # deleted since the boot: the snapshot just inherits nothing


def new_image(deps, ctxt, instance, name, metadata, **system):
    """A queued, private snapshot image of ``instance`` owned by its project.

    ``system`` properties (backup_type) win over the user's metadata, so no request can
    point an image at another instance; image_type is the user's if given, as in Nova.
    """
    base = _base_image(deps, instance)
    properties = _inherited(base)
    properties['image_type'] = system.pop('image_type')
    properties.update(metadata or {})
    properties.update(system, instance_uuid=instance['uuid'], user_id=ctxt.user_id,
                      base_image_ref=instance.get('image_ref') or '')
    min_disk = max(instance.get('root_gb') or 0, (base or {}).get('min_disk') or 0)
    return images.create(deps.db, {
        'name': name, 'status': 'queued', 'visibility': 'private',
        'owner': instance['project_id'], 'disk_format': 'qcow2',
        'container_format': 'bare', 'min_disk': min_disk,
        'min_ram': (base or {}).get('min_ram') or 0, 'properties': properties})


def _begin(deps, instance, row, image):
    """Into the row's task_state; a lost race leaves no orphan image behind."""
    try:
        # The image id is remembered so a compute restarted mid-snapshot can drop it.
        return begin(deps, instance, row, values={'system_metadata': system_metadata(
            instance, snapshot_image_id=image['id'])})
    except exception.Conflict:
        images.delete(deps.db, image['id'])
        raise


def _accepted(req, deps, image_id, location=True):
    if req.api_version >= FIRST_IMAGE_ID_VERSION:
        return wsgi.json_response({'image_id': image_id}, 202)
    headers = {'Location': deps.endpoint(req, f'/image/v2/images/{image_id}')} \
        if location else None
    return wsgi.json_response(None, 202, headers=headers)


def _create_image(req, deps, instance, args):
    image = new_image(deps, req.context, instance, args['name'], args.get('metadata'),
                      image_type='snapshot')
    instance = _begin(deps, instance, states.ACTIONS['createImage'], image)
    deps.compute_api.snapshot_instance(req.context, instance['host'], instance, image['id'])
    return _accepted(req, deps, image['id'])


def _create_backup(req, deps, instance, args):
    rotation = int(args['rotation'])
    image = new_image(deps, req.context, instance, args['name'], args.get('metadata'),
                      image_type='backup', backup_type=args['backup_type'])
    instance = _begin(deps, instance, states.ACTIONS['createBackup'], image)
    deps.compute_api.backup_instance(req.context, instance['host'], instance, image['id'],
                                     args['backup_type'], rotation)
    # Nova sends no Location for rotation 0: that image is rotated away at once.
    return _accepted(req, deps, image['id'], location=rotation > 0)


SPECS = [
    Spec('createImage', 'servers:create_image', CREATE_IMAGE_BODY, _create_image),
    Spec('createBackup', 'os-create-backup', CREATE_BACKUP_BODY, _create_backup),
]
