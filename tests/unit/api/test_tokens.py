"""TokenSigner: issue/verify round trip, expiry, tampering and foreign secrets."""
import base64
import json

import pytest

from api import tokens

NOW = 1_700_000_000
CLAIMS = {'user_id': 'u1', 'user_name': 'alice', 'project_id': 'p1',
          'project_name': 'demo', 'roles': ['member', 'reader']}


@pytest.fixture
def signer():
    return tokens.TokenSigner('secret', ttl=3600)


def test_issue_then_verify_returns_claims(signer):
    token, body = signer.issue(CLAIMS, now=NOW)
    assert body['iat'] == NOW and body['exp'] == NOW + 3600
    claims = signer.verify(token, now=NOW + 10)
    assert {k: claims[k] for k in CLAIMS} == CLAIMS


def test_token_is_printable_and_versioned(signer):
    token, _ = signer.issue(CLAIMS, now=NOW)
    assert token.startswith('st1.') and token.count('.') == 2
    assert token.isascii() and ' ' not in token


def test_expired_token_is_rejected(signer):
    token, _ = signer.issue(CLAIMS, now=NOW)
    signer.verify(token, now=NOW + 3600)
    with pytest.raises(tokens.InvalidToken, match='expired'):
        signer.verify(token, now=NOW + 3601)


def _forge(token, **changes):
    """The same signature over a payload with ``changes`` applied."""
    version, payload, signature = token.split('.')
    claims = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip('=')
    return f'{version}.{forged}.{signature}'


def test_tampered_payload_is_rejected(signer):
    token, _ = signer.issue(CLAIMS, now=NOW)
    with pytest.raises(tokens.InvalidToken):
        signer.verify(_forge(token, roles=['admin']), now=NOW)


def test_tampered_signature_is_rejected(signer):
    token, _ = signer.issue(CLAIMS, now=NOW)
    last = 'A' if token[-1] != 'A' else 'B'
    with pytest.raises(tokens.InvalidToken):
        signer.verify(token[:-1] + last, now=NOW)


def test_other_secret_is_rejected(signer):
    token, _ = tokens.TokenSigner('other', ttl=3600).issue(CLAIMS, now=NOW)
    with pytest.raises(tokens.InvalidToken):
        signer.verify(token, now=NOW)


@pytest.mark.parametrize('garbage', [None, '', 'abc', 'st1.a', 'st2.x.y', 'st1.!!.sig',
                                     'a.b.c.d'])
def test_malformed_tokens_are_rejected(signer, garbage):
    with pytest.raises(tokens.InvalidToken):
        signer.verify(garbage, now=NOW)


def test_invalid_token_is_a_401():
    assert tokens.InvalidToken().code == 401
