"""[database] options: the SQL connection used by api, conductor and scheduler."""
from oslo_config import cfg

OPTS = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL, e.g. sqlite:////var/lib/stratus/stratus.sqlite or '
                    'postgresql+psycopg2://user:pw@host/stratus. Compute workers must not set it.'),
    cfg.IntOpt('pool_size', default=10, min=1, help='Connections kept in the pool.'),
    cfg.IntOpt('max_overflow', default=20, min=0, help='Extra connections allowed.'),
]


def register(conf):
    conf.register_opts(OPTS, group='database')


def list_opts():
    return [('database', OPTS)]
