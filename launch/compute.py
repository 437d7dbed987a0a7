"""stratus-compute: one worker per hypervisor host; it never opens the database."""
import sys

from common import exception
from compute import manager as compute_manager
from compute import power_sync
from compute import reclaim
from compute import resource_tracker
from compute import shelve as compute_shelve
from compute import rpcapi as compute_rpcapi
from compute.virt import loader as virt_loader
from conductor import rpcapi as conductor_rpcapi
from consoleauth import rpcapi as consoleauth_rpcapi
from image import store as image_store
from launch import daemon
from launch import service
from rpc import context as context_mod
from rpc import notifier as notifier_mod
from rpc import server as rpc_server
from rpc import transport as transport_mod

_BLOCKED = ('db', 'sqlalchemy', 'alembic', 'psycopg2', 'pymysql')


def build(conf, transport, host=None, driver=None):
    """A compute worker for ``host``, reaching state only through the conductor."""
    host = host or conf.host
    conductor_api = conductor_rpcapi.ConductorAPI(conf, transport)
    driver = driver or virt_loader.load_driver(conf, host)
    rt = resource_tracker.ResourceTracker(conf, host, driver, conductor_api)
    manager = compute_manager.ComputeManager(
        conf, host, driver, conductor_api,
        notifier_mod.Notifier(conf, 'compute', host),
        image_store.LocalStore.from_conf(conf), rt,
        compute_api=compute_rpcapi.ComputeAPI(conf, transport),
        consoleauth_api=consoleauth_rpcapi.ConsoleAuthAPI(conf, transport))
    rpc = rpc_server.RPCService(conf, transport, 'compute', compute_rpcapi.TOPIC, host, manager,
                                extra_endpoints=manager.endpoints)
    ctxt = context_mod.admin_context()
    svc = service.Service(f'compute {host}', rpc, on_start=lambda: manager.init_host(ctxt),
                          tasks=[(conf.report_interval, 'heartbeat',
                                  lambda: manager.heartbeat(ctxt)),
                                 (conf.compute.resource_report_interval, 'report_resources',
                                  lambda: manager.report_resources(ctxt)),
                                 (60, 'check_stuck_tasks',
                                  lambda: manager.check_build_timeouts(ctxt)),
                                 *power_sync.tasks(conf, manager, ctxt),
                                 *reclaim.tasks(conf, manager, ctxt),
                                 *compute_shelve.tasks(conf, manager, ctxt)],
                          components=[manager.transfers])
    svc.manager = manager
    return svc


class _DatabaseBlocker:
    """A meta-path finder that turns any database import into a loud error."""

    def __init__(self, service_name):
        self.service_name = service_name

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split('.')[0] in _BLOCKED:
            raise exception.DatabaseNotAllowed(service=f'{self.service_name} imported {fullname}')
        return None


def forbid_database(conf, service_name='stratus-compute'):
    """Refuse a DB URL in config, and make any database import fail from now on."""
    if conf.database.connection:
        raise exception.DatabaseNotAllowed(
            service=f'{service_name} has [database] connection set; remove it')
    loaded = [m for m in sys.modules if m.split('.')[0] in _BLOCKED]
    if loaded:
        raise exception.DatabaseNotAllowed(service=f'{service_name} loaded {loaded[0]}')
    sys.meta_path.insert(0, _DatabaseBlocker(service_name))


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    try:
        forbid_database(conf)
    except exception.DatabaseNotAllowed as exc:
        print(f'stratus-compute: {exc}', file=sys.stderr)
        return 2
    transport = transport_mod.get_transport(conf)
    svc = build(conf, transport)
    return daemon.run(conf, 'compute', svc.start, svc.stop)


if __name__ == '__main__':
    sys.exit(main())
