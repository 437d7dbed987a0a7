"""Image request validation and the JSON schema documents served at /v2/schemas/image(s)."""
import jsonschema

from common import exception

DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso',
                'ploop']
CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed']
VISIBILITIES = ['public', 'private', 'shared', 'community']
STATUSES = ['queued', 'saving', 'active', 'killed', 'deleted', 'pending_delete',
            'deactivated', 'uploading', 'importing']

# Set by the service, never by a client (Glance answers 403 for these).
READ_ONLY = ('status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value',
             'created_at', 'updated_at', 'self', 'file', 'schema', 'direct_url', 'locations')
# Columns of the images table a create request may set; everything else is a property.
CORE = ('id', 'name', 'visibility', 'owner', 'disk_format', 'container_format', 'min_disk',
        'min_ram', 'protected')
# Base attributes kept among the properties (no column): always present, never removed.
BASE_PROPERTIES = ('tags', 'os_hidden')
_UUID = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'

_PROPERTIES = {
    'id': {'type': 'string', 'pattern': _UUID, 'description': 'An identifier for the image'},
    'name': {'type': ['null', 'string'], 'maxLength': 255,
             'description': 'Descriptive name for the image'},
    'status': {'type': 'string', 'enum': STATUSES, 'readOnly': True},
    'visibility': {'type': 'string', 'enum': VISIBILITIES,
                   'description': 'Scope of image accessibility'},
    'protected': {'type': 'boolean', 'description': 'If true, image will not be deletable.'},
    'os_hidden': {'type': 'boolean', 'description': 'If true, image will not appear in '
                                                    'default image list response.'},
    'owner': {'type': ['null', 'string'], 'maxLength': 255,
              'description': 'Owner of the image'},
    'checksum': {'type': ['null', 'string'], 'maxLength': 32, 'readOnly': True},
    'os_hash_algo': {'type': ['null', 'string'], 'maxLength': 64, 'readOnly': True},
    'os_hash_value': {'type': ['null', 'string'], 'maxLength': 128, 'readOnly': True},
    'min_ram': {'type': 'integer', 'minimum': 0,
                'description': 'Amount of ram (in MB) required to boot image.'},
    'min_disk': {'type': 'integer', 'minimum': 0,
                 'description': 'Amount of disk space (in GB) required to boot image.'},
    'size': {'type': ['null', 'integer'], 'readOnly': True},
    'virtual_size': {'type': ['null', 'integer'], 'readOnly': True},
    'container_format': {'type': ['null', 'string'], 'enum': [None] + CONTAINER_FORMATS},
    'disk_format': {'type': ['null', 'string'], 'enum': [None] + DISK_FORMATS},
    'created_at': {'type': 'string', 'readOnly': True},
    'updated_at': {'type': 'string', 'readOnly': True},
    'tags': {'type': 'array', 'items': {'type': 'string', 'maxLength': 255}},
    'self': {'type': 'string', 'readOnly': True},
    'file': {'type': 'string', 'readOnly': True},
    'schema': {'type': 'string', 'readOnly': True},
}

IMAGE_SCHEMA = {
    'name': 'image',
    'properties': _PROPERTIES,
    'additionalProperties': {'type': 'string', 'maxLength': 65535},
    'links': [{'rel': 'self', 'href': '{self}'}, {'rel': 'enclosure', 'href': '{file}'},
              {'rel': 'describedby', 'href': '{schema}'}],
}

IMAGES_SCHEMA = {
    'name': 'images',
    'properties': {
        'images': {'type': 'array', 'items': IMAGE_SCHEMA},
        'schema': {'type': 'string'}, 'first': {'type': 'string'}, 'next': {'type': 'string'},
    },
    'links': [{'rel': 'first', 'href': '{first}'}, {'rel': 'next', 'href': '{next}'},
              {'rel': 'describedby', 'href': '{schema}'}],
}

_CREATE = {
    'type': 'object',
    'properties': {k: v for k, v in _PROPERTIES.items() if not v.get('readOnly')},
    'additionalProperties': {'type': 'string', 'maxLength': 65535},
    'propertyNames': {'maxLength': 255, 'minLength': 1},
}


# Glance keeps the os_glance_* namespace for itself; a client setting one gets 403.
RESERVED_PREFIX = 'os_glance'


def _check_reserved(name):
    if name.startswith(RESERVED_PREFIX):
        raise exception.Forbidden(f"Attribute '{name}' is reserved.")


def validate_create(body):
    """(columns, properties) of a create request; Invalid (400) or Forbidden (403)."""
    if not isinstance(body, dict):
        raise exception.Invalid('Request body must be a JSON object.')
    read_only = sorted(set(body) & set(READ_ONLY))
    if read_only:
        raise exception.Forbidden(f"Attribute '{read_only[0]}' is read-only.")
    for name in body:
        _check_reserved(name)
    _check(_CREATE, body)
    columns = {k: body[k] for k in CORE if k in body}
    properties = {k: v for k, v in body.items() if k not in CORE}
    return columns, properties


def _check(schema, body):
    try:
        jsonschema.validate(body, schema)
    except jsonschema.ValidationError as exc:
        where = '/'.join(str(p) for p in exc.absolute_path)
        raise exception.Invalid(f"Provided object does not match schema 'image': "
                                f"{exc.message}" + (f' (at {where})' if where else '')) \
            from None


PATCH_V21 = 'application/openstack-images-v2.1-json-patch'
# v2.0 is Glance's older draft: the op is the key, {"replace": "/name", "value": ...}.
PATCH_V20 = 'application/openstack-images-v2.0-json-patch'
PATCH_TYPES = (PATCH_V21, PATCH_V20)
_OPS = ('add', 'remove', 'replace')
_PATCH = {
    'type': 'array',
    'items': {
        'type': 'object',
        'required': ['op', 'path'],
        'properties': {'op': {'enum': ['add', 'replace', 'remove']},
                       'path': {'type': 'string', 'pattern': '^/[^/]+$'}, 'value': {}},
    },
}


def patch_ops(body, content_type):
    """The ops of a PATCH body as {op, path[, value]} dicts, whichever media type."""
    if not isinstance(body, list):
        raise exception.Invalid('Request body must be a JSON array of operation objects.')
    if content_type != PATCH_V20:
        return body
    ops = []
    for raw in body:
        names = [k for k in _OPS if isinstance(raw, dict) and k in raw]
        if len(names) != 1:
            raise exception.Invalid('Operation objects must contain exactly one member '
                                    'named "add", "remove", or "replace".')
        op = {'op': names[0], 'path': raw[names[0]]}
        if 'value' in raw:
            op['value'] = raw['value']
        ops.append(op)
    return ops


def apply_patch(row, ops, add_may_replace=True):
    """(columns, properties) of ``row`` after the JSON-patch ``ops`` (Glance's rules).

    ``add_may_replace`` False is the v2.0 media type: adding what exists is a 409.
    """
    _check(_PATCH, ops)
    doc = {k: row[k] for k in CORE}
    doc.update(row.get('properties') or {})
    for op in ops:
        _apply_one(doc, op, add_may_replace)
    _check(_CREATE, doc)
    return {k: doc[k] for k in CORE if k != 'id'}, \
        {k: v for k, v in doc.items() if k not in CORE}


def _apply_one(doc, op, add_may_replace):
    name = op['path'][1:].replace('~1', '/').replace('~0', '~')
    if name in READ_ONLY or name == 'id':
        raise exception.Forbidden(f"Attribute '{name}' is read-only.")
    _check_reserved(name)
    if op['op'] == 'remove':
        if name in CORE or name in BASE_PROPERTIES:
            raise exception.Forbidden(f"Attribute '{name}' is reserved.")
        if name not in doc:
            raise exception.Conflict(f'Property {name} does not exist.')
        del doc[name]
        return
    if 'value' not in op:
        raise exception.Invalid(f"Operation {op['op']} needs a value.")
    if op['op'] == 'replace' and name not in doc and name not in CORE + BASE_PROPERTIES:
        raise exception.Conflict(f'Property {name} does not exist.')
    if op['op'] == 'add' and not add_may_replace and (
            name in doc or name in CORE + BASE_PROPERTIES):
        raise exception.Conflict(f'Property {name} already present.')
    doc[name] = op['value']
