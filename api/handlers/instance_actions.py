"""/servers/{id}/os-instance-actions: what was done to a server, with events."""
from api import policy
from api import wsgi
from api.handlers import servers as server_handlers
from common import exception
from common import timeutils
from db import actions
from db import instances

PREFIX = '/compute/v2.1/servers/{server_id}/os-instance-actions'


def _instance(req, deps, server_id):
    # Actions stay readable after the server is deleted (microversion 2.21).
    if req.api_version >= (2, 21):
        instance = instances.get(deps.db, server_id, read_deleted=True)
        policy.check_owner(req.context, instance['project_id'],
                           exception.InstanceNotFound(uuid=server_id))
        return instance
    return server_handlers.get_instance(req, deps, server_id)


def _action_view(action, version):
    body = {'action': action['action'], 'instance_uuid': action['instance_uuid'],
            'request_id': action['request_id'], 'user_id': action['user_id'],
            'project_id': action['project_id'],
            'start_time': timeutils.isotime(action['start_time']),
            'message': action['message']}
    if version >= (2, 58):
        body['updated_at'] = timeutils.isotime(action['updated_at'])
    return body


def _event_view(event, version, is_admin):
    body = {'event': event['event'], 'start_time': timeutils.isotime(event['start_time']),
            'finish_time': timeutils.isotime(event['finish_time']),
            'result': event['result']}
    if is_admin:
        body['traceback'] = event['traceback']
    if version >= (2, 62):
        body['hostId'] = ''
        if is_admin:
            body['host'] = event['host']
    if version >= (2, 84) and is_admin:
        body['details'] = event['details']
    return body


def index(req, deps, server_id):
    policy.authorize(req.context, 'servers:instance_actions')
    instance = _instance(req, deps, server_id)
    found = actions.list_(deps.db, instance['uuid'])
    return wsgi.json_response({'instanceActions': [
        _action_view(a, req.api_version) for a in found]})


def show(req, deps, server_id, request_id):
    ctxt = req.context
    policy.authorize(ctxt, 'servers:instance_actions')
    instance = _instance(req, deps, server_id)
    action = actions.get(deps.db, instance['uuid'], request_id)
    body = _action_view(action, req.api_version)
    body['events'] = [_event_view(e, req.api_version, ctxt.is_admin) for e in action['events']]
    return wsgi.json_response({'instanceAction': body})


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/{request_id}', show),
]
