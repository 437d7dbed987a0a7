"""stratus-consoleauth: console tokens in memcached, re-validated with compute on use."""
import logging
import sys

from compute import rpcapi as compute_rpcapi
from consoleauth import manager as consoleauth_manager
from consoleauth import rpcapi as consoleauth_rpcapi
from consoleauth import store as store_mod
from launch import daemon
from launch import service
from rpc import server as rpc_server
from rpc import transport as transport_mod

LOG = logging.getLogger(__name__)
BINARY = 'stratus-consoleauth'


def build(conf, transport, store=None):
    """The consoleauth service; ``store`` defaults to what [cache] asks for."""
    store = store or store_mod.from_conf(conf)
    manager = consoleauth_manager.ConsoleAuthManager(
        conf, store, compute_rpcapi.ComputeAPI(conf, transport))
    rpc = rpc_server.RPCService(conf, transport, 'consoleauth', consoleauth_rpcapi.TOPIC,
                                conf.host, manager)
    svc = service.Service('consoleauth', rpc, on_start=lambda: _describe(store))
    svc.store = store
    return svc


def _describe(store):
    if isinstance(store, store_mod.MemcacheStore):
        LOG.info('console tokens in memcached at %s', ', '.join(store.servers))
    else:
        LOG.info('console tokens in this process only: run one consoleauth, or set '
                 '[cache] memcache_servers')


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    transport = transport_mod.get_transport(conf)
    svc = build(conf, transport)
    return daemon.run(conf, 'consoleauth', svc.start, svc.stop)


if __name__ == '__main__':
    sys.exit(main())
