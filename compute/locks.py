"""Per-instance locks: one action at a time on an instance within this worker."""
import contextlib
import threading


class InstanceLocks:
    def __init__(self):
        self._guard = threading.Lock()
        self._locks = {}

    def busy(self, uuid):
        """True while some action holds or waits for the instance's lock."""
        with self._guard:
            return uuid in self._locks

    @contextlib.contextmanager
    def hold(self, uuid):
        with self._guard:
            lock, users = self._locks.get(uuid, (threading.Lock(), 0))
            self._locks[uuid] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[uuid]
                if users <= 1:
                    del self._locks[uuid]
                else:
                    self._locks[uuid] = (lock, users - 1)
