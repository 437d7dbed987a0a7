"""Periodic tasks on one daemon thread: repair and reporting, never the normal path."""
import logging
import threading
import time

LOG = logging.getLogger(__name__)


class PeriodicRunner:
    """Runs each (interval, name, func) task every ``interval`` seconds until stopped."""

    def __init__(self, tasks):
        self._tasks = [(interval, name, func) for interval, name, func in tasks]
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name='periodic', daemon=True)
        self._thread.start()

    def _run(self):
        due = {name: time.monotonic() + interval for interval, name, _ in self._tasks}
        while not self._stop.is_set():
            now = time.monotonic()
            for interval, name, func in self._tasks:
                if now >= due[name]:
                    due[name] = now + interval
                    self._run_one(name, func)
            wait = min(due.values()) - time.monotonic() if due else 1.0
            self._stop.wait(max(0.05, min(wait, 1.0)))

    @staticmethod
    def _run_one(name, func):
        try:
            func()
        except Exception:  # noqa: BLE001 - one failed run must not stop the others
            LOG.exception('periodic task %s failed', name)

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
