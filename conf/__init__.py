"""Option registry: every Stratus option, registered on a ConfigOpts that is passed in."""
from oslo_config import cfg

from conf import api as api_opts
from conf import base as base_opts
from conf import compute as compute_opts
from conf import console as console_opts
from conf import database as database_opts
from conf import identity as identity_opts
from conf import lifecycle as lifecycle_opts
from conf import quota as quota_opts
from conf import scheduler as scheduler_opts

_MODULES = (base_opts, database_opts, api_opts, identity_opts,
            scheduler_opts, compute_opts, lifecycle_opts, console_opts, quota_opts)


def register_opts(conf):
    """Register every Stratus option group on ``conf``."""
    for module in _MODULES:
        module.register(conf)
    return conf


def list_opts():
    """Pairs of (group, options) for oslo-config-generator."""
    pairs = []
    for module in _MODULES:
        pairs.extend(module.list_opts())
    return pairs


def new_conf(args=None, default_config_files=None, register_messaging=True):
    """A fresh ConfigOpts with every Stratus option (and oslo.messaging's) registered."""
    conf = cfg.ConfigOpts()
    register_opts(conf)
    if register_messaging:
        from rpc import transport
        transport.register_opts(conf)
    conf(args=args or [], project='stratus',
         default_config_files=default_config_files or [])
    return conf
