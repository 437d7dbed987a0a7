"""One lazily opened libvirt connection per driver, reopened (with retries) when it dies."""
import logging
import os
import re
import tempfile
import threading
import xml.etree.ElementTree as ET

import libvirt
import tenacity

from common import exception

LOG = logging.getLogger(__name__)

_CONNECTION_CODES = {libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN}
_TRANSPORT_CODES = {libvirt.VIR_ERR_SYSTEM_ERROR, libvirt.VIR_ERR_INTERNAL_ERROR}
_TRANSPORT_DOMAINS = {libvirt.VIR_FROM_REMOTE, libvirt.VIR_FROM_RPC}
_handler_lock = threading.Lock()
_handler_installed = False


def is_connection_error(exc):
    """True when ``exc`` says the connection (not the request) failed."""
    if not isinstance(exc, libvirt.libvirtError):
        return False
    code = exc.get_error_code()
    return code in _CONNECTION_CODES or (
        code in _TRANSPORT_CODES and exc.get_error_domain() in _TRANSPORT_DOMAINS)


def is_test_uri(uri):
    return uri.startswith('test:')


def _quiet_libvirt():
    # libvirt prints every error to stderr by default; we raise them as exceptions instead.
    global _handler_installed
    with _handler_lock:
        if not _handler_installed:
            libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
            _handler_installed = True


def node_file_path(state_path, host):
    """<state_path>/libvirt/<host>-node.xml, with the host name made filename-safe."""
    safe = re.sub(r'[^A-Za-z0-9._-]', '_', host) or 'host'
    return os.path.join(os.path.abspath(state_path), 'libvirt', '%s-node.xml' % safe)


def write_node_file(path, vcpus, memory_mb):
    """Write a test-driver node description with ``vcpus`` cores and ``memory_mb``."""
    node = ET.Element('node')
    cpu = ET.SubElement(node, 'cpu')
    for tag, value in (('nodes', 1), ('sockets', 1), ('cores', vcpus), ('threads', 1),
                       ('active', vcpus), ('mhz', 2400), ('model', 'x86_64')):
        ET.SubElement(cpu, tag).text = str(value)
    ET.SubElement(node, 'memory').text = str(memory_mb * 1024)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.node-', dir=os.path.dirname(path))
    with os.fdopen(fd, 'wb') as out:
        out.write(ET.tostring(node))
    # Atomic so a second worker of the same host never opens a half-written file.
    os.replace(tmp, path)


class Host:
    """Owns the connection to ``uri``; ``node_spec`` (path, vcpus, memory_mb) is
    written before the first open when the URI is a generated test:/// node file."""

    def __init__(self, uri, node_spec=None, connect_attempts=5):
        self.uri = uri
        self.node_spec = node_spec
        self.connect_attempts = connect_attempts
        self._conn = None
        self._lock = threading.Lock()

    @property
    def is_test(self):
        return is_test_uri(self.uri)

    def get_connection(self):
        """The open connection, opening or reopening it when needed."""
        conn = self._conn
        if conn is not None and self._alive(conn):
            return conn
        with self._lock:
            if self._conn is None or not self._alive(self._conn):
                self._conn = self._open()
            return self._conn

    @staticmethod
    def _alive(conn):
        try:
            return conn.isAlive() == 1
        except libvirt.libvirtError:
            return False

    def _open(self):
        _quiet_libvirt()
        if self.node_spec is not None:
            write_node_file(*self.node_spec)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_connection_error),
            stop=tenacity.stop_after_attempt(self.connect_attempts),
            wait=tenacity.wait_exponential(multiplier=0.2, max=5),
            before_sleep=lambda state: LOG.warning(
                'libvirt connection to %s failed, retrying: %s', self.uri,
                state.outcome.exception()),
            reraise=True)
        try:
            return retrying(libvirt.open, self.uri)
        except libvirt.libvirtError as exc:
            raise exception.VirtError(
                reason='cannot connect to %s: %s' % (self.uri, exc)) from exc

    def close(self):
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except libvirt.libvirtError:
                LOG.debug('closing %s failed', self.uri, exc_info=True)
