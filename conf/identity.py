"""[identity] options: the built-in Keystone v3 subset."""
from oslo_config import cfg

# The default secret is public (it is in the source); the API warns when it is used.
DEV_SECRET = 'stratus-dev-secret'

OPTS = [
    cfg.ListOpt('users', default=['admin:admin:admin:admin+member+reader',
                                  'demo:demo:demo:member+reader'],
                secret=True,
                help='Users as name:password:project:role+role. Project and user '
                     'ids are derived from their names, so every API worker agrees.'),
    cfg.StrOpt('token_secret', secret=True, default=DEV_SECRET,
               help='HMAC key that signs tokens; set the same value on every API worker.'),
    cfg.IntOpt('token_ttl', default=3600, min=60, help='Token lifetime in seconds.'),
    cfg.StrOpt('region', default='RegionOne', help='Region named in the catalog.'),
]


def register(conf):
    conf.register_opts(OPTS, group='identity')


def list_opts():
    return [('identity', OPTS)]
