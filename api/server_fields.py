"""The user-set fields of a server (access IPs, description): checked and stored as Nova does."""
import ipaddress

from common import exception

# Nova's description: printable characters only, at most 255 of them.
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255,
               'pattern': r'^[^\x00-\x1f\x7f]*$'}


def _ip(value, kind, field):
    try:
        address = kind(value)
    except (ValueError, TypeError):
        raise exception.Invalid(f'Invalid input for field/attribute {field}. '
                                f'Value: {value}. {value!r} is not a valid IP address') from None
    # Stored as Nova's netaddr would print it: an IPv6 address compressed.
    return str(address)


def values(server, version):
    """Instance column values for the fields ``server`` (a create/update body) sets."""
    found = {}
    if 'accessIPv4' in server:
        found['access_ip_v4'] = _ip(server['accessIPv4'], ipaddress.IPv4Address, 'accessIPv4')
    if 'accessIPv6' in server:
        found['access_ip_v6'] = _ip(server['accessIPv6'], ipaddress.IPv6Address, 'accessIPv6')
    if 'description' in server:
        if version < (2, 19):
            raise exception.Invalid("Invalid input for field/attribute server. Additional "
                                    "properties are not allowed ('description' was "
                                    "unexpected)")
        found['display_description'] = server['description']
    return found


# OS-DCF:diskConfig (AUTO or MANUAL) lives in the instance's system_metadata under this key.
DISK_CONFIG_KEY = 'disk_config'
DISK_CONFIG = {'type': 'string', 'enum': ['AUTO', 'MANUAL']}


def disk_config(instance):
    """The instance's OS-DCF:diskConfig: what was asked at create/rebuild/update, or MANUAL."""
    return (instance.get('system_metadata') or {}).get(DISK_CONFIG_KEY) or 'MANUAL'


def with_disk_config(instance, server):
    """The instance's system_metadata with ``server``'s OS-DCF:diskConfig, or None."""
    if 'OS-DCF:diskConfig' not in server:
        return None
    meta = dict(instance.get('system_metadata') or {})
    meta[DISK_CONFIG_KEY] = server['OS-DCF:diskConfig']
    return meta
