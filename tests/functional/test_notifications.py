"""Versioned notifications: instance.create.start/.end and instance.delete.start/.end."""
import collections
import threading

import pytest

from rpc import notifier as notifier_mod
from rpc import transport as transport_mod


class Collector:
    def __init__(self):
        self.events = collections.defaultdict(list)
        self.cond = threading.Condition()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        data = payload['stratus_object.data']
        with self.cond:
            self.events[data['uuid']].append((event_type, publisher_id, ctxt.request_id))
            self.cond.notify_all()

    error = info

    def wait_for(self, uuid, event_type, timeout=30):
        with self.cond:
            ok = self.cond.wait_for(
                lambda: any(e[0] == event_type for e in self.events[uuid]), timeout)
        assert ok, f'{event_type} for {uuid} not seen; got {self.events[uuid]}'


@pytest.fixture
def collector(cloud):
    transport = transport_mod.get_notification_transport(cloud.conf)
    found = Collector()
    listener = notifier_mod.get_listener(transport, [found])
    listener.start()
    yield found
    listener.stop()
    listener.wait()


def test_create_and_delete_notifications(demo, image_id, collector):
    server_id = demo.create_server('notify-vm', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    collector.wait_for(server_id, 'instance.create.end')
    demo.delete(f'/compute/v2.1/servers/{server_id}')
    collector.wait_for(server_id, 'instance.delete.end')
    kinds = [e[0] for e in collector.events[server_id]]
    assert kinds == ['instance.create.start', 'instance.create.end',
                     'instance.delete.start', 'instance.delete.end']
    publishers = {e[1] for e in collector.events[server_id]}
    assert all(p.startswith('compute:compute-') for p in publishers)
    # Every hop carries the request id of the API request that caused it.
    create_ids = {e[2] for e in collector.events[server_id][:2]}
    assert len(create_ids) == 1 and create_ids.pop().startswith('req-')
