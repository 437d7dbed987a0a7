"""/os-hypervisors: compute nodes with their capacity and usage (admin)."""
from api import policy
from api import schemas
from api import wsgi
from common import exception
from db import compute_nodes
from db import instances
from db import services

PREFIX = '/compute/v2.1/os-hypervisors'


def _state(deps, node):
    found = services.list_(deps.db, host=node['host'], binary='stratus-compute')
    service = found[0] if found else None
    up = bool(service) and services.is_up(service, deps.services_down_time)
    return service, up


def service_state(deps, node):
    """(service row or None, is it up) of the node's compute service."""
    return _state(deps, node)


def summary(deps, node, version):
    """The short view (id, hypervisor_hostname, state, status) the lookups share."""
    return _view(deps, node, version, False)


def _with_servers(req):
    """?with_servers= (2.53+): a boolean, else 400."""
    raw = req.GET.get('with_servers')
    if raw is None or req.api_version < (2, 53):
        return False
    schemas.validate(schemas.BOOLEAN, raw)
    return schemas.to_bool(raw)


def servers_on(deps, node):
    """[{name, uuid}] of the live servers on the node's host."""
    return [{'name': i['display_name'], 'uuid': i['uuid']}
            for i in instances.list_(deps.db, {'host': node['host']}, sort_desc=False)]


def _add_servers(deps, body, node):
    found = servers_on(deps, node)
    if found:  # Nova leaves 'servers' out of a hypervisor without any.
        body['servers'] = found
    return body


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
                     # A JSON string before 2.28, an object from it on.
                     'cpu_info': '{}' if version < (2, 28) else {}})
    else:
        body['uptime'] = None
    return body


def _list(req, deps, detailed):
    policy.authorize(req.context, 'os-hypervisors')
    pattern = req.GET.get('hypervisor_hostname_pattern')
    nodes = [n for n in compute_nodes.list_(deps.db)
             if not pattern or pattern in n['hypervisor_hostname']]
    if pattern and not nodes and req.api_version >= (2, 53):
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    with_servers = _with_servers(req)
    views = [_view(deps, n, req.api_version, detailed) for n in nodes]
    if with_servers:
        views = [_add_servers(deps, v, n) for v, n in zip(views, nodes)]
    return wsgi.json_response({'hypervisors': views})


def index(req, deps):
    return _list(req, deps, False)


def detail(req, deps):
    return _list(req, deps, True)


def get_node(deps, hypervisor_id):
    """The compute node ``hypervisor_id`` (id or uuid); 404 if there is none."""
    if hypervisor_id.isdigit() and not (hypervisor_id.isascii() and int(hypervisor_id) < 2 ** 63):
        # '²' or an integer SQLite cannot hold: no such hypervisor (not a 500).
        raise exception.NotFound(f'Hypervisor {hypervisor_id} could not be found.')
    return compute_nodes.get(deps.db, hypervisor_id)


def show(req, deps, hypervisor_id):
    policy.authorize(req.context, 'os-hypervisors')
    node = get_node(deps, hypervisor_id)
    body = _view(deps, node, req.api_version, True)
    if _with_servers(req):
        _add_servers(deps, body, node)
    return wsgi.json_response({'hypervisor': body})


def statistics(req, deps):
    policy.authorize(req.context, 'os-hypervisors')
    if req.api_version >= (2, 88):
        raise exception.NotFound('The resource could not be found.')  # gone at 2.88
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
