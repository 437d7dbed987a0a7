"""Shelve actions: shelve (snapshot, then keep or offload the guest), shelveOffload, unshelve.

Shelve makes its snapshot image record here, before the cast, so the instance's
system_metadata names it (``shelved_image_id``) from the first moment: a delete
racing the shelve still finds the image to remove.
"""
from api import build_request
from api import console_auth
from api import policy
from api.handlers.actions import NO_ARGS
from api.handlers.actions import NULL
from api.handlers.actions import Spec
from api.handlers.actions import begin
from api.handlers.actions import system_metadata
from common import exception
from common import timeutils
from compute import states
from db import compute_nodes
from db import images
from db import request_specs

# Facts about the base image's own record, not how the guest boots: never copied.
_NOT_COPIED = frozenset({'instance_uuid', 'image_type', 'base_image_ref', 'image_location',
                         'owner_id', 'user_id'})
# 2.77: an offloaded instance may be unshelved into another availability zone.
AZ_VERSION = (2, 77)
# 2.91: an admin may name the host; the zone may be null (unpinned).
HOST_VERSION = (2, 91)
UNSHELVE_BODY = {'oneOf': [NULL, {
    'type': 'object',
    'properties': {'availability_zone': {'type': 'string', 'minLength': 1,
                                         'maxLength': 255}},
    'additionalProperties': False}]}
UNSHELVE_BODY_291 = {'oneOf': [NULL, {
    'type': 'object',
    'properties': {'availability_zone': {'type': ['string', 'null'], 'minLength': 1,
                                         'maxLength': 255},
                   'host': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
    'additionalProperties': False}]}


def unshelve_body(version):
    return UNSHELVE_BODY_291 if version >= HOST_VERSION else UNSHELVE_BODY


def _base_image(deps, instance):
    try:
        return images.get(deps.db, instance['image_ref']) if instance.get('image_ref') else None
    except exception.ImageNotFound:
        return None


def _snapshot_values(deps, instance):
    """The queued image record the compute fills with the guest's disk."""
    base = _base_image(deps, instance) or {}
    props = {k: v for k, v in (base.get('properties') or {}).items() if k not in _NOT_COPIED}
    props.update(instance_uuid=instance['uuid'], image_type='snapshot',
                 base_image_ref=instance.get('image_ref') or '')
    return {'name': f'{instance["display_name"]}-shelved', 'status': 'queued',
            'visibility': 'private', 'owner': instance['project_id'],
            'min_disk': base.get('min_disk') or 0, 'min_ram': base.get('min_ram') or 0,
            'properties': props}


def _shelve(req, deps, instance, args):
    image = images.create(deps.db, _snapshot_values(deps, instance))
    meta = system_metadata(instance, shelved_image_id=image['id'],
                           shelved_at=timeutils.utcnow().isoformat(),
                           shelved_host=instance['host'])
    try:
        instance = begin(deps, instance, states.ACTIONS['shelve'],
                         values={'system_metadata': meta})
    except exception.Conflict:
        images.delete(deps.db, image['id'])
        raise
    # 0 offloads at once; -1 never; > 0 leaves it to the compute's periodic task.
    offload = deps.conf.shelved_offload_time == 0
    deps.compute_api.shelve_instance(req.context, instance['host'], instance, image['id'],
                                     offload)
    console_auth.forget_tokens(deps, req.context, instance['uuid'])


def _shelve_offload(req, deps, instance, args):
    instance = begin(deps, instance, states.ACTIONS['shelveOffload'])
    deps.compute_api.shelve_offload_instance(req.context, instance['host'], instance)


def _check_unshelve(req, deps, instance, args):
    """2.77 zone, 2.91 host (admin): only for an offloaded instance, only known ones."""
    if not args:  # null and {} alike: unshelve where it was
        return None
    if req.api_version < AZ_VERSION:
        raise exception.Invalid('Invalid input for field/attribute unshelve. The body '
                                'must be null before microversion 2.77.')
    if 'host' in args:
        policy.authorize(req.context, 'os-shelve:unshelve_to_host')
    if instance['vm_state'] != states.SHELVED_OFFLOADED:
        raise exception.Conflict(
            f'The availability_zone or host of instance {instance["uuid"]} can only be '
            'changed while it is SHELVED_OFFLOADED.')
    checked = {}
    if args.get('availability_zone'):
        checked['availability_zone'] = build_request.check_zone(
            deps.db, args['availability_zone'])
    elif 'availability_zone' in args:
        checked['unpin_zone'] = True  # 2.91: null unpins the zone
    if 'host' in args:
        checked['host'] = _check_host(deps, args['host'], checked.get('availability_zone'))
    return checked


def _check_host(deps, host, zone):
    """The compute host ``host`` (in ``zone`` when given); else a 400 as in Nova."""
    nodes = compute_nodes.list_(deps.db, host=host)
    if not nodes:
        raise exception.Invalid(f'Compute host {host} could not be found.')
    if zone and all(n.get('availability_zone') != zone for n in nodes):
        raise exception.Invalid(f'Host {host} is not in availability zone {zone}.')
    return host


def _unshelve(req, deps, instance, args):
    args = args or {}
    instance = begin(deps, instance, states.ACTIONS['unshelve'])
    if args:
        # Where the conductor schedules from; the instance's zone changes with its host.
        spec = dict(request_specs.get(deps.db, instance['uuid']) or {})
        if args.get('availability_zone'):
            spec['availability_zone'] = args['availability_zone']
        if args.get('unpin_zone'):
            spec['availability_zone'] = None
        if args.get('host'):
            spec['requested_host'] = args['host']  # a one-off: the scheduler's only choice
        request_specs.save(deps.db, instance['uuid'], spec)
    deps.conductor_api.unshelve_instance(req.context, instance['uuid'])


SPECS = [
    Spec('shelve', 'os-shelve:shelve', NO_ARGS, _shelve),
    Spec('shelveOffload', 'os-shelve:shelve_offload', NO_ARGS, _shelve_offload),
    Spec('unshelve', 'os-shelve:unshelve', unshelve_body, _unshelve,
         prepare=_check_unshelve),
]
