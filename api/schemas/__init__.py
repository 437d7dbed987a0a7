"""Request body schemas (JSON Schema) and the validator that turns errors into 400s."""
import jsonschema

from common import exception


def validate(schema, body):
    """Raise Invalid with a readable message when ``body`` does not match ``schema``."""
    validator = jsonschema.Draft4Validator(schema)
    error = next(iter(sorted(validator.iter_errors(body), key=lambda e: list(e.path))), None)
    if error is None:
        return body
    where = '/'.join(str(p) for p in error.absolute_path) or 'body'
    raise exception.Invalid(f'Invalid input for field/attribute {where}. '
                            f'Value: {_short(error.instance)}. {error.message}')


def _short(value):
    text = repr(value)
    return text if len(text) < 200 else text[:200] + '...'


NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?! )[^\x00-\x1f]*(?<! )$'}
POSITIVE_INT = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1}
NON_NEGATIVE_INT = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 0}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
                    False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                    'no']}


def to_bool(value):
    if isinstance(value, bool):
        return value
    return str(value).lower() in ('true', '1', 'on', 'yes')
