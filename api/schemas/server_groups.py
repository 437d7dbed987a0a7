"""Body and query schemas for /os-server-groups, per microversion (2.1, 2.15, 2.64, 2.75)."""
import copy

from api import schemas

HARD_POLICIES = ['anti-affinity', 'affinity']
ALL_POLICIES = HARD_POLICIES + ['soft-anti-affinity', 'soft-affinity']

_CREATE_V21 = {
    'type': 'object',
    'properties': {
        'server_group': {
            'type': 'object',
            'properties': {
                'name': schemas.NAME,
                # Exactly one item before 2.64, when it became a plain string.
                'policies': {'type': 'array',
                             'items': [{'type': 'string', 'enum': HARD_POLICIES}],
                             'uniqueItems': True, 'minItems': 1,
                             'additionalItems': False},
            },
            'required': ['name', 'policies'],
            'additionalProperties': False,
        },
    },
    'required': ['server_group'],
    'additionalProperties': False,
}

_CREATE_V215 = copy.deepcopy(_CREATE_V21)
_CREATE_V215['properties']['server_group']['properties']['policies']['items'][0][
    'enum'] = ALL_POLICIES

_CREATE_V264 = copy.deepcopy(_CREATE_V21)
_CREATE_V264['properties']['server_group']['properties'] = {
    'name': schemas.NAME,
    'policy': {'type': 'string', 'enum': ALL_POLICIES},
    'rules': {'type': 'object',
              'properties': {'max_server_per_host': schemas.POSITIVE_INT},
              'additionalProperties': False},
}
_CREATE_V264['properties']['server_group']['required'] = ['name', 'policy']


def create(version):
    """The create body schema for microversion ``version``."""
    if version >= (2, 64):
        return _CREATE_V264
    if version >= (2, 15):
        return _CREATE_V215
    return _CREATE_V21


# Query parameters arrive as strings; unknown ones are refused from 2.75, as in Nova.
INDEX_QUERY_PARAMS = ('all_projects', 'limit', 'offset')
