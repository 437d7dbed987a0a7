"""[consoleauth], [cache], [vnc] and [console] options: console tokens, their store, the proxy."""
from oslo_config import cfg

CONSOLEAUTH_OPTS = [
    cfg.IntOpt('token_ttl', default=600, min=1,
               help='Seconds a console token stays valid for opening a session.'),
    cfg.BoolOpt('enforce_session_timeout', default=False,
                help='Close a live console session when its token expires.'),
    cfg.FloatOpt('check_timeout', default=5.0, min=0.1,
                 help='Seconds the proxy waits for consoleauth to check a token, and '
                      'consoleauth for the compute to confirm the port, before refusing '
                      'the console (instead of rpc_response_timeout).'),
]

CACHE_OPTS = [
    cfg.ListOpt('memcache_servers', default=[],
                help='memcached servers (host:port) holding console tokens, keys hashed '
                     'consistently across them. Empty: an in-process store, valid only '
                     'with a single consoleauth process (the all-in-one).'),
    cfg.FloatOpt('memcache_timeout', default=1.0, min=0.01,
                 help='Seconds to wait for memcached before the store reports it down.'),
]

VNC_OPTS = [
    cfg.BoolOpt('enabled', default=True, help='Give guests a VNC console.'),
    cfg.HostAddressOpt('server_listen', default='127.0.0.1',
                       help='Address the guests\' VNC servers listen on.'),
    cfg.HostAddressOpt('server_proxyclient_address', default='127.0.0.1',
                       help='Address of this compute host that the console proxy connects '
                            'to.'),
    cfg.URIOpt('novncproxy_base_url', default='http://127.0.0.1:6080/vnc_lite.html',
               help='Public URL of the noVNC page; the token is added to it.'),
    cfg.HostAddressOpt('novncproxy_host', default='127.0.0.1',
                       help='Address stratus-novncproxy binds.'),
    cfg.PortOpt('novncproxy_port', default=6080, help='Port stratus-novncproxy binds.'),
    cfg.IntOpt('test_port_base', default=5900, min=1024, max=55435,
               help='libvirt test:/// driver only (it never assigns VNC ports): each '
                    'compute host gives its guests fixed ports from its own block of 100, '
                    'test_port_base + 100 * (CRC-32 of the host name mod 100), the lowest '
                    'free one first.'),
    cfg.StrOpt('novnc_web', default='/usr/share/novnc',
               help='Directory of noVNC\'s web page that stratus-novncproxy serves to '
                    'plain HTTP GETs (Debian\'s novnc package).'),
]

CONSOLE_OPTS = [
    cfg.ListOpt('allowed_origins', default=[],
                help='Host names (besides the proxy\'s own) a browser page may open a '
                     'console from (the Origin header).'),
]


def register(conf):
    conf.register_opts(CONSOLEAUTH_OPTS, group='consoleauth')
    conf.register_opts(CACHE_OPTS, group='cache')
    conf.register_opts(VNC_OPTS, group='vnc')
    conf.register_opts(CONSOLE_OPTS, group='console')


def list_opts():
    return [('consoleauth', CONSOLEAUTH_OPTS), ('cache', CACHE_OPTS), ('vnc', VNC_OPTS),
            ('console', CONSOLE_OPTS)]
