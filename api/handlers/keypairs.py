"""/os-keypairs: import or generate, list (paged from 2.35), show, delete; per user."""
from api import keypair_crypto
from api import policy
from api import quota
from api import schemas
from api import wsgi
from api.handlers import servers as server_handlers
from api.schemas import keypairs as keypair_schemas
from api.views import keypairs as views
from common import exception
from db import keypairs as keypairs_db

PREFIX = '/compute/v2.1/os-keypairs'


def _target_user(req, rule, requested=None):
    """The user whose keypairs are meant: the caller's, or (2.10+) ``user_id`` for an admin."""
    ctxt = req.context
    policy.authorize(ctxt, rule)
    if requested is None and req.api_version >= (2, 10):
        requested = req.GET.get('user_id')
    if not requested or req.api_version < (2, 10) or requested == ctxt.user_id:
        return ctxt.user_id
    # Nova's rule is "admin or owner": another user's keypairs are for admins only.
    if not ctxt.is_admin:
        raise exception.Forbidden(f'Policy does not allow {rule} to be performed.')
    return requested


def create(req, deps):
    version = req.api_version
    body = schemas.validate(keypair_schemas.create(version), req.json_body_or_400())
    wanted = body['keypair']
    user_id = _target_user(req, 'os-keypairs:create', wanted.get('user_id'))
    # key_pairs is a per-user quota: count the keypairs of the user the new one is for.
    quota.check_count(deps.conf, deps.db, req.context.project_id, 'key_pairs',
                      len(keypairs_db.list_(deps.db, user_id)), 1, user_id)
    key_type = wanted.get('type', keypair_crypto.SSH)
    private_key = None
    if 'public_key' in wanted:
        public_key = wanted['public_key']
        fingerprint = keypair_crypto.fingerprint(public_key, key_type)
    else:
        private_key, public_key, fingerprint = keypair_crypto.generate(key_type, user_id)
    row = keypairs_db.create(deps.db, {'name': wanted['name'], 'user_id': user_id,
                                       'public_key': public_key, 'fingerprint': fingerprint,
                                       'type': key_type})
    status = 201 if version >= (2, 2) else 200
    return wsgi.json_response({'keypair': views.created(row, version, private_key)}, status)


def index(req, deps):
    version = req.api_version
    user_id = _target_user(req, 'os-keypairs:index')
    limit = marker = None
    if version >= (2, 35):
        params = req.GET
        marker = params.get('marker')
        if 'limit' in params:
            limit = min(_limit(params['limit']), deps.conf.api.max_limit)
    found = keypairs_db.list_(deps.db, user_id, limit=limit, marker=marker)
    body = {'keypairs': [views.item(row, version) for row in found]}
    if limit and len(found) == limit:
        base = server_handlers.compute_base(req, deps)
        query = server_handlers.next_query(req.GET, limit, found[-1]['name'])
        body['keypairs_links'] = [{'rel': 'next', 'href': f'{base}/v2.1/os-keypairs?{query}'}]
    return wsgi.json_response(body)


def _limit(raw):
    try:
        value = int(raw)
    except ValueError:
        raise exception.Invalid('limit param must be an integer') from None
    if value < 0:
        raise exception.Invalid('limit param must be positive')
    return value


def show(req, deps, name):
    user_id = _target_user(req, 'os-keypairs:show')
    row = keypairs_db.get(deps.db, user_id, name)
    return wsgi.json_response({'keypair': views.show(row, req.api_version)})


def delete(req, deps, name):
    user_id = _target_user(req, 'os-keypairs:delete')
    keypairs_db.delete(deps.db, user_id, name)
    return wsgi.json_response(None, 204 if req.api_version >= (2, 2) else 202)


ROUTES = [
    ('POST', PREFIX, create),
    ('GET', PREFIX, index),
    ('GET', PREFIX + '/{name}', show),
    ('DELETE', PREFIX + '/{name}', delete),
]
