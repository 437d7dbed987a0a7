"""The request context carried through every hop and onto every log line."""
import contextvars
import dataclasses
import uuid

_current = contextvars.ContextVar('stratus_context', default=None)


def new_request_id():
    return 'req-' + str(uuid.uuid4())


@dataclasses.dataclass
class RequestContext:
    """Who asks (user, project, roles) and which request this work belongs to."""

    user_id: str | None = None
    project_id: str | None = None
    roles: list = dataclasses.field(default_factory=list)
    request_id: str = dataclasses.field(default_factory=new_request_id)
    global_request_id: str | None = None
    user_name: str | None = None
    project_name: str | None = None

    @property
    def is_admin(self):
        return 'admin' in self.roles

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (values or {}).items() if k in fields})

    def redacted_copy(self):
        """A copy safe to publish in a notification (a context carries no secrets)."""
        return dataclasses.replace(self, roles=list(self.roles))


    def bind(self):
        """Make this the context of the running thread (for logs); returns a reset token."""
        return _current.set(self)


def admin_context(request_id=None):
    """A context for a service's own work (periodic tasks, start-up repair)."""
    return RequestContext(user_id=None, project_id=None, roles=['admin'],
                          request_id=request_id or new_request_id())


def current():
    """The context bound to this thread, or None."""
    return _current.get()


def unbind(token):
    _current.reset(token)
