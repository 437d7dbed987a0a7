"""[api] options: the HTTP gateway."""
from oslo_config import cfg

OPTS = [
    cfg.HostAddressOpt('listen', default='127.0.0.1', help='Address the gateway binds.'),
    cfg.PortOpt('port', default=8774, help='Port the gateway binds.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL clients use (default http://<listen>:<port>).'),
    cfg.StrOpt('auth_strategy', default='keystone', choices=['keystone', 'noauth'],
               help='keystone: the built-in identity subset issues tokens; noauth: '
                    'trust the X-Auth-Token "user:project" convention (development only).'),
    cfg.IntOpt('max_limit', default=1000, min=1, help='Largest page a list returns.'),
    cfg.IntOpt('workers', default=32, min=1, help='Request-handling threads.'),
]

IMAGE_OPTS = [
    cfg.StrOpt('store_path', help='Directory of the local image store '
                                  '(default <state_path>/images).'),
    cfg.IntOpt('stuck_snapshot_timeout', default=600, min=0,
               help='Seconds a snapshot image may stay queued or saving while no '
                    'snapshot, backup or shelve runs on its instance (a compute crashed '
                    'mid-upload); then the conductor deletes it.'),
]


def register(conf):
    conf.register_opts(OPTS, group='api')
    conf.register_opts(IMAGE_OPTS, group='image')


def list_opts():
    return [('api', OPTS), ('image', IMAGE_OPTS)]
