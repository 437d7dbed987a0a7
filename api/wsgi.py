"""Request/response plumbing: JSON bodies, Nova-style error bodies, exception mapping."""
import json
import logging

import webob
import webob.exc

from common import exception

LOG = logging.getLogger(__name__)

_ERROR_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
                404: 'itemNotFound', 405: 'badMethod', 406: 'computeFault',
                409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType',
                501: 'notImplemented', 503: 'serviceUnavailable'}


class Request(webob.Request):
    """A request with the Stratus context and microversion attached by middleware."""

    context = None
    api_version = None
    legacy_v2 = False

    def json_body_or_400(self):
        """The decoded JSON body; malformed or non-object bodies are a 400."""
        if not self.body:
            raise exception.Invalid('The request body is empty; a JSON object is required.')
        try:
            body = json.loads(self.body, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise exception.Invalid(f'Malformed request body: {exc}') from exc
        if not isinstance(body, dict):
            raise exception.Invalid('The request body must be a JSON object.')
        return body


def _reject_constant(name):
    # NaN and Infinity are not JSON (RFC 8259); json.loads would accept them.
    raise ValueError(f'{name} is not a valid JSON value')


class Response(webob.Response):
    default_content_type = 'application/json'


def json_response(body, status=200, headers=None):
    resp = Response(status=status, charset='utf-8')
    if body is not None:
        resp.body = json.dumps(body, default=str).encode()
    else:
        resp.content_type = None
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def error_response(code, message, name=None):
    """Nova's error body: {"itemNotFound": {"message": ..., "code": 404}}."""
    key = name or _ERROR_NAMES.get(code, 'computeFault')
    return json_response({key: {'message': message, 'code': code}}, status=code)


def from_exception(exc):
    """The response for any exception: StratusError keeps its code, others are a 500."""
    if isinstance(exc, exception.StratusError):
        code = exc.code if exc.code in _ERROR_NAMES or exc.code == 500 else 500
        if code == 500:
            LOG.error('request failed: %s', exc)
        return error_response(code, exception.summary(exc))
    if isinstance(exc, webob.exc.HTTPException):
        return error_response(exc.code, exc.explanation or exc.title)
    LOG.exception('unexpected error handling request')
    return error_response(500, 'Unexpected API Error. Please report this at the '
                               'Stratus issue tracker and attach the API log if possible.')
