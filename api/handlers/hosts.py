"""/os-hosts (deprecated, gone at 2.43): hosts with their services, zones and usage (admin)."""
from api import policy
from api import schemas
from api import wsgi
from api.handlers import availability_zones
from api.views import services as service_views
from common import exception
from db import compute_nodes
from db import instances
from db import services

PREFIX = '/compute/v2.1/os-hosts'
_API_BINARIES = ('stratus-api', 'stratus-metadata')
_SWITCH = {'type': 'string', 'enum': ['enable', 'disable', 'Enable', 'Disable',
                                      'ENABLE', 'DISABLE']}
UPDATE = {'type': 'object', 'properties': {'status': _SWITCH, 'maintenance_mode': _SWITCH},
          'additionalProperties': False}


class NotImplementedByDriver(exception.StratusError):
    """What Nova answers where the libvirt driver has no such host operation."""
    code = 501
    message = 'Action is not supported by the hypervisor of host %(host)s.'


def _check(req, rule):
    if req.api_version >= (2, 43):  # os-hosts is gone from 2.43 on, as in Nova
        raise exception.NotFound('The resource could not be found.')
    policy.authorize(req.context, rule)


def _compute_service(deps, host):
    found = services.list_(deps.db, host=host, binary=service_views.COMPUTE)
    if not found:
        raise exception.ComputeHostNotFound(host=host)
    return found[0]


def _topic(binary):
    """The service column: Nova's topic ('compute', 'conductor', ...)."""
    name = service_views.nova_binary(binary)
    return name[len(service_views.NOVA):] if name.startswith(service_views.NOVA) else name


def index(req, deps):
    _check(req, 'os-hosts:list')
    zone = req.GET.get('zone')
    found = [s for s in services.list_(deps.db) if s['binary'] not in _API_BINARIES]
    return wsgi.json_response({'hosts': [
        {'host_name': s['host'], 'service': _topic(s['binary']), 'zone': z}
        for z, s in availability_zones.zoned_services(deps, found) if not zone or z == zone]})


def _row(host, project, cpu, memory_mb, disk_gb):
    return {'resource': {'host': host, 'project': project, 'cpu': cpu,
                         'memory_mb': memory_mb, 'disk_gb': disk_gb}}


def _usage(host, label, found):
    return _row(host, label, sum(i['vcpus'] for i in found),
                sum(i['memory_mb'] for i in found),
                sum(i['root_gb'] + i['ephemeral_gb'] for i in found))


def show(req, deps, host_name):
    _check(req, 'os-hosts:show')
    nodes = compute_nodes.list_(deps.db, host=host_name)
    if not nodes:
        raise exception.ComputeHostNotFound(host=host_name)
    node = nodes[0]  # Nova shows a host's first node
    found = instances.list_(deps.db, {'host': host_name}, sort_desc=False)
    rows = [_row(host_name, '(total)', node['vcpus'], node['memory_mb'], node['local_gb']),
            _row(host_name, '(used_now)', node['vcpus_used'], node['memory_mb_used'],
                 node['local_gb_used']),
            _usage(host_name, '(used_max)', found)]
    projects = {}
    for instance in found:
        projects.setdefault(instance['project_id'], []).append(instance)
    rows += [_usage(host_name, project, mine) for project, mine in projects.items()]
    return wsgi.json_response({'host': rows})


def update(req, deps, host_name):
    _check(req, 'os-hosts:update')
    body = schemas.validate(UPDATE, req.json_body_or_400())
    if not body:
        raise exception.Invalid("'status' or 'maintenance_mode' needed for host update")
    service = _compute_service(deps, host_name)
    if 'maintenance_mode' in body:  # refused before anything changes
        raise NotImplementedByDriver(host=host_name)
    disabled = body['status'].lower() == 'disable'
    services.update(deps.db, service['id'], {'disabled': disabled, 'disabled_reason': None})
    return wsgi.json_response({'host': host_name,
                               'status': 'disabled' if disabled else 'enabled'})


def _power(rule):
    def handler(req, deps, host_name):
        _check(req, f'os-hosts:{rule}')
        _compute_service(deps, host_name)
        raise NotImplementedByDriver(host=host_name)
    handler.__name__ = rule
    return handler


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/{host_name}', show),
    ('PUT', PREFIX + '/{host_name}', update),
    ('GET', PREFIX + '/{host_name}/reboot', _power('reboot')),
    ('GET', PREFIX + '/{host_name}/shutdown', _power('shutdown')),
    ('GET', PREFIX + '/{host_name}/startup', _power('start')),
]
