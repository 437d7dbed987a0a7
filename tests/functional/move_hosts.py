"""Extra compute hosts for the move tests: real libvirt test:/// drivers that join the
session's cloud, each pair either in directories of their own (nothing shared, as on two
machines) or in one shared directory; only the pair in use takes new servers."""
import contextlib
import os

import sqlalchemy as sa

from compute.virt.libvirt import driver as libvirt_driver
from db import instances
from db import models
from db import services
from image import store as store_mod
from launch import compute as compute_launch
from rpc import context as context_mod
from tests.functional.live_migration import TEST_DRIVER_HOSTS
from tests.functional.live_migration import set_disabled


class MovableDriver(libvirt_driver.LibvirtDriver):
    """The real driver; ``finish_error`` makes the next move onto this host fail there."""
    finish_error = None

    def finish_migration(self, instance, image, image_path, inbox, power_on):
        error, self.finish_error = self.finish_error, None
        if error:
            raise error
        super().finish_migration(instance, image, image_path, inbox, power_on)


class Hosts:
    """Compute workers ``names`` in the session's cloud, disabled until ``only()``."""

    def __init__(self, cloud, root, names, shared=False):
        self.cloud, self.names, self.shared = cloud, tuple(names), shared
        store = store_mod.LocalStore.from_conf(cloud.conf)
        self.drivers = {h: MovableDriver(cloud.conf, h, image_store=store,
                                         instances_path=os.path.join(
                                             root, 'shared' if shared else h))
                        for h in self.names}
        self.workers = {h: compute_launch.build(cloud.conf, cloud.transport, host=h,
                                                driver=d)
                        for h, d in self.drivers.items()}

    @property
    def db(self):
        return self.cloud.db

    @property
    def url(self):
        return self.cloud.url

    def start(self):
        for svc in self.workers.values():
            svc.start()
        set_disabled(self.db, self.names, True)

    def stop(self, admin):
        admin.delete_all([i['uuid'] for i in instances.list_(self.db,
                                                             {'host': list(self.names)})])
        for svc in self.workers.values():
            svc.stop()
            svc.wait()
        for host in self.names:
            for service in services.list_(self.db, host=host):
                services.delete(self.db, service['id'])
        table = models.ComputeNode.__table__
        with self.db.write() as conn:
            conn.execute(sa.delete(table).where(table.c.host.in_(self.names)))

    @contextlib.contextmanager
    def only(self):
        """While in the block, only these hosts take new servers and moves."""
        set_disabled(self.db, TEST_DRIVER_HOSTS, True)
        set_disabled(self.db, self.names, False)
        try:
            yield self
        finally:
            set_disabled(self.db, self.names, True)
            set_disabled(self.db, TEST_DRIVER_HOSTS, False)

    def host_of(self, server_id):
        return instances.get(self.db, server_id)['host']

    def other(self, host):
        return self.names[1 - self.names.index(host)]

    def restart(self, host):
        """What a compute does when it starts again (its init_host)."""
        self.workers[host].manager.init_host(context_mod.admin_context())


@contextlib.contextmanager
def joined(cloud, admin, root, names, shared=False):
    hosts = Hosts(cloud, str(root), names, shared)
    hosts.start()
    try:
        yield hosts
    finally:
        hosts.stop(admin)
