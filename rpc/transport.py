"""Transport from [DEFAULT] transport_url, with oslo.messaging options on our own ConfigOpts."""
import oslo_messaging
from oslo_messaging import opts as _opts
from oslo_messaging._metrics import client as _metrics
from oslo_messaging._tracing import client as _tracing

from rpc import memory

EMBEDDED_URL = 'kombu+memory:////'
DEFAULT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
EXCEPTION_MODULES = ['common.exception']


def register_opts(conf):
    """Register oslo.messaging's options (tracing included) on ``conf``, not the global."""
    oslo_messaging.set_transport_defaults('stratus')
    # oslo.messaging 18 registers its tracing and metrics options only on cfg.CONF;
    # calls read them from the ConfigOpts the transport was built with.
    conf.register_opts(_tracing.oslo_messaging_tracing, group='oslo_messaging_tracing')
    conf.register_opts(_metrics.oslo_messaging_metrics, group='oslo_messaging_metrics')
    for group, opts in _opts.list_opts():
        conf.register_opts(opts, group=group)
    # Unset must be distinguishable from oslo's 'rabbit://' so the all-in-one can
    # choose the embedded transport when nothing was configured.
    conf.set_default('transport_url', None)
    return conf


def get_transport(conf):
    """The RPC transport for ``conf``; the embedded one needs no broker."""
    url = conf.transport_url or DEFAULT_URL
    if url.startswith('kombu+memory'):
        memory.install()
        # The memory transport has no heartbeats; asking for them only logs a warning.
        conf.set_override('heartbeat_timeout_threshold', 0, group='oslo_messaging_rabbit')
    return oslo_messaging.get_rpc_transport(conf, url=url,
                                            allowed_remote_exmods=EXCEPTION_MODULES)


def get_notification_transport(conf):
    url = conf.oslo_messaging_notifications.transport_url or conf.transport_url or DEFAULT_URL
    if url.startswith('kombu+memory'):
        memory.install()
    return oslo_messaging.get_notification_transport(conf, url=url)


def cleanup(transport):
    transport.cleanup()
