"""The token stores: one contract for memcached (real servers) and the in-process store."""
import threading
import time

import pytest
from pymemcache.client import base as mc_base

from common import exception
from consoleauth import store as store_mod


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(params=['memory', 'memcache'])
def store(request):
    if request.param == 'memory':
        yield store_mod.MemoryStore()
        return
    server = request.getfixturevalue('memcached')
    built = store_mod.MemcacheStore([server.server], timeout=1.0)
    yield built
    built.close()


def _wait_gone(store, key, limit=4.0):
    """memcached's clock ticks in whole seconds: an item may live up to ~1 s past its TTL."""
    deadline = time.monotonic() + limit
    while store.get(key) is not None:
        assert time.monotonic() < deadline, f'{key} still there after {limit} s'
        time.sleep(0.1)


def test_roundtrip_and_delete(store):
    store.set('k1', {'a': [1, 2]}, 60)
    store.set('k2', [['x', 1.5]], 60)
    assert store.get('k1') == {'a': [1, 2]}
    assert store.get('k2') == [['x', 1.5]]
    assert store.get('missing') is None
    store.delete_many(['k1', 'missing'])
    assert store.get('k1') is None
    assert store.get('k2') == [['x', 1.5]]


def test_ttl_expires_values(store):
    store.set('short', {'v': 1}, 1)
    store.set('long', {'v': 2}, 60)
    assert store.get('short') == {'v': 1}
    if isinstance(store, store_mod.MemoryStore):
        store._clock = lambda: time.monotonic() + 1.01
    else:
        _wait_gone(store, 'short')
    assert store.get('short') is None
    assert store.get('long') == {'v': 2}


def test_update_creates_changes_and_leaves_alone(store):
    store.update('idx', lambda old: ([1] if old is None else None, 60))
    assert store.get('idx') == [1]
    store.update('idx', lambda old: (old + [2], 60))
    assert store.get('idx') == [1, 2]
    store.update('idx', lambda old: None)
    assert store.get('idx') == [1, 2]


def test_concurrent_updates_lose_nothing(store):
    """Read-modify-write from many threads (memcached: gets/cas) counts every increment."""
    def bump():
        for _ in range(25):
            store.update('counter', lambda old: ((old or 0) + 1, 60))
    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get('counter') == 100


def test_memory_store_sweeps_expired_entries():
    clock = Clock()
    store = store_mod.MemoryStore(clock=clock)
    for n in range(100):
        store.set(f'k{n}', n, 5)
    clock.now += 10
    for n in range(100):
        store.set(f'new{n}', n, 5)
    assert len(store._data) < 150
    assert store.get('new99') == 99 and store.get('k1') is None


def test_from_conf_chooses_by_memcache_servers(conf, memcached):
    assert isinstance(store_mod.from_conf(conf), store_mod.MemoryStore)
    conf.set_override('memcache_servers', [memcached.server], group='cache')
    conf.set_override('memcache_timeout', 0.5, group='cache')
    chosen = store_mod.from_conf(conf)
    assert isinstance(chosen, store_mod.MemcacheStore)
    assert chosen.servers == [memcached.server]


# -- memcached specifics ------------------------------------------------------------------


def _raw(server):
    host, port = server.server.rsplit(':', 1)
    return mc_base.Client((host, int(port)))


def test_keys_are_spread_over_servers_consistently(memcached_factory):
    one, two = memcached_factory(), memcached_factory()
    store = store_mod.MemcacheStore([one.server, two.server])
    keys = [f'stratus-console-token-{n:04d}' for n in range(60)]
    for key in keys:
        store.set(key, {'key': key}, 60)
    on_one = [k for k in keys if _raw(one).get(k) is not None]
    on_two = [k for k in keys if _raw(two).get(k) is not None]
    assert on_one and on_two and sorted(on_one + on_two) == sorted(keys)
    # Another process listing the servers in another order finds every key.
    other = store_mod.MemcacheStore([two.server, one.server])
    assert all(other.get(k) == {'key': k} for k in keys)


def test_server_down_is_unavailable_then_recovers(memcached_factory):
    one, two = memcached_factory(), memcached_factory()
    store = store_mod.MemcacheStore([one.server, two.server], timeout=0.5)
    keys = [f'k{n}' for n in range(40)]
    for key in keys:
        store.set(key, key, 60)
    on_two = [k for k in keys if _raw(two).get(k) is not None]
    on_one = [k for k in keys if k not in on_two]
    two.stop()
    for _ in range(3):   # every call tries the key's own server: no silent "missing"
        with pytest.raises(exception.ServiceUnavailable) as err:
            store.get(on_two[0])
        assert err.value.code == 503
        assert 'console token store (memcached)' in str(err.value)
    with pytest.raises(exception.ServiceUnavailable):
        store.set(on_two[1], 'x', 60)
    # Keys of the live server are not moved and still answer.
    assert store.get(on_one[0]) == on_one[0]
    two.start()
    store.set(on_two[0], 'back', 60)
    assert store.get(on_two[0]) == 'back'
    assert _raw(two).get(on_two[0]) == b'"back"'


def test_all_down_every_operation_is_unavailable(memcached):
    store = store_mod.MemcacheStore([memcached.server], timeout=0.5)
    memcached.stop()
    for call in (lambda: store.get('k'), lambda: store.set('k', 1, 5),
                 lambda: store.delete_many(['k']),
                 lambda: store.update('k', lambda old: ([1], 5))):
        with pytest.raises(exception.ServiceUnavailable):
            call()
    memcached.start()
    store.update('k', lambda old: ([1], 5))
    assert store.get('k') == [1]


def test_memcache_store_needs_servers():
    with pytest.raises(ValueError):
        store_mod.MemcacheStore([])
