"""GET /image/v2/images/{id}/tasks (Glance 2.12): an image's import tasks; none run here."""
from api import wsgi
from api.handlers import images as image_handlers


def index(req, deps, image_id):
    image_handlers.visible(deps, req.context, image_id)  # a 404 for an image not seen
    return wsgi.json_response({'tasks': []})


ROUTES = [('GET', '/image/v2/images/{image_id}/tasks', index)]
