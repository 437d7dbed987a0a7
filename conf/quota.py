"""[quota] options: per-project limits checked when servers are created."""
from oslo_config import cfg

OPTS = [
    cfg.IntOpt('instances', default=10, min=-1,
               help='Servers a project may have; -1 means no limit.'),
    cfg.IntOpt('cores', default=20, min=-1,
               help='vCPUs a project\'s servers may use together; -1 means no limit.'),
    cfg.IntOpt('ram', default=51200, min=-1,
               help='MB of RAM a project\'s servers may use together; -1 means no limit.'),
]


def register(conf):
    conf.register_opts(OPTS, group='quota')


def list_opts():
    return [('quota', OPTS)]
