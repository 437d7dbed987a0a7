"""Body schemas for POST /servers."""
from api import schemas

_NETWORK = {'type': 'object', 'properties': {
    'uuid': {'type': 'string'}, 'port': {'type': ['string', 'null']},
    'fixed_ip': {'type': 'string'}, 'tag': {'type': 'string'}},
    'additionalProperties': False}

_BDM = {'type': 'object', 'properties': {
    'uuid': {'type': 'string'}, 'boot_index': {'type': ['integer', 'string', 'null']},
    'source_type': {'type': 'string', 'enum': ['image', 'volume', 'snapshot', 'blank']},
    'destination_type': {'type': 'string', 'enum': ['local', 'volume']},
    'delete_on_termination': schemas.BOOLEAN, 'volume_size': schemas.NON_NEGATIVE_INT,
    'device_name': {'type': 'string'}, 'guest_format': {'type': 'string'},
    'disk_bus': {'type': 'string'}, 'device_type': {'type': 'string'},
    'tag': {'type': 'string'}, 'volume_type': {'type': ['string', 'null']}},
    'additionalProperties': False}

_UUID = {'type': 'string', 'pattern': '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                                       '[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$'}
# Nova's hints: the ones Stratus acts on are checked, any other key is let through.
HINTS = {'type': 'object', 'properties': {
    'group': _UUID,
    'same_host': {'oneOf': [_UUID, {'type': 'array', 'items': _UUID}]},
    'different_host': {'oneOf': [_UUID, {'type': 'array', 'items': _UUID}]}},
    'additionalProperties': True}

CREATE = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': schemas.NAME,
                'imageRef': {'type': 'string'},
                'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
                'min_count': schemas.POSITIVE_INT,
                'max_count': schemas.POSITIVE_INT,
                'return_reservation_id': schemas.BOOLEAN,
                'networks': {'oneOf': [{'type': 'array', 'items': _NETWORK},
                                       {'type': 'string', 'enum': ['none', 'auto']}]},
                'availability_zone': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                # Draft 4 has no propertyNames: Nova checks keys with patternProperties.
                # No maxProperties: the metadata_items quota limits it (a 403, as in Nova).
                'metadata': {'type': 'object',
                             'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {
                                 'type': 'string', 'maxLength': 255}},
                             'additionalProperties': False},
                'key_name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                'security_groups': {'type': 'array', 'items': {
                    'type': 'object', 'properties': {'name': {'type': 'string'}},
                    'additionalProperties': False}},
                'block_device_mapping_v2': {'type': 'array', 'items': _BDM},
                'user_data': {'type': 'string', 'maxLength': 65535},
                'config_drive': schemas.BOOLEAN,
                'adminPass': {'type': 'string'},
                'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
                'accessIPv4': {'type': 'string'},
                'accessIPv6': {'type': 'string'},
                'description': {'type': ['string', 'null'], 'maxLength': 255,
                                'pattern': r'^[^\x00-\x1f\x7f]*$'},  # printable, as Nova
                'tags': {'type': 'array', 'maxItems': 50,
                         'items': {'type': 'string', 'minLength': 1, 'maxLength': 60}},
                'hostname': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                'host': {'type': 'string'},
                'hypervisor_hostname': {'type': 'string'},
            },
            'required': ['name', 'flavorRef'],
            'additionalProperties': False,
        },
        'os:scheduler_hints': HINTS,
        'OS-SCH-HNT:scheduler_hints': HINTS,
    },
    'required': ['server'],
    'additionalProperties': False,
}

# PUT /servers/{id}: the fields a user may change after boot, validated as at create.
_CREATE_FIELDS = CREATE['properties']['server']['properties']
UPDATE = {
    'type': 'object',
    'properties': {'server': {
        'type': 'object',
        'properties': {key: _CREATE_FIELDS[key] for key in (
            'name', 'accessIPv4', 'accessIPv6', 'OS-DCF:diskConfig', 'description')},
        'additionalProperties': False}},
    'required': ['server'],
    'additionalProperties': False,
}
