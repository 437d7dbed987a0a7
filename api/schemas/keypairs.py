"""Body schemas for POST /os-keypairs, per microversion (2.1, 2.2 type, 2.10 user_id, 2.92)."""
import copy

# Nova's keypair names: its generic name rule plus a small safe alphabet (wider at 2.92).
_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'pattern': r'^(?! )[a-zA-Z0-9 _-]+(?<! )$'}
_NAME_292 = dict(_NAME, pattern=r'^(?! )[a-zA-Z0-9 @._-]+(?<! )$')

_V21 = {
    'type': 'object',
    'properties': {
        'keypair': {
            'type': 'object',
            'properties': {'name': _NAME, 'public_key': {'type': 'string'}},
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['keypair'],
    'additionalProperties': False,
}


def _derive(base, **properties):
    schema = copy.deepcopy(base)
    schema['properties']['keypair']['properties'].update(properties)
    return schema


_V22 = _derive(_V21, type={'type': 'string', 'enum': ['ssh', 'x509']})
_V210 = _derive(_V22, user_id={'type': 'string'})
_V292 = _derive(_V210, name=_NAME_292)
# From 2.92 the server no longer generates keys: a public key must be imported.
_V292['properties']['keypair']['required'] = ['name', 'public_key']


def create(version):
    """The create schema for microversion ``version``."""
    if version >= (2, 92):
        return _V292
    if version >= (2, 10):
        return _V210
    if version >= (2, 2):
        return _V22
    return _V21
