"""The embedded (in-process) transport: kombu's memory transport, woken by events.

oslo.messaging sets kombu's memory polling interval to 0 for speed, so every
listener spins: an idle all-in-one burned more than a core. Here a consumer that
finds its queues empty sleeps until a message is put on one of its queues, so
idle costs nothing and a message is picked up at once.
"""
import logging
import queue
import socket
import threading
import time
import weakref

from kombu import transport as kombu_transport
from kombu.transport import memory

ALIAS = 'memory'
_transports = weakref.WeakSet()
_transports_lock = threading.Lock()


def _wake(queue_name):
    with _transports_lock:
        listening = [t for t in _transports if t.consumes(queue_name)]
    for transport in listening:
        transport.signal()


class Channel(memory.Channel):
    def _put(self, queue_name, message, **kwargs):
        super()._put(queue_name, message, **kwargs)
        _wake(queue_name)

    def _put_fanout(self, exchange, message, routing_key=None, **kwargs):
        super()._put_fanout(exchange, message, routing_key, **kwargs)
        for queue_name in self._lookup(exchange, routing_key):
            _wake(queue_name)


class Transport(memory.Transport):
    Channel = Channel

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        self._cond = threading.Condition()
        self._generation = 0
        with _transports_lock:
            _transports.add(self)

    def consumes(self, queue_name):
        return any(queue_name in getattr(ch, '_active_queues', ()) for ch in self.channels)

    def signal(self):
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def drain_events(self, connection, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            seen = self._generation
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except queue.Empty:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise socket.timeout()
                with self._cond:
                    if self._generation == seen:
                        self._cond.wait(remaining)


def install():
    """Make kombu's 'memory' transport this one (oslo.messaging maps kombu+memory to it)."""
    kombu_transport.TRANSPORT_ALIASES[ALIAS] = f'{__name__}:Transport'
    # Every in-memory connection warns that it has no hostname; that is its nature.
    logging.getLogger('kombu.connection').setLevel(logging.ERROR)
