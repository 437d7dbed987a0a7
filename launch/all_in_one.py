"""stratus-all-in-one: every service in one process, in-memory transport, SQLite, test driver."""
import functools
import logging
import os
import sys

from db import engine
from image import store as image_store
from db import migration
from launch import api as api_launch
from launch import compute as compute_launch
from launch import conductor as conductor_launch
from launch import consoleauth as consoleauth_launch
from launch import daemon
from launch import novncproxy as novncproxy_launch
from launch import scheduler as scheduler_launch
from launch import seed
from rpc import transport as transport_mod

LOG = logging.getLogger(__name__)


class AllInOne:
    """The whole control plane in one process; tests and `stratus-all-in-one` use it."""

    def __init__(self, conf, compute_hosts=('compute-1',), drivers=None, novncproxy=False):
        self.conf = conf
        _embedded_defaults(conf)
        self.db = engine.Database.from_conf(conf)
        migration.sync(self.db)
        self.transport = transport_mod.get_transport(conf)
        # consoleauth keeps tokens in this process unless [cache] memcache_servers is set.
        self.consoleauth = consoleauth_launch.build(conf, self.transport)
        self.services = [conductor_launch.build(conf, self.transport, self.db),
                         scheduler_launch.build(conf, self.transport, self.db),
                         self.consoleauth]
        self.computes = {}
        for host in compute_hosts:
            driver = (drivers or {}).get(host)
            svc = compute_launch.build(conf, self.transport, host=host, driver=driver)
            self.computes[host] = svc
            self.services.append(svc)
        self.api = api_launch.build(conf, self.transport, self.db)
        self.services.append(self.api)
        self.novncproxy = _novncproxy(conf, self.transport) if novncproxy else None
        if self.novncproxy:
            self.services.append(self.novncproxy)

    @property
    def url(self):
        return self.api.server.url

    def start(self):
        for svc in self.services:
            svc.start()

    def stop(self):
        for svc in reversed(self.services):
            svc.stop()
        for svc in reversed(self.services):
            svc.wait()
        self.transport.cleanup()
        self.db.dispose()


def _embedded_defaults(conf):
    """SQLite under state_path and the memory transport unless configured otherwise."""
    os.makedirs(conf.state_path, exist_ok=True)
    daemon.embedded_database(conf)
    if not conf.transport_url:
        conf.set_override('transport_url', transport_mod.EMBEDDED_URL)


def _novncproxy(conf, transport):
    """The console proxy, or None (with a warning) when its port is taken: the rest of
    the all-in-one is still worth running."""
    try:
        return novncproxy_launch.build(conf, transport)
    except OSError as exc:
        LOG.warning('no console proxy: cannot listen on %s:%s (%s); set [vnc] '
                    'novncproxy_port', conf.vnc.novncproxy_host, conf.vnc.novncproxy_port, exc)
        return None


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    daemon.embedded_database(conf)
    hosts = [f'compute-{n}' for n in range(1, int(os.environ.get('STRATUS_COMPUTES', '1')) + 1)]
    aio = daemon.bind('stratus-all-in-one', functools.partial(AllInOne, novncproxy=True),
                      conf, hosts)
    seed.seed_defaults(conf, aio.db, image_store.LocalStore.from_conf(conf))
    print(f'Stratus all-in-one: compute endpoint http://{conf.api.listen}:{conf.api.port}'
          f'/compute/v2.1 (identity /identity/v3, image /image)', flush=True)
    return daemon.run(conf, 'all-in-one', aio.start, aio.stop)


if __name__ == '__main__':
    sys.exit(main())
