"""/os-availability-zone: zones and (detail, admin) each host's services, as Nova shows them."""
from api import policy
from api import wsgi
from api.views import services as service_views
from common import timeutils
from db import compute_nodes
from db import services

PREFIX = '/compute/v2.1/os-availability-zone'


def host_zones(deps):
    """{host: zone} of the compute hosts (their aggregate's zone wins), and the default."""
    zones = {n['host']: n['availability_zone'] for n in compute_nodes.list_(deps.db)}
    return zones, deps.conf.compute.availability_zone


def zoned_services(deps, found=None):
    """[(zone, service)] for ``found`` (default: every service): computes by their host."""
    zones, default = host_zones(deps)
    found = services.list_(deps.db) if found is None else found
    return [(service_views.zone(s, zones, default), s) for s in found]


_zoned_services = zoned_services


def _zones(zoned):
    """(available, unavailable): a zone is available while one of its services is enabled."""
    available = sorted({z for z, s in zoned if not s['disabled']})
    unavailable = sorted({z for z, s in zoned if s['disabled']} - set(available))
    return available, unavailable


def index(req, deps):
    policy.authorize(req.context, 'os-availability-zone:list')
    available, unavailable = _zones(_zoned_services(deps))
    # The internal zone holds no servers: Nova leaves it out of the plain list.
    body = [{'zoneName': z, 'zoneState': {'available': True}, 'hosts': None}
            for z in available if z != service_views.INTERNAL_ZONE]
    body += [{'zoneName': z, 'zoneState': {'available': False}, 'hosts': None}
             for z in unavailable if z != service_views.INTERNAL_ZONE]
    return wsgi.json_response({'availabilityZoneInfo': body})


def detail(req, deps):
    policy.authorize(req.context, 'os-availability-zone:detail')
    zoned = _zoned_services(deps)
    available, unavailable = _zones(zoned)
    body = []
    for name in available:
        hosts = {}
        # Like Nova, only enabled services are listed under their hosts.
        for zone, service in zoned:
            if zone != name or service['disabled']:
                continue
            hosts.setdefault(service['host'], {})[
                service_views.nova_binary(service['binary'])] = {
                'available': services.is_up(service, deps.services_down_time),
                'active': not service['disabled'],
                'updated_at': timeutils.isotime(service.get('last_seen_up')
                                                or service['updated_at'])}
        body.append({'zoneName': name, 'zoneState': {'available': True}, 'hosts': hosts})
    body += [{'zoneName': z, 'zoneState': {'available': False}, 'hosts': None}
             for z in unavailable]
    return wsgi.json_response({'availabilityZoneInfo': body})


ROUTES = [
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/detail', detail),
]
