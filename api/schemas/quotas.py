"""Request body schemas for os-quota-sets and os-quota-class-sets."""
# -1 means unlimited; Nova takes integers or their strings, up to the database's MAX_INT.
LIMIT = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$', 'minimum': -1,
         'maximum': 0x7FFFFFFF}


def update(key, resources, extra=None):
    """{key: {resource: LIMIT, ...}} with no other properties (an unknown one is a 400)."""
    props = {r: LIMIT for r in resources}
    props.update(extra or {})
    return {'type': 'object', 'properties': {key: {
        'type': 'object', 'properties': props, 'additionalProperties': False}},
        'required': [key], 'additionalProperties': False}
