"""Keystone v3 subset under /identity: version documents, tokens, project lookup."""
import base64
import datetime
import functools
import hashlib

from api import identity_store
from api import router
from api import tokens
from api import wsgi
from common import exception

PREFIX = '/identity'
DOMAIN = {'id': 'default', 'name': 'Default'}
# (type, name, path under the public endpoint) of every service in the catalog.
SERVICES = (('compute', 'nova', '/compute/v2.1'), ('image', 'glance', '/image'),
            ('identity', 'keystone', '/identity'))
_TITLES = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found'}


class KeystoneError(Exception):
    """An error rendered in Keystone's shape rather than Nova's."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def keystone_errors(func):
    """Render failures as {"error": {code, title, message}}, which keystoneauth reads."""
    @functools.wraps(func)
    def wrapper(req, deps, **kwargs):
        try:
            return func(req, deps, **kwargs)
        except KeystoneError as exc:
            return _error(req, deps, exc.code, str(exc))
        except exception.StratusError as exc:
            return _error(req, deps, exc.code if exc.code in _TITLES else 500, str(exc))
    return wrapper


def _error(req, deps, code, message):
    body = {'error': {'code': code, 'title': _TITLES.get(code, 'Internal Server Error'),
                      'message': message}}
    headers = {}
    if code == 401:
        headers['WWW-Authenticate'] = f'Keystone uri="{deps.endpoint(req, PREFIX)}"'
    return wsgi.json_response(body, status=code, headers=headers)


def _version_doc(req, deps):
    return {'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z',
            'links': [{'rel': 'self', 'href': deps.endpoint(req, PREFIX + '/v3/')}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.identity-v3+json'}]}


@router.public
def versions(req, deps):
    """GET /identity: the version list (300 Multiple Choices)."""
    return wsgi.json_response({'versions': {'values': [_version_doc(req, deps)]}}, status=300)


@router.public
def version_v3(req, deps):
    return wsgi.json_response({'version': _version_doc(req, deps)})


def _signer(deps):
    return tokens.TokenSigner(deps.conf.identity.token_secret, deps.conf.identity.token_ttl)


def _password_user(deps, identity):
    """The user a password method names (by id, or by name in the default domain)."""
    password = identity.get('password')
    user = password.get('user') if isinstance(password, dict) else None
    if not isinstance(user, dict) or not (user.get('id') or user.get('name')):
        raise KeystoneError(400, 'Expecting to find user in password auth.')
    for key in ('id', 'name', 'password'):
        if user.get(key) is not None and not isinstance(user[key], str):
            raise KeystoneError(400, f"Invalid input for field 'identity/password/user/"
                                      f"{key}': {user[key]!r} is not of type 'string'")
    if not user.get('id'):
        _check_domain(user.get('domain'), 401)
    found = deps.identity.authenticate(name=user.get('name'), user_id=user.get('id'),
                                       password=user.get('password'))
    if found is None:
        raise KeystoneError(401, 'The request you have made requires authentication.')
    return found, []


def _token_user(deps, identity):
    """The user of an existing token (re-scoping); its audit id chains on."""
    token = identity.get('token')
    old = token.get('id') if isinstance(token, dict) else None
    try:
        claims = _signer(deps).verify(old)
    except tokens.InvalidToken:
        raise KeystoneError(401, 'The request you have made requires authentication.') \
            from None
    user = deps.identity.by_id(claims.get('user_id'))
    if user is None:
        raise KeystoneError(401, 'The request you have made requires authentication.')
    return user, [_audit_id(old)]


def _check_domain(domain, code):
    """Only the default domain exists."""
    if not isinstance(domain, dict) or not (domain.get('id') or domain.get('name')):
        raise KeystoneError(400, 'Expecting to find domain in user or project.')
    if domain.get('id', 'default') != 'default' or domain.get('name', 'Default') != 'Default':
        raise KeystoneError(code, 'Could not find domain: '
                                   f"{domain.get('id') or domain.get('name')}.")


def _scope(deps, user, scope):
    """The project a token is for: the requested one, which must be the user's own."""
    if not scope:
        return {'id': user.project_id, 'name': user.project}
    project = scope.get('project') if isinstance(scope, dict) else None
    if not isinstance(project, dict):
        raise KeystoneError(401, 'Only project scope is supported.')
    if not project.get('id'):
        _check_domain(project.get('domain'), 401)
    wanted = project.get('id') or project.get('name')
    if wanted not in (user.project_id, user.project):
        raise KeystoneError(401, f'User {user.id} has no access to project {wanted}.')
    return {'id': user.project_id, 'name': user.project}


@router.public
@keystone_errors
def issue_token(req, deps):
    """POST /identity/v3/auth/tokens: password or token method → 201 + X-Subject-Token."""
    auth = req.json_body_or_400().get('auth')
    identity = auth.get('identity') if isinstance(auth, dict) else None
    methods = identity.get('methods') if isinstance(identity, dict) else None
    if not isinstance(methods, list) or not methods:
        raise KeystoneError(400, 'Expecting to find identity methods in auth.')
    if 'password' in methods:
        user, parents = _password_user(deps, identity)
    elif 'token' in methods:
        user, parents = _token_user(deps, identity)
    else:
        raise KeystoneError(401, f'Unsupported authentication methods: {methods}.')
    project = _scope(deps, user, auth.get('scope'))
    token, claims = _signer(deps).issue({
        'user_id': user.id, 'user_name': user.name, 'project_id': project['id'],
        'project_name': project['name'], 'roles': list(user.roles), 'methods': methods,
        'parent_audit_ids': parents})
    return _token_response(req, deps, token, claims, 201)


@keystone_errors
def validate_token(req, deps):
    """GET /identity/v3/auth/tokens: the body of the X-Subject-Token (own or any, admin)."""
    subject = req.headers.get('X-Subject-Token')
    try:
        claims = _signer(deps).verify(subject)
    except tokens.InvalidToken:
        raise KeystoneError(404, f'Could not find token: {subject}.') from None
    ctx = req.context
    if not ctx.is_admin and claims['user_id'] != ctx.user_id:
        raise KeystoneError(403, 'You are not authorized to perform the requested action: '
                                  'identity:validate_token.')
    return _token_response(req, deps, subject, claims, 200)


def _token_response(req, deps, token, claims, status):
    body = {'token': _token_body(req, deps, token, claims)}
    return wsgi.json_response(body, status=status, headers={'X-Subject-Token': token})


def _token_body(req, deps, token, claims):
    return {
        'methods': claims.get('methods') or ['password'],
        'expires_at': _timestamp(claims['exp']), 'issued_at': _timestamp(claims['iat']),
        'user': {'id': claims['user_id'], 'name': claims['user_name'], 'domain': DOMAIN,
                 'password_expires_at': None},
        'project': {'id': claims['project_id'], 'name': claims['project_name'],
                    'domain': DOMAIN},
        'is_domain': False,
        'roles': [{'id': identity_store.stable_id('role', r), 'name': r}
                  for r in claims['roles']],
        'audit_ids': [_audit_id(token)] + list(claims.get('parent_audit_ids') or []),
        'catalog': _catalog(req, deps),
    }


def _timestamp(epoch):
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _audit_id(token):
    """Keystone-like 22-character audit id; derived, so it never reveals the token."""
    digest = hashlib.sha256(token.encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip('=')


def _catalog(req, deps):
    region = deps.conf.identity.region
    base = deps.endpoint(req)
    return [{'type': kind, 'name': name, 'id': identity_store.stable_id('service', kind),
             'endpoints': [{'id': identity_store.stable_id('endpoint', kind),
                            'interface': 'public', 'region': region, 'region_id': region,
                            'url': base + path}]}
            for kind, name, path in SERVICES]


def _project_doc(req, deps, project):
    return dict(project, domain_id='default', description='', enabled=True,
                is_domain=False, parent_id='default', tags=[], options={},
                links={'self': deps.endpoint(req, f"{PREFIX}/v3/projects/{project['id']}")})


@keystone_errors
def show_project(req, deps, project_ref):
    """GET /identity/v3/projects/{id or name}: admins, or a member of that project."""
    ctx = req.context
    project = deps.identity.project_by_name_or_id(project_ref)
    if not ctx.is_admin and (project is None or project['id'] != ctx.project_id):
        raise KeystoneError(403, 'You are not authorized to perform the requested action: '
                                  'identity:get_project.')
    if project is None:
        raise KeystoneError(404, f'Could not find project: {project_ref}.')
    return wsgi.json_response({'project': _project_doc(req, deps, project)})


@keystone_errors
def list_projects(req, deps):
    """GET /identity/v3/projects[?name=]: admins only, as in Keystone's default policy."""
    if not req.context.is_admin:
        raise KeystoneError(403, 'You are not authorized to perform the requested action: '
                                  'identity:list_projects.')
    name = req.GET.get('name')
    found = [deps.identity.project_by_name_or_id(p) for p in deps.identity.projects()]
    projects = [_project_doc(req, deps, p) for p in found if name in (None, p['name'])]
    links = {'self': deps.endpoint(req, PREFIX + '/v3/projects'), 'previous': None,
             'next': None}
    return wsgi.json_response({'projects': projects, 'links': links})


ROUTES = [
    ('GET', PREFIX, versions),
    ('GET', PREFIX + '/v3', version_v3),
    ('POST', PREFIX + '/v3/auth/tokens', issue_token),
    ('GET', PREFIX + '/v3/auth/tokens', validate_token),
    ('GET', PREFIX + '/v3/projects', list_projects),
    ('GET', PREFIX + '/v3/projects/{project_ref}', show_project),
]
