"""Body schemas for server and image metadata (Nova's key/value rules) and their checks."""
from api import schemas
from common import exception

# Nova's metadata: keys of 1-255 safe characters, string values of at most 255.
METADATA = {'type': 'object',
            'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {
                'type': 'string', 'maxLength': 255}},
            'additionalProperties': False}

ALL = {'type': 'object', 'properties': {'metadata': METADATA},
       'required': ['metadata'], 'additionalProperties': False}

ITEM = {'type': 'object',
        'properties': {'meta': dict(METADATA, minProperties=1, maxProperties=1)},
        'required': ['meta'], 'additionalProperties': False}


def all_from(req):
    """The validated ``metadata`` dict of a POST/PUT on a whole collection."""
    return schemas.validate(ALL, req.json_body_or_400())['metadata']


def item_from(req, key):
    """The validated one-item ``meta`` of a PUT on ``key``; its value."""
    meta = schemas.validate(ITEM, req.json_body_or_400())['meta']
    if key not in meta:
        raise exception.Invalid('Request body and URI mismatch')
    return meta[key]


class MetadataItemNotFound(exception.NotFound):
    message = 'Metadata item was not found'


def item(metadata, key):
    """{'meta': {key: value}} of one item; a missing key is Nova's 404."""
    if key not in metadata:
        raise MetadataItemNotFound()
    return {'meta': {key: metadata[key]}}


def without(key):
    """A change that removes ``key`` (a 404 when it is not there)."""
    def change(old):
        if key not in old:
            raise MetadataItemNotFound()
        return {k: v for k, v in old.items() if k != key}
    return change


def routes(prefix, handlers):
    """The six metadata routes under ``prefix``, onto a module's handler functions."""
    return [('GET', prefix, handlers.index), ('PUT', prefix, handlers.replace),
            ('POST', prefix, handlers.merge), ('GET', prefix + '/{key}', handlers.show),
            ('PUT', prefix + '/{key}', handlers.set_item),
            ('DELETE', prefix + '/{key}', handlers.delete_item)]
