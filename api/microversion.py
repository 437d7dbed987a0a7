"""Compute API microversions: parse both headers, default 2.1, echo the chosen version."""
from common import exception

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 96)
HEADER = 'OpenStack-API-Version'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'


class NotAcceptable(exception.StratusError):
    code = 406


def to_str(version):
    return f'{version[0]}.{version[1]}'


def parse(headers):
    """The requested (major, minor) from the headers; 'latest' means the maximum."""
    raw = None
    value = headers.get(HEADER)
    if value:
        for part in value.split(','):
            service, _, ver = part.strip().partition(' ')
            if service.lower() == 'compute':
                raw = ver.strip()
    if raw is None:
        raw = headers.get(LEGACY_HEADER)
    if not raw:
        return MIN_VERSION
    if raw.lower() == 'latest':
        return MAX_VERSION
    try:
        major, minor = (int(p) for p in raw.split('.'))
    except ValueError as exc:
        raise exception.Invalid(f'Invalid API version request string {raw}') from exc
    version = (major, minor)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptable(f'Version {raw} is not supported by the API. Minimum is '
                            f'{to_str(MIN_VERSION)} and maximum is {to_str(MAX_VERSION)}.')
    return version


def response_headers(version):
    text = to_str(version)
    return {HEADER: f'compute {text}', LEGACY_HEADER: text,
            'Vary': f'{HEADER}, {LEGACY_HEADER}'}
