"""/compute/v2.1/images/{id}/metadata: Nova's proxy onto an image's properties (to 2.38)."""
import sys

from api import policy
from api import quota
from api import wsgi
from api.handlers import images as image_handlers
from api.schemas import metadata as meta_schemas
from api.views import compute_images as views
from common import exception
from db import images as images_db

PREFIX = '/compute/v2.1/images/{image_id}/metadata'
# Nova deprecated the image-metadata proxy at 2.39: 404 from then on.
LAST_VERSION = (2, 38)


def _image(req, deps, image_id):
    if req.api_version > LAST_VERSION:
        raise exception.NotFound('The resource could not be found.')
    return image_handlers.visible(deps, req.context, image_id)


def _write(req, deps, image_id, change):
    """Replace the image's visible metadata with ``change(old)``; its other properties stay."""
    ctxt = req.context
    row = _image(req, deps, image_id)
    policy.authorize(ctxt, 'image-metadata:manage')
    if not ctxt.is_admin and row['owner'] != ctxt.project_id:
        # Glance refuses a change to an image the caller does not own; Nova passes on 403.
        raise exception.Forbidden(f'You are not permitted to modify image {image_id}.')
    old = views.metadata(row)
    new = change(dict(old))
    quota.check_metadata(deps.conf, deps.db, ctxt.project_id, new)
    # Keep what Nova's metadata never showed (Glance's own and non-string properties).
    kept = {k: v for k, v in (row.get('properties') or {}).items() if k not in old}
    images_db.update(deps.db, image_id, {'properties': {**kept, **new}})
    return new


def index(req, deps, image_id):
    return wsgi.json_response({'metadata': views.metadata(_image(req, deps, image_id))})


def replace(req, deps, image_id):
    wanted = meta_schemas.all_from(req)
    return wsgi.json_response({'metadata': _write(req, deps, image_id,
                                                  lambda old: dict(wanted))})


def merge(req, deps, image_id):
    wanted = meta_schemas.all_from(req)
    return wsgi.json_response({'metadata': _write(req, deps, image_id,
                                                  lambda old: {**old, **wanted})})


def show(req, deps, image_id, key):
    metadata = views.metadata(_image(req, deps, image_id))
    return wsgi.json_response(meta_schemas.item(metadata, key))


def set_item(req, deps, image_id, key):
    value = meta_schemas.item_from(req, key)
    _write(req, deps, image_id, lambda old: {**old, key: value})
    return wsgi.json_response({'meta': {key: value}})


def delete_item(req, deps, image_id, key):
    _write(req, deps, image_id, meta_schemas.without(key))
    return wsgi.json_response(None, 204)


ROUTES = meta_schemas.routes(PREFIX, sys.modules[__name__])
