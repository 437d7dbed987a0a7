"""/os-services: list services with their state; enable, disable, force down, delete."""
from api import policy
from api import schemas
from api import wsgi
from api.handlers import availability_zones
from api.views import services as service_views
from common import exception
from common import timeutils
from db import services

PREFIX = '/compute/v2.1/os-services'

UPDATE = {'type': 'object', 'properties': {
    'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
    'disabled_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'forced_down': schemas.BOOLEAN}, 'additionalProperties': False}


def _view(service, down_time, version, zone):
    body = {
        'id': service['uuid'] if version >= (2, 53) else service['id'],
        'binary': service_views.nova_binary(service['binary']), 'host': service['host'],
        'zone': zone,
        'status': 'disabled' if service['disabled'] else 'enabled',
        'state': 'up' if services.is_up(service, down_time) else 'down',
        'updated_at': timeutils.isotime(service.get('last_seen_up') or service['updated_at']),
        'disabled_reason': service['disabled_reason'],
    }
    if version >= (2, 11):
        body['forced_down'] = bool(service['forced_down'])
    return body


def _check_id(service_id):
    """'²' or an integer SQLite cannot hold names no service (a 404, not a 500)."""
    if service_id.isdigit() and not (service_id.isascii() and int(service_id) < 2 ** 63):
        raise exception.NotFound(f'Service {service_id} not found.')


def index(req, deps):
    policy.authorize(req.context, 'os-services')
    # Nova's clients filter on nova-compute; either spelling finds stratus-compute.
    found = services.list_(deps.db, host=req.GET.get('host'),
                           binary=service_views.stratus_binary(req.GET.get('binary')))
    return wsgi.json_response({'services': [
        _view(s, deps.services_down_time, req.api_version, zone)
        for zone, s in availability_zones.zoned_services(deps, found)]})


# Before 2.53 a service is named by host and binary and the path names the change.
_HOST_BINARY = {'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255}}
_LEGACY = {
    'enable': ({}, lambda body: {'disabled': False, 'disabled_reason': None}),
    'disable': ({}, lambda body: {'disabled': True, 'disabled_reason': None}),
    'disable-log-reason': ({'disabled_reason': {'type': 'string', 'minLength': 1,
                                                'maxLength': 255}},
                           lambda body: {'disabled': True,
                                         'disabled_reason': body['disabled_reason']}),
    'force-down': ({'forced_down': schemas.BOOLEAN},
                   lambda body: {'forced_down': schemas.to_bool(body['forced_down'])}),
}


def _legacy_update(req, deps, action):
    """PUT /os-services/{enable,disable,disable-log-reason,force-down} (force-down 2.11+)."""
    if action not in _LEGACY or (action == 'force-down' and req.api_version < (2, 11)):
        raise exception.NotFound(f'Unknown action {action}.')
    extra, values_of = _LEGACY[action]
    body = schemas.validate({'type': 'object', 'properties': dict(_HOST_BINARY, **extra),
                             'required': ['host', 'binary', *extra],
                             'additionalProperties': False}, req.json_body_or_400())
    found = services.list_(deps.db, host=body['host'],
                           binary=service_views.stratus_binary(body['binary']))
    if not found:
        raise exception.NotFound(f'Service {body["binary"]} on host {body["host"]} could '
                                 'not be found.')
    values = values_of(body)
    service = services.update(deps.db, found[0]['id'], values)
    shown = {'host': body['host'], 'binary': body['binary']}
    if action == 'force-down':
        shown['forced_down'] = bool(service['forced_down'])
    else:
        shown['status'] = 'disabled' if service['disabled'] else 'enabled'
        if action == 'disable-log-reason':
            shown['disabled_reason'] = service['disabled_reason']
    return wsgi.json_response({'service': shown})


def update(req, deps, service_id):
    policy.authorize(req.context, 'os-services')
    if req.api_version < (2, 53):
        return _legacy_update(req, deps, service_id)
    _check_id(service_id)
    body = schemas.validate(UPDATE, req.json_body_or_400())
    values = {}
    if 'status' in body:
        values['disabled'] = body['status'] == 'disabled'
        values['disabled_reason'] = body.get('disabled_reason') if values['disabled'] else None
    elif 'disabled_reason' in body:
        raise exception.Invalid('disabled_reason is only allowed with status disabled.')
    if 'forced_down' in body:
        values['forced_down'] = schemas.to_bool(body['forced_down'])
    if not values:
        raise exception.Invalid('No updates were requested.')
    service = services.update(deps.db, service_id, values)
    zone = availability_zones.zoned_services(deps, [service])[0][0]
    return wsgi.json_response({'service': _view(service, deps.services_down_time,
                                                req.api_version, zone)})


def delete(req, deps, service_id):
    policy.authorize(req.context, 'os-services')
    _check_id(service_id)
    services.delete(deps.db, service_id)
    return wsgi.json_response(None, 204)


ROUTES = [
    ('GET', PREFIX, index),
    ('PUT', PREFIX + '/{service_id}', update),
    ('DELETE', PREFIX + '/{service_id}', delete),
]
