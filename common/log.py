"""Structured logging: one JSON object per line, with the request id of the bound context."""
import json
import logging
import re
import sys
import time

from rpc import context as context_mod

# Tokens and passwords must never reach a log, whatever a library prints.
_SECRET_PATTERNS = [
    (re.compile(r'(?i)(x-auth-token|x-subject-token|password|adminpass|token)'
                r'(["\']?\s*[:=]\s*["\']?)([^"\'\s,}&]+)'), r'\1\2***'),
    (re.compile(r'(?i)(token=)[^&\s"\']+'), r'\1***'),
    (re.compile(r'(://[^:/@\s]+:)[^@\s]+@'), r'\1***@'),
]


def mask(text):
    """Hide secrets (tokens, passwords, URL credentials) in ``text``."""
    for pattern, repl in _SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    return text


class ContextFilter(logging.Filter):
    """Adds the bound request context's ids to every record."""

    def __init__(self, service, host):
        super().__init__()
        self.service = service
        self.host = host

    def filter(self, record):
        ctx = context_mod.current()
        record.request_id = ctx.request_id if ctx else None
        record.project_id = ctx.project_id if ctx else None
        record.user_id = ctx.user_id if ctx else None
        record.service = self.service
        record.hostname = self.host
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            'time': time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(record.created))
                    + f'.{int(record.msecs):03d}Z',
            'level': record.levelname,
            'service': getattr(record, 'service', None),
            'host': getattr(record, 'hostname', None),
            'request_id': getattr(record, 'request_id', None),
            'project_id': getattr(record, 'project_id', None),
            'logger': record.name,
            'message': mask(record.getMessage()),
        }
        if record.exc_info:
            entry['exception'] = mask(self.formatException(record.exc_info))
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__('%(asctime)s %(levelname)s %(service)s [%(request_id)s] '
                         '%(name)s: %(message)s')

    def format(self, record):
        return mask(super().format(record))


def setup(conf, service):
    """Configure the root logger for ``service`` from [DEFAULT] log_* options."""
    handler = (logging.FileHandler(conf.log_file) if conf.log_file
               else logging.StreamHandler(sys.stderr))
    handler.addFilter(ContextFilter(service, conf.host))
    handler.setFormatter(JSONFormatter() if conf.log_format == 'json' else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if conf.debug else logging.INFO)
    for noisy in ('amqp', 'kombu', 'oslo_messaging', 'libvirt', 'urllib3'):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
