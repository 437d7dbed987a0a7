"""/compute/v2.1/images: Nova's deprecated image proxy (list, detail, show, delete).

Old clients still use it. Nova serves it up to microversion 2.35 and answers 404
from 2.36 on. The bodies are Nova's (minRam, minDisk, metadata, SAVING for an
unfinished upload, a server link for snapshots), read from the same image rows
as the Glance v2 subset.
"""
from api import policy
from api import wsgi
from api.handlers import images as image_handlers
from api.handlers import servers as server_handlers
from api.views import compute_images as views
from common import exception
from common import timeutils
from db import images as images_db

PREFIX = '/compute/v2.1/images'
LAST_VERSION = (2, 35)


def _check_version(req):
    if req.api_version > LAST_VERSION:
        raise exception.NotFound('The resource could not be found.')


def _bases(req, deps):
    return server_handlers.compute_base(req, deps), deps.endpoint(req, '/image')


def _int_param(params, key):
    try:
        value = int(params[key])
    except ValueError:
        raise exception.Invalid(f'{key} param must be an integer') from None
    if value < 0:
        raise exception.Invalid(f'{key} param must be positive')
    return value


def _since(value):
    try:
        return timeutils.parse(value)
    except ValueError:
        raise exception.Invalid(f'Invalid changes-since value: {value}') from None


def _checks(params):
    """Predicates for Nova's filters that are image properties or ranges, not columns."""
    checks = []
    props = {key[len('property-'):]: value for key, value in params.items()
             if key.startswith('property-')}
    if 'server' in params:
        props['instance_uuid'] = params['server'].rstrip('/').rsplit('/', 1)[-1]
    if 'type' in params:
        props['image_type'] = params['type']
    for key, wanted in props.items():
        checks.append(lambda row, k=key, v=wanted: (row.get('properties') or {}).get(k) == v)
    for param, column in (('minRam', 'min_ram'), ('minDisk', 'min_disk')):
        if param in params:
            least = _int_param(params, param)
            checks.append(lambda row, c=column, n=least: (row.get(c) or 0) >= n)
    if 'changes-since' in params:
        since = _since(params['changes-since'])
        checks.append(lambda row: (row.get('updated_at') or row['created_at']) >= since)
    return checks


def _list(req, deps, detailed):
    _check_version(req)
    ctxt = req.context
    params = req.GET
    max_limit = deps.conf.api.max_limit
    page_limit = min(_int_param(params, 'limit'), max_limit) if 'limit' in params \
        else max_limit
    columns = {}
    if 'name' in params:
        columns['name'] = params['name']
    if 'status' in params:
        columns['status'] = params['status'].lower()  # Glance's statuses are lowercase
    checks = _checks(params)
    rows = images_db.list_(deps.db, columns, marker=params.get('marker'),
                           member_project=None if ctxt.is_admin else ctxt.project_id)
    rows = [row for row in rows if all(check(row) for check in checks)][:page_limit]
    compute_base, image_base = _bases(req, deps)
    view = views.detail if detailed else views.basic
    url = f'{compute_base}/v2.1/images' + ('/detail' if detailed else '')
    return wsgi.json_response(views.collection(
        rows, lambda row: view(row, compute_base, image_base), page_limit,
        list(params.items()), url))


def index(req, deps):
    return _list(req, deps, detailed=False)


def detail(req, deps):
    return _list(req, deps, detailed=True)


def show(req, deps, image_id):
    _check_version(req)
    row = image_handlers.visible(deps, req.context, image_id)
    return wsgi.json_response({'image': views.detail(row, *_bases(req, deps))})


def delete(req, deps, image_id):
    """DELETE: the row goes first, so nobody starts reading bits that are about to vanish."""
    _check_version(req)
    ctxt = req.context
    policy.authorize(ctxt, 'images:manage')
    row = image_handlers.visible(deps, ctxt, image_id)
    if not ctxt.is_admin and row['owner'] != ctxt.project_id:
        raise exception.Forbidden('You are not allowed to delete the image.')
    return image_handlers.delete_image(deps, image_id, row)


def delete_blank(req, deps):
    """DELETE /images/ (a blank id): Nova answers 404, as for any image it cannot find."""
    _check_version(req)
    raise exception.ImageNotFound(image_id='')


ROUTES = [
    ('GET', PREFIX, index),
    ('DELETE', PREFIX, delete_blank),
    ('GET', PREFIX + '/detail', detail),
    ('GET', PREFIX + '/{image_id}', show),
    ('DELETE', PREFIX + '/{image_id}', delete),
]
