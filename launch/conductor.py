"""stratus-conductor: the build task and the database gateway for compute workers."""
import sys

from conductor import images as conductor_images
from conductor import manager as conductor_manager
from conductor import rpcapi as conductor_rpcapi
from compute import rpcapi as compute_rpcapi
from db import engine
from db import services
from image import store as image_store
from launch import daemon
from launch import service
from rpc import context as context_mod
from rpc import notifier as notifier_mod
from rpc import server as rpc_server
from rpc import transport as transport_mod
from scheduler import rpcapi as scheduler_rpcapi

BINARY = 'stratus-conductor'


def build(conf, transport, db):
    manager = conductor_manager.ConductorManager(
        conf, db, scheduler_rpcapi.SchedulerAPI(conf, transport),
        compute_rpcapi.ComputeAPI(conf, transport),
        notifier_mod.Notifier(conf, 'conductor', conf.host),
        image_store.LocalStore.from_conf(conf))
    ctxt = context_mod.admin_context()
    rpc = rpc_server.RPCService(conf, transport, 'conductor', conductor_rpcapi.TOPIC,
                                conf.host, manager, extra_endpoints=manager.endpoints)

    def beat():
        services.heartbeat(db, conf.host, BINARY, conductor_rpcapi.TOPIC)

    return service.Service('conductor', rpc, on_start=beat, tasks=[
        (conf.report_interval, 'heartbeat', beat),
        (60, 'repair_stuck_builds', lambda: manager.repair_stuck_builds(ctxt)),
        # Polled often enough for a window of a minute or more; a no-op while it is 0.
        (30, 'confirm_old_resizes', lambda: manager.confirm_old_resizes(ctxt)),
        conductor_images.periodic_task(conf, manager, ctxt)])


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    db = engine.Database.from_conf(conf)
    transport = transport_mod.get_transport(conf)
    svc = build(conf, transport, db)
    return daemon.run(conf, 'conductor', svc.start, svc.stop)


if __name__ == '__main__':
    sys.exit(main())
