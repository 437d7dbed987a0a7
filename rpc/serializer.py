"""Wire format: plain JSON data plus the request context; binds the context for logging."""
import oslo_messaging

from rpc import context as context_mod


class ContextSerializer(oslo_messaging.NoOpSerializer):
    """Carries RequestContext as a dict and binds it on the receiving thread."""

    def serialize_context(self, ctxt):
        if isinstance(ctxt, context_mod.RequestContext):
            return ctxt.to_dict()
        return dict(ctxt or {})

    def deserialize_context(self, ctxt):
        ctx = context_mod.RequestContext.from_dict(ctxt)
        # Executor threads are reused: rebinding here puts this message's
        # request id on every log line the handler writes.
        ctx.bind()
        return ctx
