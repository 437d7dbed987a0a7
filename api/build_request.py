"""Turns a validated create-server body into instance rows, actions and a request spec."""
import math
import uuid as uuid_mod

from api import policy
from api import schemas
from api import server_fields
from common import exception
from compute import states
from db import actions
from db import compute_nodes
from db import flavors
from db import images
from db import instances
from db import keypairs
from db import server_groups


def resolve_flavor(db, ctxt, flavor_ref):
    ref = str(flavor_ref).rstrip('/').rsplit('/', 1)[-1]
    try:
        return flavors.get(db, ref, project_id=ctxt.project_id, is_admin=ctxt.is_admin)
    except exception.FlavorNotFound as exc:
        raise exception.Invalid(f'Flavor {ref} could not be found.') from exc


def resolve_image(db, ctxt, server):
    """The boot image from imageRef or an image->local block device mapping."""
    ref = server.get('imageRef') or _image_from_bdm(server.get('block_device_mapping_v2'))
    if not ref:
        raise exception.Invalid('Missing imageRef attribute (volume-backed servers are '
                                'not supported).')
    ref = ref.rstrip('/').rsplit('/', 1)[-1]
    try:
        image = images.get(db, ref)
    except (exception.ImageNotFound, exception.NotFound) as exc:
        raise exception.Invalid(f'Image {ref} could not be found.') from exc
    visible = image['visibility'] in ('public', 'community') or \
        image['owner'] == ctxt.project_id or ctxt.is_admin
    if not visible:
        raise exception.Invalid(f'Image {ref} could not be found.')
    if image['status'] != 'active':
        raise exception.Invalid(f'Image {ref} is not active.')
    return image


def _image_from_bdm(bdms):
    for bdm in bdms or ():
        if bdm.get('source_type') == 'image' and str(bdm.get('boot_index')) == '0':
            return bdm.get('uuid')
    return None


def check_fit(flavor, image):
    if image.get('min_ram') and flavor['memory_mb'] < image['min_ram']:
        raise exception.Invalid('Flavor\'s memory is too small for requested image.')
    if image.get('min_disk') and flavor['root_gb'] and flavor['root_gb'] < image['min_disk']:
        raise exception.Invalid('Flavor\'s disk is too small for requested image.')
    size_gb = math.ceil((image.get('size') or 0) / 2 ** 30)
    if flavor['root_gb'] and size_gb > flavor['root_gb']:
        raise exception.Invalid('Flavor\'s disk is too small for requested image.')


def check_networks(networks):
    if isinstance(networks, list) and networks:
        ident = networks[0].get('uuid') or networks[0].get('port') or '?'
        raise exception.Invalid(f'Network {ident} could not be found.')


def check_security_groups(groups):
    """Only the implicit 'default' group exists until security groups are built; naming
    any other is Nova's 400, not a server that silently has no such group."""
    for group in groups or ():
        name = group.get('name')
        if name != 'default':
            raise exception.Invalid(f'Security group {name} not found.')


def check_zone(db, zone):
    if zone is None:
        return None
    zone = zone.partition(':')[0]  # 'zone:host' forces a host: an admin option, ignored
    known = {n['availability_zone'] for n in compute_nodes.list_(db)}
    if zone not in known:
        raise exception.Invalid('The requested availability zone is not available')
    return zone


def user_fields(db, ctxt, server, version):
    """Instance values the caller chose: keypair (name, public key), access IPs, description."""
    found = server_fields.values(server, version)
    name = server.get('key_name')
    if name:
        try:
            keypair = keypairs.get(db, ctxt.user_id, name)
        except keypairs.KeypairNotFound:
            raise exception.Invalid('Invalid key_name provided.') from None
        # A copy: deleting the keypair later must not change what the server booted with.
        found.update(key_name=name, key_data=keypair['public_key'])
    return found


def counts(server):
    min_count = int(server.get('min_count', 1))
    max_count = int(server.get('max_count', min_count))
    if min_count < 1 or max_count < 1:
        raise exception.Invalid('min_count and max_count must be at least 1.')
    if min_count > max_count:
        raise exception.Invalid('min_count must be <= max_count')
    return min_count, max_count


def scheduler_hints(body):
    """The create body's scheduler hints (either spelling), or {}."""
    if 'os:scheduler_hints' in body:
        return body['os:scheduler_hints'] or {}
    return body.get('OS-SCH-HNT:scheduler_hints') or {}


def resolve_group(db, ctxt, hints):
    """The group a 'group' hint names, as the request spec carries it; None without one.

    An unknown group, or another project's, is a 400 (it is a bad hint, not a URL).
    """
    group_uuid = hints.get('group')
    if not group_uuid:
        return None
    try:
        group = server_groups.get(db, group_uuid)
        policy.check_owner(ctxt, group['project_id'],
                           server_groups.ServerGroupNotFound(group_uuid=group_uuid))
    except server_groups.ServerGroupNotFound as exc:
        raise exception.Invalid(str(exc)) from exc
    return {'uuid': group['uuid'], 'policy': group['policy'], 'rules': group['rules'] or {}}


def add_placement(spec, hints, group):
    """Put the group and the host hints the scheduler acts on into the request spec."""
    spec['instance_group'] = group
    spec['scheduler_hints'] = {k: hints[k] for k in ('group', 'same_host', 'different_host')
                               if hints.get(k)}


def join_group(db, spec, instance_uuids):
    """Record the new instances as members before they are scheduled, so parallel builds
    of the group see each other; a group deleted meanwhile no longer constrains them."""
    group = spec.get('instance_group')
    if not group:
        return
    try:
        server_groups.add_members(db, group['uuid'], instance_uuids)
    except server_groups.ServerGroupNotFound:
        spec['instance_group'] = None


def create_instances(db, ctxt, server, flavor, image, zone, count, extra=None):
    """Insert ``count`` instances in BUILDING/scheduling with a 'create' action each."""
    reservation = 'r-' + uuid_mod.uuid4().hex[:8]
    created = []
    for index in range(count):
        name = server['name'] if count == 1 else f'{server["name"]}-{index + 1}'
        inst = instances.create(db, {
            'uuid': str(uuid_mod.uuid4()), 'display_name': name,
            'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
            'image_ref': image['id'], 'flavor_id': flavor['flavorid'],
            'flavor': flavor_snapshot(flavor),
            'memory_mb': flavor['memory_mb'], 'vcpus': flavor['vcpus'],
            'root_gb': flavor['root_gb'], 'ephemeral_gb': flavor['ephemeral_gb'],
            'vm_state': states.BUILDING, 'task_state': states.SCHEDULING,
            'availability_zone': zone, 'key_name': server.get('key_name'),
            'metadata': server.get('metadata') or {},
            'reservation_id': reservation, 'launch_index': index, **(extra or {})})
        actions.start(db, ctxt, inst['uuid'], 'create')
        created.append(inst)
    return reservation, created


def flavor_snapshot(flavor):
    keys = ('flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap',
            'extra_specs')
    return {k: flavor.get(k) for k in keys}


def authorize(ctxt, server):
    policy.authorize(ctxt, 'servers:create')
    if server.get('host') or server.get('hypervisor_hostname'):
        policy.authorize(ctxt, 'servers:create:forced_host')


def return_reservation(server):
    return schemas.to_bool(server.get('return_reservation_id', False))
