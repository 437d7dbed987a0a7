"""Stratus exceptions; they cross RPC with their class, and the API maps them to HTTP codes."""


class StratusError(Exception):
    """Base class; ``code`` is the HTTP status the API answers with."""

    code = 500
    message = 'An unknown error occurred.'

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.message % kwargs if kwargs else self.message
            except (KeyError, TypeError):
                message = self.message
        super().__init__(message)


def summary(exc):
    """The message of ``exc`` without the remote traceback oslo.messaging appends."""
    return str(exc).split('\n', 1)[0]


class Invalid(StratusError):
    code = 400
    message = 'Invalid input.'


class Forbidden(StratusError):
    code = 403
    message = 'Policy does not allow this action.'


class NotFound(StratusError):
    code = 404
    message = 'Resource could not be found.'


class Conflict(StratusError):
    code = 409
    message = 'There was a conflict with the current state.'


class InstanceNotFound(NotFound):
    message = 'Instance %(uuid)s could not be found.'


class FlavorNotFound(NotFound):
    message = 'Flavor %(flavor_id)s could not be found.'


class ImageNotFound(NotFound):
    message = 'Image %(image_id)s could not be found.'


class ComputeHostNotFound(NotFound):
    message = 'Compute host %(host)s could not be found.'


class InstanceInvalidState(Conflict):
    message = 'Cannot %(action)s instance %(uuid)s while it is in %(attr)s %(state)s.'


class UnexpectedTaskState(Conflict):
    message = 'Unexpected task state: expecting %(expected)s but the actual state is %(actual)s.'


class InstanceLocked(Conflict):
    message = 'Instance %(uuid)s is locked.'


class FlavorExists(Conflict):
    message = 'Flavor with %(what)s %(value)s already exists.'


class NoValidHost(StratusError):
    code = 400
    message = 'No valid host was found. %(reason)s'


class ClaimFailed(StratusError):
    message = 'Claim on node %(node)s failed: %(reason)s'


class HostMismatch(Forbidden):
    message = 'Host %(host)s may not change %(what)s owned by %(owner)s.'


class DatabaseNotAllowed(StratusError):
    message = 'This service must not open the database (%(service)s).'



class VirtError(StratusError):
    message = 'Hypervisor error: %(reason)s'


class NotSupported(Conflict):
    message = 'Cannot %(action)s on this instance: %(reason)s'



class UnsupportedMediaType(StratusError):
    code = 415
    message = 'The request body has an unsupported content type: %(content_type)s.'


class ServiceUnavailable(StratusError):
    code = 503
    message = '%(what)s is unavailable: %(reason)s'


class InvalidToken(NotFound):
    message = 'The console token is invalid or has expired.'


class ConsoleTypeInvalid(Invalid):
    message = 'Invalid console type %(console_type)s.'


class ConsoleNotAvailable(Conflict):
    message = 'Guest does not have a console available: %(reason)s'
