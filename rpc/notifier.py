"""Versioned notifications: instance.<action>.start/.end/.error on 'versioned_notifications'."""
import logging

import oslo_messaging

from rpc import serializer as serializer_mod

LOG = logging.getLogger(__name__)
PAYLOAD_VERSION = '1.0'
TOPIC = 'versioned_notifications'


class Notifier:
    """Emits versioned notifications; the driver comes from [oslo_messaging_notifications]."""

    def __init__(self, conf, service, host, transport=None):
        self._enabled = bool(conf.oslo_messaging_notifications.driver)
        self._notifier = None
        if self._enabled:
            from rpc import transport as transport_mod
            transport = transport or transport_mod.get_notification_transport(conf)
            self._notifier = oslo_messaging.Notifier(
                transport, publisher_id=f'{service}:{host}', topics=[TOPIC],
                serializer=serializer_mod.ContextSerializer())

    def instance(self, ctxt, action, phase, instance, fault=None):
        """Send instance.<action>.<phase> for ``instance`` (a dict)."""
        if not self._enabled:
            return
        payload = {'stratus_object.version': PAYLOAD_VERSION,
                   'stratus_object.name': 'InstanceActionPayload',
                   'stratus_object.data': _instance_payload(instance, fault)}
        event = f'instance.{action}.{phase}'
        try:
            if phase == 'error':
                self._notifier.error(ctxt, event, payload)
            else:
                self._notifier.info(ctxt, event, payload)
        except Exception:  # noqa: BLE001 - a lost notification must not fail the action
            LOG.exception('could not send %s', event)


def _instance_payload(instance, fault):
    keys = ('uuid', 'display_name', 'project_id', 'user_id', 'host', 'node',
            'vm_state', 'task_state', 'power_state', 'flavor_id', 'image_ref')
    data = {k: instance.get(k) for k in keys}
    data['state'] = instance.get('vm_state')
    data['fault'] = fault
    return data


def get_listener(transport, endpoints, pool=None):
    """A notification listener on the versioned topic (tests and tools use it)."""
    targets = [oslo_messaging.Target(topic=TOPIC)]
    return oslo_messaging.get_notification_listener(
        transport, targets, endpoints, allow_requeue=False, pool=pool,
        serializer=serializer_mod.ContextSerializer())
