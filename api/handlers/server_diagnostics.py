"""/servers/{id}/diagnostics (admin): the guest as its hypervisor sees it, over compute RPC."""
from api import policy
from api import wsgi
from api.handlers import servers
from common import exception
from rpc import client as rpc_client

PATH = '/compute/v2.1/servers/{server_id}/diagnostics'
FIELDS = ('state', 'driver', 'hypervisor', 'hypervisor_os', 'uptime', 'config_drive',
          'num_cpus', 'num_nics', 'num_disks', 'memory_details', 'cpu_details',
          'nic_details', 'disk_details')


def legacy(diags):
    """Before 2.48 each driver had its own flat format; this is libvirt's, built from the
    standard one (devices are numbered, as the standard format carries no names)."""
    body = {f'cpu{c["id"]}_time': c['time'] for c in diags['cpu_details']}
    memory = diags['memory_details']
    body.update({'memory': memory['maximum'] and memory['maximum'] * 1024,
                 'memory-actual': memory['used'] and memory['used'] * 1024})
    for n, disk in enumerate(diags['disk_details']):
        body.update({f'disk{n}_read': disk['read_bytes'],
                     f'disk{n}_read_req': disk['read_requests'],
                     f'disk{n}_write': disk['write_bytes'],
                     f'disk{n}_write_req': disk['write_requests'],
                     f'disk{n}_errors': disk['errors_count']})
    for n, nic in enumerate(diags['nic_details']):
        for key in ('rx', 'tx'):
            body.update({f'nic{n}_{key}': nic[f'{key}_octets'],
                         f'nic{n}_{key}_packets': nic[f'{key}_packets'],
                         f'nic{n}_{key}_errors': nic[f'{key}_errors'],
                         f'nic{n}_{key}_drop': nic[f'{key}_drop']})
    return body


def show(req, deps, server_id):
    policy.authorize(req.context, 'os-server-diagnostics')
    instance = servers.get_instance(req, deps, server_id)
    if not instance['host']:
        raise exception.Conflict(f'Instance {server_id} is not ready yet: it has no host.')
    if not deps.compute_api.can_diagnose():
        raise exception.Conflict('Diagnostics are not available while [upgrade_levels] '
                                 'compute is below 1.4.')
    try:
        diags = deps.compute_api.get_instance_diagnostics(req.context, instance['host'],
                                                          instance)
    except rpc_client.CallTimeout as exc:
        raise exception.ServiceUnavailable(what=f'Compute service of {instance["host"]}',
                                           reason=str(exc)) from exc
    diags = {k: diags.get(k) for k in FIELDS}
    if req.api_version < (2, 48):
        diags = legacy(diags)
    return wsgi.json_response(diags)


ROUTES = [('GET', PATH, show)]
