"""Glance v2 subset under /image: versions, images CRUD, upload/download of bits, schemas."""
import json

import webob

from api import image_query
from api import policy
from api import router
from api import wsgi
from api.schemas import images as schema
from api.views import images as views
from common import exception
from db import images as images_db
from image import importer

PREFIX = '/image'
CHUNK = 65536
DEFAULT_LIMIT = 25
# Newest first; clients pick the highest they know.
_MINORS = range(16, -1, -1)


@router.public
def versions(req, deps):
    """GET /image: the version list (300 Multiple Choices, as Glance answers)."""
    return wsgi.json_response(_versions_doc(req, deps), status=300)


@router.public
def versions_ok(req, deps):
    """GET /image/versions: the same list with 200."""
    return wsgi.json_response(_versions_doc(req, deps))


def _versions_doc(req, deps):
    href = deps.endpoint(req, PREFIX + '/v2/')
    return {'versions': [
        {'id': f'v2.{minor}', 'status': 'CURRENT' if minor == _MINORS[0] else 'SUPPORTED',
         'links': [{'rel': 'self', 'href': href}]} for minor in _MINORS]}


def image_schema(req, deps):
    return wsgi.json_response(schema.IMAGE_SCHEMA)


def images_schema(req, deps):
    return wsgi.json_response(schema.IMAGES_SCHEMA)


def visible(deps, ctx, image_id):
    """The image if the caller may see it; another project's private image is a 404."""
    row = images_db.get(deps.db, image_id)
    if ctx.is_admin or row['visibility'] in ('public', 'community') \
            or row['owner'] == ctx.project_id:
        return row
    raise exception.ImageNotFound(image_id=image_id)


def check_writer(ctx, row, action):
    """Only the owner (or an admin) changes an image others can merely see."""
    if not ctx.is_admin and row['owner'] != ctx.project_id:
        raise exception.Forbidden(f"You are not permitted to {action} image {row['id']}.")


def show(req, deps, image_id):
    return wsgi.json_response(views.image(visible(deps, req.context, image_id)))


def _in_values(value):
    """``in:a,"b"`` → ['a', 'b']; a plain value stays as it is."""
    if not value.startswith('in:'):
        return value
    return [v.strip().strip('"') for v in value[3:].split(',') if v.strip()]


def _limit(req, deps):
    raw = req.GET.get('limit')
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise exception.Invalid('limit param must be an integer') from None
    if limit < 0:
        raise exception.Invalid('limit param must be positive')
    return min(limit, deps.conf.api.max_limit)


def _filters(req):
    params = req.GET
    filters = {key: _in_values(params[key])
               for key in ('name', 'status', 'owner') if key in params}
    if 'id' in params:
        filters['ids'] = _in_values(params['id'])
    visibility = params.get('visibility')
    if visibility not in (None, 'all'):
        if visibility not in schema.VISIBILITIES:
            raise exception.Invalid(f'Invalid visibility value: {visibility}')
        filters['visibility'] = visibility
    return filters


def _no_image_id(req, deps):
    """DELETE /v2/images(/): an image path whose id is empty is a 404, as in Glance."""
    raise exception.ImageNotFound(image_id='')


def index(req, deps):
    """GET /v2/images: filtered, newest first, marker paging with a ``next`` link."""
    if req.path_info.endswith('/'):
        # The router drops the slash; /v2/images/ is "image with an empty id" (404).
        _no_image_id(req, deps)
    ctx = req.context
    limit = _limit(req, deps)
    member = None if ctx.is_admin else ctx.project_id
    query = image_query.wanted(req.GET)
    if query is None:
        rows = images_db.list_(deps.db, _filters(req), limit=limit,
                               marker=req.GET.get('marker'), member_project=member)
    else:  # property filters or a sort order: done on the unpaged rows
        rows = image_query.apply(images_db.list_(deps.db, _filters(req), member_project=member),
                                 query, req.GET.get('marker'), limit)
    return wsgi.json_response(views.collection(rows, list(req.GET.items()), limit))


def create(req, deps):
    """POST /v2/images: a queued image record (bits come with PUT .../file)."""
    ctx = req.context
    policy.authorize(ctx, 'images:manage')
    columns, properties = schema.validate_create(req.json_body_or_400())
    columns.setdefault('visibility', 'shared')
    if columns['visibility'] == 'public':
        policy.authorize(ctx, 'images:publicize')
    owner = columns.setdefault('owner', ctx.project_id)
    if owner != ctx.project_id and not ctx.is_admin:
        raise exception.Forbidden('You are not permitted to create images owned by '
                                  f'{owner}.')
    row = images_db.create(deps.db, dict(columns, status='queued', properties=properties))
    location = deps.endpoint(req, f"{PREFIX}/v2/images/{row['id']}")
    return wsgi.json_response(views.image(row), status=201, headers={'Location': location})


def update(req, deps, image_id):
    """PATCH /v2/images/{id}: a JSON-patch of name, formats, visibility, limits, properties."""
    ctx = req.context
    policy.authorize(ctx, 'images:manage')
    row = visible(deps, ctx, image_id)
    check_writer(ctx, row, 'modify')
    if req.content_type not in schema.PATCH_TYPES:
        raise exception.UnsupportedMediaType(content_type=req.content_type)
    try:
        body = json.loads(req.body)
    except ValueError as exc:
        raise exception.Invalid(f'Malformed request body: {exc}') from None
    columns, properties = schema.apply_patch(
        row, schema.patch_ops(body, req.content_type),
        add_may_replace=req.content_type != schema.PATCH_V20)
    if columns['visibility'] == 'public' and row['visibility'] != 'public':
        policy.authorize(ctx, 'images:publicize')
    if columns['owner'] != row['owner'] and not ctx.is_admin:
        raise exception.Forbidden('You are not permitted to change the owner of an image.')
    row = images_db.update(deps.db, image_id, dict(columns, properties=properties))
    return wsgi.json_response(views.image(row))


def _body_chunks(req):
    """The request body in blocks, so an image never has to fit in memory."""
    # A chunked upload has no Content-Length: the server decodes it and sets
    # wsgi.input_terminated, which makes webob's body_file read to its end.
    src = req.body_file
    while True:
        block = src.read(CHUNK)
        if not block:
            return
        yield block


def upload(req, deps, image_id):
    """PUT /v2/images/{id}/file: queued → saving → active; back to queued on failure."""
    ctx = req.context
    policy.authorize(ctx, 'images:manage')
    row = visible(deps, ctx, image_id)
    check_writer(ctx, row, 'upload data to')
    if req.content_type not in ('', 'application/octet-stream'):
        raise exception.UnsupportedMediaType(content_type=req.content_type)
    # The conditional update is the lock: a second concurrent upload gets 409 here.
    images_db.update(deps.db, image_id, {'status': 'saving'}, expected_status='queued')
    # Clients upload what they like; check it, as Glance does, before anyone boots it.
    importer.store_bits(deps.db, deps.image_store, image_id, _body_chunks(req),
                        row['disk_format'], check_format=True)
    return wsgi.json_response(None, status=204)


def download(req, deps, image_id):
    """GET /v2/images/{id}/file: the bits streamed from the store; 204 when there are none."""
    row = visible(deps, req.context, image_id)
    if row['status'] == 'deactivated' and not req.context.is_admin:
        raise exception.Forbidden(f'The requested image {image_id} has been deactivated. '
                                  'Image data download is forbidden.')
    # Only an admin gets here with a deactivated image: Glance lets admins read it.
    if row['status'] not in ('active', 'deactivated') \
            or not deps.image_store.exists(image_id):
        return wsgi.json_response(None, status=204)
    resp = webob.Response(status=200, content_type='application/octet-stream',
                          app_iter=deps.image_store.iter_chunks(image_id, CHUNK))
    resp.content_length = row['size']
    if row['checksum']:
        resp.headers['Content-MD5'] = row['checksum']
    return resp


def delete(req, deps, image_id):
    """DELETE /v2/images/{id}: the row goes first, so nobody starts reading vanishing bits."""
    ctx = req.context
    policy.authorize(ctx, 'images:manage')
    row = visible(deps, ctx, image_id)
    check_writer(ctx, row, 'delete')
    return delete_image(deps, image_id, row)


def delete_image(deps, image_id, row):
    """What both image DELETEs do once the caller may: refuse a protected image, then the
    row goes first, so nobody starts reading bits that are about to vanish; 204."""
    if row['protected']:
        raise exception.Forbidden(f'Image {image_id} is protected and cannot be deleted.')
    images_db.delete(deps.db, image_id)
    deps.image_store.delete(image_id)
    return wsgi.json_response(None, status=204)


ROUTES = [
    ('GET', PREFIX, versions),
    ('GET', PREFIX + '/versions', versions_ok),
    ('GET', PREFIX + '/v2/schemas/image', image_schema),
    ('GET', PREFIX + '/v2/schemas/images', images_schema),
    ('GET', PREFIX + '/v2/images', index),
    ('POST', PREFIX + '/v2/images', create),
    ('GET', PREFIX + '/v2/images/{image_id}', show),
    ('PATCH', PREFIX + '/v2/images/{image_id}', update),
    ('DELETE', PREFIX + '/v2/images/{image_id}', delete),
    ('DELETE', PREFIX + '/v2/images', _no_image_id),
    ('PUT', PREFIX + '/v2/images/{image_id}/file', upload),
    ('GET', PREFIX + '/v2/images/{image_id}/file', download),
]
