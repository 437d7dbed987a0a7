"""Self-contained signed tokens: any API worker with the same secret can verify them."""
import base64
import hashlib
import hmac
import json
import time

from common import exception


class InvalidToken(exception.StratusError):
    code = 401
    message = 'The request you have made requires authentication.'


class TokenSigner:
    def __init__(self, secret, ttl):
        self._key = hashlib.sha256(secret.encode()).digest()
        self.ttl = ttl

    def issue(self, claims, now=None):
        """A token carrying ``claims`` (user, project, roles) that expires after ttl."""
        now = now or time.time()
        body = dict(claims, iat=int(now), exp=int(now + self.ttl))
        payload = _b64(json.dumps(body, sort_keys=True).encode())
        return f'st1.{payload}.{self._sign(payload)}', body

    def verify(self, token, now=None):
        """The claims of a valid, unexpired token; InvalidToken otherwise."""
        try:
            version, payload, signature = token.split('.')
        except (ValueError, AttributeError) as exc:
            raise InvalidToken() from exc
        if version != 'st1' or not hmac.compare_digest(signature, self._sign(payload)):
            raise InvalidToken()
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))
        except ValueError as exc:
            raise InvalidToken() from exc
        if claims.get('exp', 0) < (now or time.time()):
            raise InvalidToken('The token has expired.')
        return claims

    def _sign(self, payload):
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip('=')
