"""[DEFAULT] options shared by every service."""
import socket

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<hostname>',
               help='Name of this node; a compute worker listens on compute.<host>.'),
    cfg.StrOpt('state_path', default='/var/lib/stratus',
               help='Top-level directory for state (instances, images, node files).'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between service heartbeats.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='A service whose last heartbeat is older than this is down.'),
    cfg.StrOpt('log_format', default='json', choices=['json', 'text'],
               help='json: one JSON object per line; text: human readable.'),
    cfg.StrOpt('log_file', help='Write logs here instead of stderr.'),
    cfg.BoolOpt('debug', default=False, help='Log at DEBUG level.'),
    cfg.IntOpt('rpc_workers', default=16, min=1,
               help='Executor threads per RPC server.'),
]

UPGRADE_OPTS = [
    cfg.StrOpt(name, help=f'Cap for the {name} RPC API version ("auto" or e.g. 1.0).')
    for name in ('compute', 'conductor', 'scheduler', 'consoleauth')
]


def register(conf):
    conf.register_opts(OPTS)
    conf.register_opts(UPGRADE_OPTS, group='upgrade_levels')


def list_opts():
    return [(None, OPTS), ('upgrade_levels', UPGRADE_OPTS)]
