"""ConsoleAuthManager on real memcached and on the in-process store."""
import hashlib
import json
import logging
import time

import pytest
from pymemcache.client import base as mc_base

from common import exception
from consoleauth import manager as manager_mod
from consoleauth import store as store_mod
from tests.unit.consoleauth.conftest import FakeComputeAPI

UUID = '6f1b9a3e-34c5-4d0e-9a43-1d0a7e6f7c01'
OTHER = '0c4a4b52-8e9c-4c55-a3cf-5b8f1c0f2a77'


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


class RecordingStore:
    """The real store underneath; remembers every key and value it was asked to write."""

    def __init__(self, real):
        self.real = real
        self.written = []

    def get(self, key):
        return self.real.get(key)

    def set(self, key, value, ttl):
        self.written.append((key, json.dumps(value)))
        self.real.set(key, value, ttl)

    def delete_many(self, keys):
        self.written.extend((key, 'DELETE') for key in keys)
        self.real.delete_many(keys)

    def update(self, key, mutate):
        def recorded(old):
            change = mutate(old)
            if change is not None:
                self.written.append((key, json.dumps(change[0])))
            return change
        self.real.update(key, recorded)


@pytest.fixture
def mc_store(memcached):
    store = store_mod.MemcacheStore([memcached.server], timeout=0.5)
    yield store
    store.close()


def _authorize(manager, uuid=UUID, port=5901, compute_host='compute-1'):
    return manager.authorize_console(None, uuid, 'novnc', '127.0.0.1', port,
                                     access_url_base='http://proxy:6080/vnc_lite.html',
                                     compute_host=compute_host)


def test_token_is_random_and_only_its_hash_is_written(conf, memcached, mc_store, compute_api):
    recording = RecordingStore(mc_store)
    manager = manager_mod.ConsoleAuthManager(conf, recording, compute_api)
    tokens = [_authorize(manager)['token'] for _ in range(3)]
    assert len(set(tokens)) == 3
    assert all(len(t) >= 43 for t in tokens)          # 32 bytes urlsafe: 256 bits
    written = ' '.join(k + ' ' + v for k, v in recording.written)
    assert recording.written and not any(t in written for t in tokens)
    raw = mc_base.Client(('127.0.0.1', memcached.port))
    for token in tokens:
        digest = hashlib.sha256(token.encode()).hexdigest()
        stored = raw.get(manager_mod.TOKEN_PREFIX + digest)
        assert stored is not None and token.encode() not in stored
        assert raw.get(manager_mod.TOKEN_PREFIX + token) is None
    index = raw.get(manager_mod.INSTANCE_PREFIX + UUID)
    assert index is not None and not any(t.encode() in index for t in tokens)


def test_check_token_validates_port_with_the_compute_host(conf, mc_store, compute_api):
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    answer = _authorize(manager)
    info = manager.check_token(None, answer['token'])
    assert info == {'instance_uuid': UUID, 'console_type': 'novnc', 'host': '127.0.0.1',
                    'port': 5901, 'internal_access_path': None,
                    'access_url_base': 'http://proxy:6080/vnc_lite.html',
                    'expires': answer['expires']}
    assert compute_api.calls == [('compute-1', {'uuid': UUID}, 5901, 'novnc')]


def test_token_from_one_manager_is_accepted_by_another(conf, memcached, compute_api):
    one = manager_mod.ConsoleAuthManager(
        conf, store_mod.MemcacheStore([memcached.server]), compute_api)
    two = manager_mod.ConsoleAuthManager(
        conf, store_mod.MemcacheStore([memcached.server]), compute_api)
    token = _authorize(one)['token']
    assert two.check_token(None, token)['instance_uuid'] == UUID
    two.delete_tokens_for_instance(None, UUID)
    assert one.check_token(None, token) is None


@pytest.mark.parametrize('answer', [False, exception.InstanceNotFound(uuid=UUID),
                                    RuntimeError('no compute answered')])
def test_port_no_longer_valid_refuses_and_deletes(conf, mc_store, answer):
    compute_api = FakeComputeAPI(valid=answer)
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    token = _authorize(manager)['token']
    assert manager.check_token(None, token) is None
    compute_api.valid = True          # even if compute changed its mind: the token is gone
    assert manager.check_token(None, token) is None
    assert len(compute_api.calls) == 1


def test_token_without_compute_host_is_never_accepted(conf, mc_store, compute_api):
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    token = _authorize(manager, compute_host=None)['token']
    assert manager.check_token(None, token) is None
    assert compute_api.calls == []


@pytest.mark.parametrize('token', [None, '', 42, 'x' * 1000, 'forged-token', ['a']])
def test_garbage_and_forged_tokens_are_refused(conf, mc_store, compute_api, token):
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    _authorize(manager)
    assert manager.check_token(None, token) is None
    assert compute_api.calls == []


def test_expired_by_the_clock_is_refused_and_deleted(conf, compute_api):
    clock = Clock()
    store = store_mod.MemoryStore()
    manager = manager_mod.ConsoleAuthManager(conf, store, compute_api, clock=clock)
    answer = _authorize(manager)
    assert answer['expires'] == clock.now + 600
    clock.now += 599
    assert manager.check_token(None, answer['token']) is not None
    clock.now += 1
    assert manager.check_token(None, answer['token']) is None
    digest = manager_mod.token_hash(answer['token'])
    assert store.get(manager_mod.TOKEN_PREFIX + digest) is None


def test_memcached_ttl_expires_token_and_index(conf, mc_store, compute_api):
    conf.set_override('token_ttl', 1, group='consoleauth')
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    token = _authorize(manager)['token']
    key = manager_mod.TOKEN_PREFIX + manager_mod.token_hash(token)
    index = manager_mod.INSTANCE_PREFIX + UUID
    assert mc_store.get(key) and mc_store.get(index)
    for stored in (key, index):       # memcached's own expiry, not just our clock check
        _wait_gone(mc_store, stored)
    assert manager.check_token(None, token) is None


def _wait_gone(store, key, limit=4.0):
    deadline = time.monotonic() + limit
    while store.get(key) is not None:
        assert time.monotonic() < deadline, f'{key} outlived its TTL'
        time.sleep(0.1)


def test_index_prunes_expired_and_lives_as_long_as_the_longest(conf, compute_api):
    clock = Clock()
    store = store_mod.MemoryStore(clock=lambda: clock.now)
    manager = manager_mod.ConsoleAuthManager(conf, store, compute_api, clock=clock)
    first = _authorize(manager)
    clock.now += 300
    second = _authorize(manager)
    index = store.get(manager_mod.INSTANCE_PREFIX + UUID)
    assert [e[1] for e in index] == [first['expires'], second['expires']]
    clock.now += 301                  # the first token has expired, the second has not
    third = _authorize(manager)
    index = store.get(manager_mod.INSTANCE_PREFIX + UUID)
    assert [e[1] for e in index] == [second['expires'], third['expires']]
    clock.now = third['expires'] - 1
    assert store.get(manager_mod.INSTANCE_PREFIX + UUID) is not None
    clock.now = third['expires'] + 1
    assert store.get(manager_mod.INSTANCE_PREFIX + UUID) is None


def test_delete_tokens_for_instance_revokes_only_that_instance(conf, mc_store, compute_api):
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    mine = [_authorize(manager)['token'] for _ in range(3)]
    theirs = _authorize(manager, uuid=OTHER)['token']
    manager.delete_tokens_for_instance(None, UUID)
    assert all(manager.check_token(None, t) is None for t in mine)
    assert manager.check_token(None, theirs)['instance_uuid'] == OTHER
    assert not mc_store.get(manager_mod.INSTANCE_PREFIX + UUID)
    manager.delete_tokens_for_instance(None, UUID)        # again: harmless
    new = _authorize(manager)['token']                     # a later console works
    assert manager.check_token(None, new)['instance_uuid'] == UUID


def test_too_many_tokens_revokes_the_oldest(conf, compute_api):
    clock = Clock()
    manager = manager_mod.ConsoleAuthManager(conf, store_mod.MemoryStore(), compute_api,
                                             clock=clock)
    tokens = []
    for _ in range(manager_mod.MAX_TOKENS_PER_INSTANCE + 1):
        clock.now += 1
        tokens.append(_authorize(manager)['token'])
    assert manager.check_token(None, tokens[0]) is None
    assert manager.check_token(None, tokens[1]) is not None
    manager.delete_tokens_for_instance(None, UUID)
    assert manager.check_token(None, tokens[-1]) is None


@pytest.mark.parametrize('uuid', [None, '', 'has space', 'x' * 100, 'caf\u00e9'])
def test_bad_instance_uuid_is_invalid(conf, compute_api, uuid):
    manager = manager_mod.ConsoleAuthManager(conf, store_mod.MemoryStore(), compute_api)
    with pytest.raises(exception.Invalid):
        _authorize(manager, uuid=uuid)


def test_memcached_down_raises_unavailable_then_recovers(conf, memcached, mc_store,
                                                         compute_api, caplog):
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    manager.DELETE_RETRY_WAIT = 0.05
    token = _authorize(manager)['token']
    memcached.stop()
    with pytest.raises(exception.ServiceUnavailable) as err:
        _authorize(manager)
    assert err.value.code == 503 and 'memcached' in str(err.value)
    with pytest.raises(exception.ServiceUnavailable):
        manager.check_token(None, token)
    with caplog.at_level(logging.ERROR):
        manager.delete_tokens_for_instance(None, UUID)      # a cast: logs, never raises
    assert 'Could not delete the console tokens' in caplog.text
    memcached.start()                                       # empty: tokens were lost
    assert manager.check_token(None, token) is None
    assert manager.check_token(None, _authorize(manager)['token']) is not None


def test_no_token_in_any_log_line(conf, mc_store, caplog):
    compute_api = FakeComputeAPI()
    manager = manager_mod.ConsoleAuthManager(conf, mc_store, compute_api)
    with caplog.at_level(logging.DEBUG):
        tokens = [_authorize(manager)['token'] for _ in range(2)]
        manager.check_token(None, tokens[0])
        compute_api.valid = False
        manager.check_token(None, tokens[1])
        manager.check_token(None, tokens[0][:-1])
        manager.delete_tokens_for_instance(None, UUID)
    assert 'authorized' in caplog.text and 'refused' in caplog.text
    assert not any(t in caplog.text or t[:-1] in caplog.text for t in tokens)


class FailingDeletesOnce(RecordingStore):
    """delete_many fails once, after the index was already emptied (memcached blipped)."""

    def __init__(self, real):
        super().__init__(real)
        self.failed = False

    def delete_many(self, keys):
        if not self.failed:
            self.failed = True
            raise exception.ServiceUnavailable(what='test', reason='blip')
        super().delete_many(keys)


def test_delete_retry_still_deletes_tokens_of_an_emptied_index(conf, compute_api):
    store = FailingDeletesOnce(store_mod.MemoryStore())
    manager = manager_mod.ConsoleAuthManager(conf, store, compute_api)
    manager.DELETE_RETRY_WAIT = 0.01
    token = _authorize(manager)['token']
    manager.delete_tokens_for_instance(None, UUID)
    assert store.failed
    assert manager.check_token(None, token) is None
    assert compute_api.calls == []
