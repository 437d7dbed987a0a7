"""stratus-api: the HTTP gateway (compute v2.1, identity v3 and image v2 subsets)."""
import logging
import sys

from api import deps as api_deps
from api import identity_store
from api import router
from conf import identity as identity_opts
from compute import rpcapi as compute_rpcapi
from consoleauth import rpcapi as consoleauth_rpcapi
from conductor import rpcapi as conductor_rpcapi
from db import engine
from db import services
from image import store as image_store
from launch import daemon
from launch import http
from launch import service
from rpc import transport as transport_mod

BINARY = 'stratus-api'
LOG = logging.getLogger(__name__)


def build_app(conf, transport, db):
    """The gateway's WSGI app with every handler module."""
    from api.handlers import ALL
    if (conf.identity.token_secret == identity_opts.DEV_SECRET
            and conf.api.auth_strategy == 'keystone'):
        LOG.warning('[identity] token_secret is the built-in development value: anyone who '
                    'reads the source can forge tokens; set your own')
    deps = api_deps.Deps(
        conf=conf, db=db,
        conductor_api=conductor_rpcapi.ConductorAPI(conf, transport),
        compute_api=compute_rpcapi.ComputeAPI(conf, transport),
        consoleauth_api=consoleauth_rpcapi.ConsoleAuthAPI(conf, transport),
        image_store=image_store.LocalStore.from_conf(conf),
        identity=identity_store.IdentityStore.from_conf(conf),
        services_down_time=conf.service_down_time)
    return router.App(deps, ALL)


def build(conf, transport, db):
    """The HTTP server plus its heartbeat, with the same lifecycle as RPC services."""
    server = http.HTTPServer(build_app(conf, transport, db), conf.api.listen, conf.api.port)

    def beat():
        services.heartbeat(db, conf.host, BINARY, 'api')

    svc = service.Service('api', None, on_start=beat, components=[server],
                          tasks=[(conf.report_interval, 'heartbeat', beat)])
    svc.server = server
    return svc


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    db = engine.Database.from_conf(conf)
    transport = transport_mod.get_transport(conf)
    svc = daemon.bind('stratus-api', build, conf, transport, db)
    return daemon.run(conf, 'api', svc.start, svc.stop)


if __name__ == '__main__':
    sys.exit(main())
