"""ConsoleAuthManager: console tokens minted, checked (with compute) and revoked.

A token is 256 random bits handed out once; the store only ever sees its SHA-256, so a
dump of memcached opens no console. Logs name a token by the first characters of that
hash, never by the token.
"""
import hashlib
import logging
import secrets
import time

import tenacity

from common import exception

LOG = logging.getLogger(__name__)

TOKEN_PREFIX = 'stratus-console-token-'
INSTANCE_PREFIX = 'stratus-console-instance-'
TOKEN_BYTES = 32
# Longer strings are not tokens of ours; refused before hashing anything.
MAX_TOKEN_LENGTH = 256
# An instance keeps at most this many live tokens; minting more revokes the oldest, so
# the index stays small and every token stays reachable for revocation.
MAX_TOKENS_PER_INSTANCE = 64
# What check_token answers (the rpcapi contract, plus the URL base for scheme checks).
CONNECTION_FIELDS = ('instance_uuid', 'console_type', 'host', 'port',
                     'internal_access_path', 'access_url_base', 'expires')


def token_hash(token):
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def short(digest):
    """How logs name a token: a prefix of its hash (never the token itself)."""
    return digest[:8]


class ConsoleAuthManager:
    """The consoleauth RPC endpoint (see consoleauth/rpcapi.py for the contract)."""

    RPC_API_VERSION = '1.0'
    DELETE_ATTEMPTS = 3
    DELETE_RETRY_WAIT = 1.0

    def __init__(self, conf, store, compute_api, clock=time.time):
        self.conf = conf
        self.store = store
        self.compute_api = compute_api
        self._clock = clock

    def authorize_console(self, ctxt, instance_uuid, console_type, host, port,
                          internal_access_path=None, access_url_base=None,
                          compute_host=None):
        _check_instance_uuid(instance_uuid)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = token_hash(token)
        ttl = self.conf.consoleauth.token_ttl
        expires = self._clock() + ttl
        record = {'instance_uuid': instance_uuid, 'console_type': console_type,
                  'host': host, 'port': port, 'internal_access_path': internal_access_path,
                  'access_url_base': access_url_base, 'compute_host': compute_host,
                  'expires': expires}
        # The token first, then the index: a revocation that reads the index after this
        # point finds a token that already exists, so it cannot outlive it.
        self.store.set(TOKEN_PREFIX + digest, record, ttl)
        try:
            self._index_add(instance_uuid, digest, expires)
        except exception.ServiceUnavailable:
            self._forget(digest)
            raise
        LOG.info('Console token %s authorized for instance %s (%s on %s:%s, compute %s)',
                 short(digest), instance_uuid, console_type, host, port, compute_host)
        return {'token': token, 'expires': expires}

    def check_token(self, ctxt, token):
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            LOG.info('Console token refused: not a token')
            return None
        digest = token_hash(token)
        record = self.store.get(TOKEN_PREFIX + digest)
        if record is None:
            LOG.info('Console token %s refused: unknown or expired', short(digest))
            return None
        if record['expires'] <= self._clock():
            LOG.info('Console token %s refused: expired', short(digest))
            self._forget(digest)
            return None
        if not self._port_still_valid(ctxt, record, digest):
            self._forget(digest)
            return None
        LOG.info('Console token %s accepted for instance %s', short(digest),
                 record['instance_uuid'])
        return {field: record.get(field) for field in CONNECTION_FIELDS}

    def delete_tokens_for_instance(self, ctxt, instance_uuid):
        # A cast nobody waits for: ride out a short memcached restart, then give up
        # loudly (the tokens still die with their TTL).
        retry = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(exception.ServiceUnavailable),
            stop=tenacity.stop_after_attempt(self.DELETE_ATTEMPTS),
            wait=tenacity.wait_fixed(self.DELETE_RETRY_WAIT), reraise=True)
        try:
            count = retry(self._delete_tokens, instance_uuid, set())
        except exception.ServiceUnavailable as exc:
            LOG.error('Could not delete the console tokens of instance %s: %s',
                      instance_uuid, exc)
            return
        LOG.info('Deleted %d console token(s) of instance %s', count, instance_uuid)

    # -- helpers --------------------------------------------------------------------

    def _delete_tokens(self, instance_uuid, pending):
        """Empty the index, then delete what it held; ``pending`` survives a retry, so a
        failure between the two steps still deletes those tokens on the next attempt."""
        def empty(entries):
            if not entries:
                return None
            pending.update(digest for digest, _ in entries)
            # An empty list (not a delete): the compare-and-swap then proves no token
            # was added between reading the index and emptying it.
            return [], 1

        self.store.update(INSTANCE_PREFIX + instance_uuid, empty)
        self.store.delete_many([TOKEN_PREFIX + digest for digest in sorted(pending)])
        return len(pending)

    def _index_add(self, instance_uuid, digest, expires):
        evicted = []

        def add(entries):
            now = self._clock()
            live = [e for e in (entries or []) if e[1] > now]
            live.append([digest, expires])
            live.sort(key=lambda e: e[1])
            evicted[:] = live[:-MAX_TOKENS_PER_INSTANCE]
            live = live[-MAX_TOKENS_PER_INSTANCE:]
            return live, live[-1][1] - now

        self.store.update(INSTANCE_PREFIX + instance_uuid, add)
        if evicted:
            LOG.info('Instance %s has more than %d console tokens; revoking the %d oldest',
                     instance_uuid, MAX_TOKENS_PER_INSTANCE, len(evicted))
            self.store.delete_many([TOKEN_PREFIX + d for d, _ in evicted])

    def _port_still_valid(self, ctxt, record, digest):
        """Compute confirms the console still answers on the stored port (a port reused
        by another guest after a move or restart must not open that guest)."""
        compute_host = record.get('compute_host')
        if not compute_host:
            LOG.warning('Console token %s refused: no compute host to validate its port '
                        'with', short(digest))
            return False
        try:
            valid = self.compute_api.validate_console_port(
                ctxt, compute_host, {'uuid': record['instance_uuid']}, record['port'],
                record['console_type'])
        except Exception as exc:  # noqa: BLE001 - a compute that cannot confirm is a no
            LOG.warning('Console token %s refused: compute %s could not validate port %s '
                        '(%s)', short(digest), compute_host, record['port'],
                        exception.summary(exc))
            return False
        if not valid:
            LOG.info('Console token %s refused: instance %s no longer has its console on '
                     'port %s', short(digest), record['instance_uuid'], record['port'])
        return bool(valid)

    def _forget(self, digest):
        """Drop one token; its index entry expires or is pruned on its own."""
        try:
            self.store.delete_many([TOKEN_PREFIX + digest])
        except exception.ServiceUnavailable as exc:
            LOG.warning('Could not delete console token %s: %s', short(digest), exc)


def _check_instance_uuid(instance_uuid):
    """It becomes part of a memcached key: printable, no spaces, bounded."""
    if not (isinstance(instance_uuid, str) and 0 < len(instance_uuid) <= 64
            and instance_uuid.isascii() and instance_uuid.isprintable()
            and ' ' not in instance_uuid):
        raise exception.Invalid('A console needs the uuid of its instance.')
