"""Body schemas for flavors, their extra specs and access lists."""
from api import schemas

CREATE = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {
                'name': schemas.NAME,
                # Nova takes a number too (tempest sends one) and stores its text.
                'id': {'type': ['string', 'number', 'null'], 'minLength': 1, 'maxLength': 255,
                       'pattern': r'^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
                'ram': {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1},
                'vcpus': {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1},
                'disk': {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 0},
                'OS-FLV-EXT-DATA:ephemeral': {'type': ['integer', 'string'],
                                              'pattern': '^[0-9]+$', 'minimum': 0},
                'swap': {'type': ['integer', 'string'], 'pattern': '^[0-9]*$', 'minimum': 0},
                'rxtx_factor': {'type': ['number', 'string'], 'minimum': 0},
                'os-flavor-access:is_public': schemas.BOOLEAN,
                'description': {'type': ['string', 'null'], 'maxLength': 65535},
            },
            'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}

UPDATE = {
    'type': 'object',
    'properties': {'flavor': {
        'type': 'object',
        'properties': {'description': {'type': ['string', 'null'], 'maxLength': 65535}},
        'required': ['description'], 'additionalProperties': False}},
    'required': ['flavor'], 'additionalProperties': False,
}

_SPEC_KEY = {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': r'^[a-zA-Z0-9-_:. ]{1,255}$'}
_SPEC_VALUE = {'type': ['string', 'number', 'boolean'], 'minLength': 0, 'maxLength': 255}

# Draft 4 has no propertyNames: keys are checked with patternProperties, as Nova does.
EXTRA_SPECS = {
    'type': 'object',
    'properties': {'extra_specs': {
        'type': 'object', 'patternProperties': {_SPEC_KEY['pattern']: _SPEC_VALUE},
        'additionalProperties': False}},
    'required': ['extra_specs'], 'additionalProperties': False,
}

EXTRA_SPEC_ONE = {
    'type': 'object', 'patternProperties': {_SPEC_KEY['pattern']: _SPEC_VALUE},
    'additionalProperties': False, 'minProperties': 1, 'maxProperties': 1,
}

_TENANT = {'type': 'object', 'properties': {
    'tenant': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
    'required': ['tenant'], 'additionalProperties': False}

ACCESS_ACTION = {
    'type': 'object',
    'properties': {'addTenantAccess': _TENANT, 'removeTenantAccess': _TENANT},
    'minProperties': 1, 'maxProperties': 1, 'additionalProperties': False,
}
