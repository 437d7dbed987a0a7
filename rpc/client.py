"""RPC client factory: topic, server, version and the [upgrade_levels] cap."""
import logging

import oslo_messaging
import tenacity

from rpc import serializer as serializer_mod
from rpc import stats

LOG = logging.getLogger(__name__)
AUTO = 'auto'


class Client:
    """A versioned client for one service's topic; each rpcapi wraps one."""

    def __init__(self, conf, transport, topic, version_cap, service):
        self._conf = conf
        self._transport = transport
        self.topic = topic
        cap = _configured_cap(conf, service)
        self.version_cap = version_cap if cap in (None, AUTO) else cap
        target = oslo_messaging.Target(topic=topic, version='1.0')
        self._client = oslo_messaging.get_rpc_client(
            transport, target, version_cap=self.version_cap,
            serializer=serializer_mod.ContextSerializer(),
            timeout=conf.rpc_response_timeout)

    def can_send_version(self, version):
        return self._client.can_send_version(version)

    def prepare(self, server=None, version='1.0', timeout=None, fanout=False):
        kwargs = {'version': version, 'fanout': fanout}
        if server:
            kwargs['server'] = server
        if timeout:
            kwargs['timeout'] = timeout
        return _Prepared(self._client.prepare(**kwargs))

    def ping(self, ctxt, server=None, timeout=2):
        """Ask a live server of this topic to answer (the 'baseapi' namespace)."""
        target = oslo_messaging.Target(topic=self.topic, server=server, namespace='baseapi',
                                       version='1.0')
        client = oslo_messaging.get_rpc_client(
            self._transport, target, timeout=timeout,
            serializer=serializer_mod.ContextSerializer())
        try:
            return client.call(ctxt, 'ping', arg=None)
        except oslo_messaging.MessagingTimeout as exc:
            raise CallTimeout(f'no {self.topic} server answered within {timeout} s') from exc

    def wait_until_ready(self, ctxt, deadline=None):
        """Block until a server of this topic answers; a call sent before its queue
        exists is silently dropped by the broker, so start-up must wait for it."""
        stop = tenacity.stop_after_delay(deadline) if deadline else tenacity.stop_never
        retry = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(CallTimeout), stop=stop, reraise=True,
            wait=tenacity.wait_fixed(0.5),
            before_sleep=lambda state: LOG.warning('waiting for the %s service to answer',
                                                   self.topic))
        return retry(self.ping, ctxt)

    def cast(self, ctxt, method, server=None, version='1.0', **kwargs):
        self.prepare(server=server, version=version).cast(ctxt, method, **kwargs)

    def call(self, ctxt, method, server=None, version='1.0', timeout=None, **kwargs):
        return self.prepare(server=server, version=version,
                            timeout=timeout).call(ctxt, method, **kwargs)


class _Prepared:
    """A prepared client whose errors are Stratus's own, not oslo.messaging's."""

    def __init__(self, prepared):
        self._prepared = prepared

    def cast(self, ctxt, method, **kwargs):
        stats.count('cast', method)
        self._prepared.cast(ctxt, method, **kwargs)

    def call(self, ctxt, method, **kwargs):
        stats.count('call', method)
        try:
            return self._prepared.call(ctxt, method, **kwargs)
        except oslo_messaging.MessagingTimeout as exc:
            raise CallTimeout(f'{method}: no answer within the timeout') from exc
        except oslo_messaging.RemoteError as exc:
            raise RemoteError(exc.exc_type, exc.value) from exc


class CallTimeout(Exception):
    """Nobody answered an RPC call in time."""


class RemoteError(Exception):
    """The callee raised; carries its exception class name and message."""

    def __init__(self, exc_type, value):
        super().__init__(f'{exc_type}: {value}')
        self.exc_type = exc_type
        self.value = value


def _configured_cap(conf, service):
    try:
        return getattr(conf.upgrade_levels, service)
    except Exception:  # noqa: BLE001 - a service without a cap option has no cap
        return None
