"""/os-hypervisors: compute nodes with their capacity and usage (admin)."""
from api import policy
from api import wsgi
from common import exception
from db import compute_nodes
from db import services

PREFIX = '/compute/v2.1/os-hypervisors'


def _state(deps, node):
    found = services.list_(deps.db, host=node['host'], binary='stratus-compute')
    service = found[0] if found else None
    up = bool(service) and services.is_up(service, deps.services_down_time)
    return service, up


def _view(deps, node, version, detailed):
    service, up = _state(deps, node)
    body = {'id': node['uuid'] if version >= (2, 53) else node['id'],
            'hypervisor_hostname': node['hypervisor_hostname'],
            'state': 'up' if up else 'down',
            'status': 'disabled' if service and service['disabled'] else 'enabled'}
    if not detailed:
        return body
    body.update({
        'host_ip': node['host_ip'], 'hypervisor_type': node['hypervisor_type'],
        'hypervisor_version': node['hypervisor_version'],
        'service': {'host': node['host'],
                    'id': (service['uuid'] if version >= (2, 53) else service['id'])
                    if service else None,
                    'disabled_reason': service['disabled_reason'] if service else None},
    })
    if version < (2, 88):
        vcpus, mem, disk = compute_nodes.capacity(node)
        body.update({'vcpus': node['vcpus'], 'memory_mb': node['memory_mb'],
                     'local_gb': node['local_gb'], 'vcpus_used': node['vcpus_used'],
                     'memory_mb_used': node['memory_mb_used'],
                     'local_gb_used': node['local_gb_used'],
                     'free_ram_mb': node['memory_mb'] - node['memory_mb_used'],
                     'free_disk_gb': node['local_gb'] - node['local_gb_used'],
                     'current_workload': 0, 'running_vms': node['running_vms'],
                     'disk_available_least': node['local_gb'] - node['local_gb_used'],
                     'cpu_info': '{}'})
    else:
        body['uptime'] = None
    return body


def _list(req, deps, detailed):
    policy.authorize(req.context, 'os-hypervisors')
    pattern = req.GET.get('hypervisor_hostname_pattern')
    nodes = [n for n in compute_nodes.list_(deps.db)
             if not pattern or pattern in n['hypervisor_hostname']]
    return wsgi.json_response({'hypervisors': [
        _view(deps, n, req.api_version, detailed) for n in nodes]})


def index(req, deps):
    return _list(req, deps, False)


def detail(req, deps):
    return _list(req, deps, True)


def show(req, deps, hypervisor_id):
    policy.authorize(req.context, 'os-hypervisors')
    if hypervisor_id.isdigit() and not (hypervisor_id.isascii() and int(hypervisor_id) < 2 ** 63):
        # '²' or an integer SQLite cannot hold: no such hypervisor (not a 500).
        raise exception.NotFound(f'Hypervisor {hypervisor_id} could not be found.')
    node = compute_nodes.get(deps.db, hypervisor_id)
    return wsgi.json_response({'hypervisor': _view(deps, node, req.api_version, True)})


def statistics(req, deps):
    policy.authorize(req.context, 'os-hypervisors')
    nodes = compute_nodes.list_(deps.db)
    keys = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used',
            'running_vms')
    stats = {k: sum(n[k] for n in nodes) for k in keys}
    stats.update(count=len(nodes), free_ram_mb=stats['memory_mb'] - stats['memory_mb_used'],
                 free_disk_gb=stats['local_gb'] - stats['local_gb_used'], current_workload=0,
                 disk_available_least=stats['local_gb'] - stats['local_gb_used'])
    return wsgi.json_response({'hypervisor_statistics': stats})


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/detail', detail),
    ('GET', PREFIX + '/statistics', statistics),
    ('GET', PREFIX + '/{hypervisor_id}', show),
]
