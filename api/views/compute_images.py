"""Nova's /v2.1/images documents (the deprecated image proxy) built from image rows."""
import urllib.parse

from api.schemas import images as glance_schema
from common import timeutils

# Nova shows an unfinished upload as SAVING whether Glance says queued or saving.
_STATUS = {'active': 'ACTIVE', 'queued': 'SAVING', 'saving': 'SAVING',
           'deleted': 'DELETED', 'pending_delete': 'DELETED', 'killed': 'ERROR'}
_PROGRESS = {'queued': 25, 'saving': 50, 'active': 100}
IMAGE_MEDIA_TYPE = 'application/vnd.openstack.image'


def _links(compute_base, kind, ident):
    return [{'rel': 'self', 'href': f'{compute_base}/v2.1/{kind}/{ident}'},
            {'rel': 'bookmark', 'href': f'{compute_base}/{kind}/{ident}'}]


def _image_links(compute_base, image_base, image_id):
    return _links(compute_base, 'images', image_id) + [
        {'rel': 'alternate', 'type': IMAGE_MEDIA_TYPE,
         'href': f'{image_base}/v2/images/{image_id}'}]


def basic(row, compute_base, image_base):
    return {'id': row['id'], 'name': row['name'],
            'links': _image_links(compute_base, image_base, row['id'])}


def metadata(row):
    """The image's free-form properties, as Nova's metadata (strings only)."""
    props = row.get('properties') or {}
    return {key: value for key, value in props.items()
            if key not in glance_schema.BASE_PROPERTIES and isinstance(value, str)}


def detail(row, compute_base, image_base):
    meta = metadata(row)
    body = basic(row, compute_base, image_base)
    body.update({
        'minRam': int(row.get('min_ram') or 0), 'minDisk': int(row.get('min_disk') or 0),
        'metadata': meta,
        'created': timeutils.isotime(row['created_at']),
        'updated': timeutils.isotime(row.get('updated_at') or row['created_at']),
        'status': _STATUS.get(row['status'], 'UNKNOWN'),
        'progress': _PROGRESS.get(row['status'], 0),
        'OS-EXT-IMG-SIZE:size': row.get('size'),
    })
    instance_uuid = meta.get('instance_uuid')
    if instance_uuid:
        body['server'] = {'id': instance_uuid,
                          'links': _links(compute_base, 'servers', instance_uuid)}
    auto_disk_config = meta.get('auto_disk_config')
    if auto_disk_config is not None:
        automatic = auto_disk_config.lower() in ('true', '1', 'on', 'yes', 'y')
        body['OS-DCF:diskConfig'] = 'AUTO' if automatic else 'MANUAL'
    return body


def collection(rows, view, page_limit, params, collection_url):
    """{"images": [...]} plus Nova's ``images_links`` next link when the page is full."""
    body = {'images': [view(row) for row in rows]}
    if rows and page_limit and len(rows) == page_limit:
        pairs = [(k, v) for k, v in params if k != 'marker'] + [('marker', rows[-1]['id'])]
        body['images_links'] = [{'rel': 'next', 'href': collection_url + '?' +
                                 urllib.parse.urlencode(pairs)}]
    return body
