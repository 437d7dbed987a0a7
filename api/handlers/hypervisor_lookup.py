"""/os-hypervisors/{pattern}/search, /{pattern}/servers (before 2.53) and /{id}/uptime."""
from api import policy
from api import wsgi
from api.handlers import hypervisors
from common import exception
from db import compute_nodes
from rpc import client as rpc_client

PREFIX = hypervisors.PREFIX


def matching(deps, pattern):
    """Nodes whose hypervisor_hostname contains ``pattern`` (Nova's LIKE %pattern%); 404
    when there are none."""
    found = [n for n in compute_nodes.list_(deps.db) if pattern in n['hypervisor_hostname']]
    if not found:
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return found


def _before_2_53(req):
    policy.authorize(req.context, 'os-hypervisors')
    if req.api_version >= (2, 53):
        # Replaced by ?hypervisor_hostname_pattern= and ?with_servers= at 2.53.
        raise exception.NotFound('The resource could not be found.')


def search(req, deps, pattern):
    _before_2_53(req)
    return wsgi.json_response({'hypervisors': [
        hypervisors.summary(deps, n, req.api_version) for n in matching(deps, pattern)]})


def servers(req, deps, pattern):
    _before_2_53(req)
    body = []
    for node in matching(deps, pattern):
        item = hypervisors.summary(deps, node, req.api_version)
        found = hypervisors.servers_on(deps, node)
        if found:  # Nova leaves 'servers' out of a hypervisor without any.
            item['servers'] = found
        body.append(item)
    return wsgi.json_response({'hypervisors': body})


def uptime(req, deps, hypervisor_id):
    policy.authorize(req.context, 'os-hypervisors')
    if req.api_version >= (2, 88):
        raise exception.NotFound('The resource could not be found.')
    node = hypervisors.get_node(deps, hypervisor_id)
    body = hypervisors.summary(deps, node, req.api_version)
    body['uptime'] = host_uptime(req, deps, node)
    return wsgi.json_response({'hypervisor': body})


def host_uptime(req, deps, node):
    """The host's own `uptime` line, asked of its compute service (400 while it is down,
    as Nova answers)."""
    _service, up = hypervisors.service_state(deps, node)
    if not up:
        raise exception.Invalid(f'Compute service of {node["host"]} is unavailable at '
                                'this time.')
    if not deps.compute_api.can_diagnose():
        raise exception.Conflict('Host uptime is not available while [upgrade_levels] '
                                 'compute is below 1.4.')
    try:
        return deps.compute_api.get_host_uptime(req.context, node['host'])
    except rpc_client.CallTimeout as exc:
        raise exception.Invalid(f'Compute service of {node["host"]} is unavailable at '
                                'this time.') from exc


ROUTES = [
    ('GET', PREFIX + '/{pattern}/search', search),
    ('GET', PREFIX + '/{pattern}/servers', servers),
    ('GET', PREFIX + '/{hypervisor_id}/uptime', uptime),
]
