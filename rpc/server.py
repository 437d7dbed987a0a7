"""RPC server factory and the start/stop lifecycle every service shares."""
import os
import logging

import oslo_messaging

from rpc import serializer as serializer_mod
from rpc import stats

LOG = logging.getLogger(__name__)


class PingEndpoint:
    """Answers ``stratus-rpc ping`` on every service, in its own namespace."""

    target = oslo_messaging.Target(namespace='baseapi', version='1.0')

    def __init__(self, service, host):
        self._service = service
        self._host = host

    def ping(self, ctxt, arg=None):
        return {'service': self._service, 'host': self._host,
                'pid': os.getpid(), 'arg': arg, 'sent': stats.snapshot()}


class RPCService:
    """Serves one manager on ``topic`` (and ``topic.host``); start, stop, wait."""

    def __init__(self, conf, transport, service, topic, host, manager, extra_endpoints=()):
        self.conf = conf
        self.service = service
        self.topic = topic
        self.host = host
        self.manager = manager
        # Every endpoint of one service speaks the manager's version; method
        # names are unique across them (the dispatcher takes the first match).
        endpoints = [manager, *extra_endpoints]
        for endpoint in endpoints:
            endpoint.target = oslo_messaging.Target(version=manager.RPC_API_VERSION)
        conf.set_override('executor_thread_pool_size', conf.rpc_workers)
        target = oslo_messaging.Target(topic=topic, server=host)
        self._server = oslo_messaging.get_rpc_server(
            transport, target, [*endpoints, PingEndpoint(service, host)],
            serializer=serializer_mod.ContextSerializer(),
            access_policy=oslo_messaging.DefaultRPCAccessPolicy)

    def start(self):
        self._server.start()
        LOG.info('%s listening on topic %s (server %s)', self.service, self.topic, self.host)

    def stop(self):
        self._server.stop()

    def wait(self):
        self._server.wait()
