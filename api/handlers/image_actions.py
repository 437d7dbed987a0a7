"""Glance v2 image extras under /image: tags, deactivate/reactivate, import info."""
from api import policy
from api import wsgi
from api.handlers import images
from common import exception
from db import images as images_db

PREFIX = images.PREFIX
# Glance's [DEFAULT] image_tag_quota and the schema's tag length.
TAG_QUOTA = 128
TAG_MAX_LEN = 255


class TooManyTags(exception.StratusError):
    """Glance answers 413 when a tag would pass the image's tag quota."""
    code = 413


def _writable(req, deps, image_id, action):
    """The image row if the caller may change it (owner or admin); 404/403 otherwise."""
    policy.authorize(req.context, 'images:manage')
    row = images.visible(deps, req.context, image_id)
    images.check_writer(req.context, row, action)
    return row


def add_tag(req, deps, image_id, tag):
    """PUT /v2/images/{id}/tags/{tag}: 204; adding a tag already there changes nothing."""
    row = _writable(req, deps, image_id, 'modify')
    if len(tag) > TAG_MAX_LEN:
        raise exception.Invalid(f'Tag is longer than {TAG_MAX_LEN} characters.')
    props = dict(row['properties'] or {})
    tags = list(props.get('tags') or [])
    if tag not in tags:
        if len(tags) >= TAG_QUOTA:
            raise TooManyTags(f'Maximum number of tags ({TAG_QUOTA}) exceeded.')
        props['tags'] = tags + [tag]
        images_db.update(deps.db, image_id, {'properties': props})
    return wsgi.json_response(None, status=204)


def delete_tag(req, deps, image_id, tag):
    """DELETE /v2/images/{id}/tags/{tag}: 204, or 404 when the image has no such tag."""
    row = _writable(req, deps, image_id, 'modify')
    props = dict(row['properties'] or {})
    tags = list(props.get('tags') or [])
    if tag not in tags:
        raise exception.NotFound(f'Tag {tag} not found.')
    props['tags'] = [t for t in tags if t != tag]
    images_db.update(deps.db, image_id, {'properties': props})
    return wsgi.json_response(None, status=204)


def _switch(req, deps, image_id, verb, source, target):
    """Move the image ``source`` → ``target``; already at ``target`` is a no-op (Glance)."""
    row = _writable(req, deps, image_id, verb)
    if row['status'] != target:
        if row['status'] != source:
            raise exception.Forbidden(f"Not allowed to {verb} image in status "
                                      f"'{row['status']}'.")
        # Conditional: a racing upload or delete makes this a 409, not a lost update.
        images_db.update(deps.db, image_id, {'status': target}, expected_status=source)
    return wsgi.json_response(None, status=204)


def deactivate(req, deps, image_id):
    """POST /v2/images/{id}/actions/deactivate: active → deactivated (no downloads)."""
    return _switch(req, deps, image_id, 'deactivate', 'active', 'deactivated')


def reactivate(req, deps, image_id):
    """POST /v2/images/{id}/actions/reactivate: deactivated → active."""
    return _switch(req, deps, image_id, 'reactivate', 'deactivated', 'active')


def info_import(req, deps):
    """GET /v2/info/import: no interoperable import methods (uploads use PUT .../file)."""
    return wsgi.json_response({'import-methods': {
        'description': 'Import methods available.', 'type': 'array', 'value': []}})


ROUTES = [
    ('PUT', PREFIX + '/v2/images/{image_id}/tags/{tag}', add_tag),
    ('DELETE', PREFIX + '/v2/images/{image_id}/tags/{tag}', delete_tag),
    ('POST', PREFIX + '/v2/images/{image_id}/actions/deactivate', deactivate),
    ('POST', PREFIX + '/v2/images/{image_id}/actions/reactivate', reactivate),
    ('GET', PREFIX + '/v2/info/import', info_import),
]
