"""Identity v3 domains: the one 'default' domain every user and project lives in (read-only)."""
from api import wsgi
from api.handlers import identity

DOMAIN_ID = 'default'
DOMAIN_NAME = 'Default'


def _doc(req, deps):
    return {'id': DOMAIN_ID, 'name': DOMAIN_NAME, 'description': 'The default domain',
            'enabled': True, 'tags': [], 'options': {},
            'links': {'self': deps.endpoint(req, f'{identity.PREFIX}/v3/domains/{DOMAIN_ID}')}}


def _require_admin(req, action):
    if not req.context.is_admin:
        raise identity.KeystoneError(403, 'You are not authorized to perform the requested '
                                          f'action: identity:{action}.')


@identity.keystone_errors
def list_domains(req, deps):
    """GET /identity/v3/domains[?name=]: admins only, as in Keystone's default policy."""
    _require_admin(req, 'list_domains')
    name = req.GET.get('name')
    domains = [_doc(req, deps)] if name in (None, DOMAIN_NAME) else []
    links = {'self': deps.endpoint(req, identity.PREFIX + '/v3/domains'), 'previous': None,
             'next': None}
    return wsgi.json_response({'domains': domains, 'links': links})


@identity.keystone_errors
def show_domain(req, deps, domain_id):
    _require_admin(req, 'get_domain')
    if domain_id != DOMAIN_ID:
        raise identity.KeystoneError(404, f'Could not find domain: {domain_id}.')
    return wsgi.json_response({'domain': _doc(req, deps)})


ROUTES = [
    ('GET', identity.PREFIX + '/v3/domains', list_domains),
    ('GET', identity.PREFIX + '/v3/domains/{domain_id}', show_domain),
]
