"""Who is calling: a signed token (keystone mode) or the noauth "user:project" convention."""
from api import tokens
from api import identity_store
from rpc import context as context_mod

NOAUTH_DEFAULT_PROJECT = 'admin'


class Authenticator:
    def __init__(self, conf):
        self.strategy = conf.api.auth_strategy
        self.signer = tokens.TokenSigner(conf.identity.token_secret, conf.identity.token_ttl)

    def context_for(self, req, url_project_id=None):
        """The RequestContext of ``req``; raises tokens.InvalidToken when not authenticated."""
        token = req.headers.get('X-Auth-Token')
        request_id = req.headers.get('X-Openstack-Request-Id') or context_mod.new_request_id()
        if not request_id.startswith('req-'):
            request_id = context_mod.new_request_id()
        if self.strategy == 'noauth':
            return self._noauth(token, url_project_id, request_id)
        if not token:
            raise tokens.InvalidToken()
        claims = self.signer.verify(token)
        return context_mod.RequestContext(
            user_id=claims['user_id'], project_id=claims['project_id'],
            roles=list(claims['roles']), request_id=request_id,
            user_name=claims.get('user_name'), project_name=claims.get('project_name'))

    @staticmethod
    def _noauth(token, url_project_id, request_id):
        user, _, project = (token or '').partition(':')
        if not user or user == 'notused':
            user = 'admin'
        project = project or url_project_id or identity_store.stable_id(
            'project', NOAUTH_DEFAULT_PROJECT)
        roles = ['admin', 'member', 'reader'] if user == 'admin' else ['member', 'reader']
        return context_mod.RequestContext(user_id=user, project_id=project, roles=roles,
                                          request_id=request_id, user_name=user)
