"""Glance v2 list extras: filters on image properties and sort_key/sort_dir, applied in Python."""
from common import exception

# Query keys that are not property filters (Glance's own parameters).
_KNOWN = frozenset({'limit', 'marker', 'name', 'status', 'owner', 'id', 'visibility',
                    'sort_key', 'sort_dir', 'sort', 'member_status', 'tag', 'os_hidden',
                    'size_min', 'size_max', 'created_at', 'updated_at', 'protected',
                    'container_format', 'disk_format'})
_SORT_KEYS = frozenset({'created_at', 'updated_at', 'name', 'id', 'status', 'size',
                        'min_disk', 'min_ram', 'disk_format', 'container_format'})


def wanted(params):
    """(property filters, sort_key, sort_dir) of a list query; None when it needs none."""
    props = {k: v for k, v in params.items() if k not in _KNOWN}
    key, direction = params.get('sort_key'), params.get('sort_dir')
    if not props and key is None and direction is None:
        return None
    key, direction = key or 'created_at', direction or 'desc'
    if key not in _SORT_KEYS:
        raise exception.Invalid(f'Invalid sort key: {key}')
    if direction not in ('asc', 'desc'):
        raise exception.Invalid(f'Invalid sort direction: {direction}')
    return props, key, direction


def apply(rows, query, marker, limit):
    """``rows`` (newest first, unpaged) filtered, sorted, then paged after ``marker``."""
    props, key, direction = query
    found = [r for r in rows if all(str((r.get('properties') or {}).get(k)) == v
                                    for k, v in props.items())]
    found.sort(key=lambda r: ((r.get(key) is not None, r.get(key) or 0), r['id']),
               reverse=direction == 'desc')
    if marker is not None:
        ids = [r['id'] for r in found]
        if marker not in ids:
            raise exception.Invalid(f'marker {marker} could not be found.')
        found = found[ids.index(marker) + 1:]
    return found[:limit] if limit is not None else found
