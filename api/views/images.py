"""Glance v2 image documents built from image rows."""
import urllib.parse

from api.schemas import images as schema
from common import timeutils

# Properties that have their own slot in the view instead of being flattened as strings.
_SPECIAL = schema.BASE_PROPERTIES


def image(row):
    """One image as Glance v2 shows it: core fields, links, then properties flattened."""
    props = row.get('properties') or {}
    doc = {key: value for key, value in props.items() if key not in _SPECIAL}
    doc.update({
        'id': row['id'], 'name': row['name'], 'status': row['status'],
        'visibility': row['visibility'], 'owner': row['owner'],
        'disk_format': row['disk_format'], 'container_format': row['container_format'],
        'size': row['size'], 'virtual_size': row['virtual_size'],
        'checksum': row['checksum'], 'os_hash_algo': row['os_hash_algo'],
        'os_hash_value': row['os_hash_value'],
        'min_disk': row['min_disk'], 'min_ram': row['min_ram'],
        'protected': bool(row['protected']), 'os_hidden': bool(props.get('os_hidden', False)),
        'tags': list(props.get('tags') or []),
        'created_at': timeutils.isotime(row['created_at']),
        'updated_at': timeutils.isotime(row['updated_at'] or row['created_at']),
        'self': f"/v2/images/{row['id']}", 'file': f"/v2/images/{row['id']}/file",
        'schema': '/v2/schemas/image',
    })
    return doc


def collection(rows, params, limit):
    """The list document; ``next`` only when the page came back full.

    ``params`` are the request's query pairs; every one but marker is kept in the
    links so the client walks the same filtered list.
    """
    kept = [(k, v) for k, v in params if k != 'marker']
    body = {'images': [image(r) for r in rows], 'schema': '/v2/schemas/images',
            'first': _url(kept)}
    if rows and limit and len(rows) >= limit:
        pairs = [(k, v) for k, v in kept if k != 'limit']
        body['next'] = _url(pairs + [('marker', rows[-1]['id']), ('limit', str(limit))])
    return body


def _url(pairs):
    query = urllib.parse.urlencode(pairs)
    return '/v2/images' + ('?' + query if query else '')
