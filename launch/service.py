"""One lifecycle for every service: start (init, RPC server, periodic tasks), stop, wait."""
import logging

from common import periodic

LOG = logging.getLogger(__name__)


class Service:
    """An RPC server, other components, periodic tasks and an optional start-up hook."""

    def __init__(self, name, rpc_service=None, tasks=(), on_start=None, components=()):
        self.name = name
        self.rpc_service = rpc_service
        self.periodic = periodic.PeriodicRunner(tasks)
        self.on_start = on_start
        # Other things with start()/stop() (an HTTP server), started last, stopped first.
        self.components = list(components)

    def start(self):
        if self.on_start:
            self.on_start()
        if self.rpc_service:
            self.rpc_service.start()
        for component in self.components:
            component.start()
        self.periodic.start()
        LOG.info('%s started', self.name)

    def stop(self):
        for component in self.components:
            component.stop()
        self.periodic.stop()
        if self.rpc_service:
            self.rpc_service.stop()

    def wait(self):
        if self.rpc_service:
            self.rpc_service.wait()
