"""Console token stores: memcached (shared by every consoleauth) or in-process (all-in-one).

Both keep JSON values under string keys with a TTL in whole seconds and offer the same
five operations: get, set, delete_many and update (an atomic read-modify-write).
"""
import json
import logging
import math
import random
import sys
import threading
import time

from pymemcache import exceptions as mc_exc
from pymemcache.client import hash as mc_hash

from common import exception

LOG = logging.getLogger(__name__)
WHAT = 'The console token store (memcached)'
# A read-modify-write that loses this many races in a row reports the store unavailable.
CAS_ATTEMPTS = 20


def ttl_seconds(seconds):
    """memcached expiries are whole seconds and 0 means 'never': round up, at least 1."""
    return max(1, math.ceil(seconds))


def _dump(value):
    return json.dumps(value, separators=(',', ':'))


class MemcacheStore:
    """Keys spread over [cache] memcache_servers by rendezvous (consistent) hashing."""

    def __init__(self, servers, timeout=1.0):
        if not servers:
            raise ValueError('MemcacheStore needs at least one server')
        self.servers = list(servers)
        # No fail-over to another server: HashClient would otherwise move a failing
        # server's keys elsewhere (so two consoleauth processes could disagree on where
        # a token lives) and, between retries, answer "missing" instead of failing.
        # An endless retry budget with no pause makes every call try the key's own
        # server and raise, so the store reports the outage and recovers at once.
        self._client = mc_hash.HashClient(
            self.servers, connect_timeout=timeout, timeout=timeout,
            retry_attempts=sys.maxsize, retry_timeout=-1, ignore_exc=False,
            default_noreply=False, encoding='utf-8')
        # HashClient's failure bookkeeping and its per-server clients are not
        # thread-safe, and the RPC server runs handlers on a thread pool.
        self._lock = threading.Lock()

    @classmethod
    def from_conf(cls, conf):
        return cls(conf.cache.memcache_servers, conf.cache.memcache_timeout)

    def _run(self, method, *args, **kwargs):
        try:
            with self._lock:
                return getattr(self._client, method)(*args, **kwargs)
        except (OSError, mc_exc.MemcacheServerError, mc_exc.MemcacheUnknownError,
                mc_exc.MemcacheUnexpectedCloseError) as exc:
            reason = f'{type(exc).__name__}: {exc}' if str(exc) else type(exc).__name__
            raise exception.ServiceUnavailable(what=WHAT, reason=reason) from exc
        except mc_exc.MemcacheError as exc:
            # "All servers seem to be down" and its kind.
            raise exception.ServiceUnavailable(what=WHAT, reason=str(exc)) from exc

    def get(self, key):
        raw = self._run('get', key)
        return None if raw is None else json.loads(raw)

    def set(self, key, value, ttl):
        if not self._run('set', key, _dump(value), expire=ttl_seconds(ttl), noreply=False):
            raise exception.ServiceUnavailable(what=WHAT, reason='the value was not stored')

    def delete_many(self, keys):
        for key in keys:
            self._run('delete', key, noreply=False)

    def update(self, key, mutate):
        """Atomically replace the value: ``mutate(old_or_None)`` returns (new, ttl), or
        None to leave it alone; retried on a concurrent change (memcached gets/cas)."""
        for attempt in range(CAS_ATTEMPTS):
            if attempt:
                # Racing writers back off by a random few ms so one of them wins.
                time.sleep(random.uniform(0, 0.002 * attempt))
            raw, cas = self._run('gets', key)
            change = mutate(None if raw is None else json.loads(raw))
            if change is None:
                return
            new, ttl = change
            if raw is None:
                done = self._run('add', key, _dump(new), expire=ttl_seconds(ttl),
                                 noreply=False)
            else:
                done = self._run('cas', key, _dump(new), cas, expire=ttl_seconds(ttl),
                                 noreply=False)
            if done:
                return
        raise exception.ServiceUnavailable(what=WHAT, reason=f'{key} kept changing')

    def close(self):
        with self._lock:
            self._client.close()


class MemoryStore:
    """An in-process store with the same contract; valid for one consoleauth process."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._data = {}       # key -> (deadline, JSON text): callers never share objects
        self._lock = threading.Lock()
        self._sweep_at = 64

    @classmethod
    def from_conf(cls, conf):
        return cls()

    def _live(self, key):
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._data[key]
            return None
        return item[1]

    def _put(self, key, value, ttl):
        self._data[key] = (self._clock() + ttl_seconds(ttl), _dump(value))
        if len(self._data) >= self._sweep_at:
            # Expired entries nobody asks for again would otherwise pile up.
            now = self._clock()
            self._data = {k: v for k, v in self._data.items() if v[0] > now}
            self._sweep_at = 2 * len(self._data) + 64

    def get(self, key):
        with self._lock:
            raw = self._live(key)
        return None if raw is None else json.loads(raw)

    def set(self, key, value, ttl):
        with self._lock:
            self._put(key, value, ttl)

    def delete_many(self, keys):
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def update(self, key, mutate):
        with self._lock:
            raw = self._live(key)
            change = mutate(None if raw is None else json.loads(raw))
            if change is not None:
                self._put(key, *change)

    def close(self):
        pass


def from_conf(conf):
    """memcached when [cache] memcache_servers is set, else the in-process store."""
    if conf.cache.memcache_servers:
        return MemcacheStore.from_conf(conf)
    return MemoryStore.from_conf(conf)
