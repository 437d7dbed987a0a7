"""stratus-scheduler: select_destinations with filters, weighers and atomic claims."""
import sys

from db import engine
from db import services
from launch import daemon
from launch import service
from rpc import server as rpc_server
from rpc import transport as transport_mod
from scheduler import manager as scheduler_manager
from scheduler import rpcapi as scheduler_rpcapi

BINARY = 'stratus-scheduler'


def build(conf, transport, db):
    manager = scheduler_manager.SchedulerManager(conf, db)
    rpc = rpc_server.RPCService(conf, transport, 'scheduler', scheduler_rpcapi.TOPIC,
                                conf.host, manager)

    def beat():
        services.heartbeat(db, conf.host, BINARY, scheduler_rpcapi.TOPIC)

    return service.Service('scheduler', rpc, on_start=beat,
                           tasks=[(conf.report_interval, 'heartbeat', beat)])


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    db = engine.Database.from_conf(conf)
    transport = transport_mod.get_transport(conf)
    svc = build(conf, transport, db)
    return daemon.run(conf, 'scheduler', svc.start, svc.stop)


if __name__ == '__main__':
    sys.exit(main())
