"""Server views: Nova's server body, gated by microversion."""
import hashlib

from api import server_fields
from common import timeutils
from compute import states

_STATUS = {
    states.BUILDING: 'BUILD', states.ACTIVE: 'ACTIVE', states.STOPPED: 'SHUTOFF',
    states.PAUSED: 'PAUSED', states.SUSPENDED: 'SUSPENDED', states.RESIZED: 'VERIFY_RESIZE',
    states.RESCUED: 'RESCUE', states.SHELVED: 'SHELVED',
    states.SHELVED_OFFLOADED: 'SHELVED_OFFLOADED', states.SOFT_DELETED: 'SOFT_DELETED',
    states.DELETED: 'DELETED', states.ERROR: 'ERROR',
}
_TASK_STATUS = {'rebooting': 'REBOOT', 'reboot_started': 'REBOOT',
                'rebooting_hard': 'HARD_REBOOT', 'reboot_started_hard': 'HARD_REBOOT',
                'deleting': None, 'rebuilding': 'REBUILD', 'migrating': 'MIGRATING',
                'updating_password': 'PASSWORD',
                'resize_prep': 'RESIZE', 'resize_migrating': 'RESIZE',
                'resize_migrated': 'RESIZE', 'resize_finish': 'RESIZE'}


def status(instance):
    """The API status of an instance from its vm_state and task_state."""
    task = instance.get('task_state')
    if instance['vm_state'] == states.RESIZED and task == states.RESIZE_REVERTING:
        return 'REVERT_RESIZE'
    shown = _TASK_STATUS.get(task)
    if shown and (instance['vm_state'] in (states.ACTIVE, states.STOPPED) or
                  (instance['vm_state'] == states.ERROR and task == states.REBUILDING)):
        return shown
    return _STATUS.get(instance['vm_state'], 'UNKNOWN')


def vm_states_for_status(value):
    """The vm_states a ?status= filter means; unknown values match nothing."""
    return [vm for vm, st in _STATUS.items() if st == value.upper()]


def host_id(instance):
    if not instance.get('host'):
        return ''
    return hashlib.sha224((instance['project_id'] + instance['host']).encode()).hexdigest()


def links(base, kind, ident):
    return [{'rel': 'self', 'href': f'{base}/v2.1/{kind}/{ident}'},
            {'rel': 'bookmark', 'href': f'{base}/{kind}/{ident}'}]


def basic(instance, base):
    return {'id': instance['uuid'], 'name': instance['display_name'],
            'links': links(base, 'servers', instance['uuid'])}


def detail(instance, base, version, is_admin, fault=None, server_groups=()):
    """The full server body for ``instance`` at microversion ``version``.

    ``server_groups`` (uuids) shows from 2.71 in show, update and rebuild; lists
    pass None, since Nova's list detail has no such key.
    """
    body = basic(instance, base)
    body.update({
        'status': status(instance),
        'tenant_id': instance['project_id'], 'user_id': instance['user_id'],
        'metadata': instance.get('metadata') or {},
        'hostId': host_id(instance),
        'image': _image(instance, base),
        'flavor': _flavor(instance, base, version),
        'created': timeutils.isotime(instance['created_at']),
        'updated': timeutils.isotime(instance.get('updated_at') or instance['created_at']),
        'addresses': {}, 'accessIPv4': instance.get('access_ip_v4') or '',
        'accessIPv6': instance.get('access_ip_v6') or '',
        'OS-DCF:diskConfig': server_fields.disk_config(instance),
        'OS-EXT-AZ:availability_zone': instance.get('availability_zone') or '',
        'config_drive': '', 'key_name': instance.get('key_name'),
        'OS-SRV-USG:launched_at': _usg_time(instance.get('launched_at')),
        'OS-SRV-USG:terminated_at': _usg_time(instance.get('terminated_at')),
        'OS-EXT-STS:task_state': instance.get('task_state'),
        'OS-EXT-STS:vm_state': instance['vm_state'],
        'OS-EXT-STS:power_state': instance.get('power_state') or 0,
        'os-extended-volumes:volumes_attached': [],
        'security_groups': [{'name': 'default'}],
    })
    if body['status'] in ('ACTIVE', 'BUILD'):
        body['progress'] = 100 if body['status'] == 'ACTIVE' else 0
    if is_admin:
        body.update(_admin_fields(instance, version))
    body.update(_versioned_fields(instance, version, is_admin))
    if version < (2, 71) or server_groups is None:
        body.pop('server_groups', None)
    else:
        body['server_groups'] = list(server_groups)
    if fault and instance['vm_state'] == states.ERROR:
        body['fault'] = {'code': fault['code'], 'message': fault['message'],
                         'created': timeutils.isotime(fault['created_at'])}
        if is_admin and fault.get('details'):
            body['fault']['details'] = fault['details']
    return body


def _usg_time(value):
    return value.replace(microsecond=0).isoformat() if hasattr(value, 'isoformat') else value


def _image(instance, base):
    if not instance.get('image_ref'):
        return ''
    return {'id': instance['image_ref'],
            'links': [{'rel': 'bookmark', 'href': f'{base}/images/{instance["image_ref"]}'}]}


def _flavor(instance, base, version):
    flavor = instance.get('flavor') or {}
    if version < (2, 47):
        return {'id': instance['flavor_id'],
                'links': [{'rel': 'bookmark', 'href': f'{base}/flavors/{instance["flavor_id"]}'}]}
    return {'vcpus': flavor.get('vcpus'), 'ram': flavor.get('memory_mb'),
            'disk': flavor.get('root_gb'), 'ephemeral': flavor.get('ephemeral_gb', 0),
            'swap': flavor.get('swap', 0), 'original_name': flavor.get('name'),
            'extra_specs': flavor.get('extra_specs') or {}}


def _admin_fields(instance, version):
    fields = {'OS-EXT-SRV-ATTR:host': instance.get('host'),
              'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.get('node'),
              'OS-EXT-SRV-ATTR:instance_name': f'instance-{instance["id"]:08x}'}
    if version >= (2, 3):
        fields.update({'OS-EXT-SRV-ATTR:reservation_id': instance.get('reservation_id'),
                       'OS-EXT-SRV-ATTR:launch_index': instance.get('launch_index', 0),
                       'OS-EXT-SRV-ATTR:hostname': _hostname(instance),
                       'OS-EXT-SRV-ATTR:kernel_id': '', 'OS-EXT-SRV-ATTR:ramdisk_id': '',
                       'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
                       'OS-EXT-SRV-ATTR:user_data':
                           (instance.get('system_metadata') or {}).get('user_data')})
    return fields


def _hostname(instance):
    return ''.join(c if c.isalnum() or c == '-' else '-'
                   for c in (instance['display_name'] or 'server').lower())[:63]


def _versioned_fields(instance, version, is_admin):
    fields = {}
    if version >= (2, 9):
        fields['locked'] = bool(instance.get('locked'))
    if version >= (2, 16) and is_admin:
        fields['host_status'] = 'UP' if instance.get('host') else ''
    if version >= (2, 19):
        fields['description'] = instance.get('display_description')
    if version >= (2, 26):
        fields['tags'] = list(instance.get('tags') or [])
    if version >= (2, 63):
        fields['trusted_image_certificates'] = None
    if version >= (2, 71):
        fields['server_groups'] = []
    if version >= (2, 73):
        fields['locked_reason'] = instance.get('locked_reason')
    if version >= (2, 90) and not is_admin:
        fields['OS-EXT-SRV-ATTR:hostname'] = _hostname(instance)
    if version >= (2, 96):
        fields['pinned_availability_zone'] = None
    return fields
