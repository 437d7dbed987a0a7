"""A threaded WSGI server from the standard library, quiet, stoppable."""
import logging
import socketserver
import threading
from wsgiref import simple_server

from launch import chunked

LOG = logging.getLogger(__name__)


class _Handler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        # The app logs each request with its request id; the stdlib line adds nothing.
        pass


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _CountingInput:
    """wsgi.input limited to Content-Length, remembering how much the app read."""

    def __init__(self, raw, length):
        self._raw = raw
        self.left = length

    def read(self, size=-1):
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self._raw.read(size) if size else b''
        self.left -= len(data)
        return data

    def readline(self, size=-1):
        line = self._raw.readline(min(size, self.left) if size and size > 0 else self.left)
        self.left -= len(line)
        return line

    def __iter__(self):
        return iter(self.readline, b'')


def draining(app):
    """Read what the app left of the request body before the connection closes.

    Closing a socket with unread bytes makes the kernel send a reset, and the
    client then loses the response it was sent (a GET with a body, say).
    """
    def wrapper(environ, start_response):
        try:
            length = int(environ.get('CONTENT_LENGTH') or 0)
        except ValueError:
            length = 0
        if 'chunked' in environ.get('HTTP_TRANSFER_ENCODING', '').lower():
            # No Content-Length (an image upload streamed by the client): decode the
            # chunks, and tell webob the stream ends by itself.
            stream = environ['wsgi.input'] = chunked.ChunkedInput(environ['wsgi.input'])
            environ['wsgi.input_terminated'] = True
        else:
            stream = environ['wsgi.input'] = _CountingInput(environ['wsgi.input'],
                                                            max(length, 0))
        result = app(environ, start_response)
        while stream.left and stream.read(65536):
            pass
        return result
    return wrapper


class HTTPServer:
    def __init__(self, app, host, port):
        self.app = app
        self._server = simple_server.make_server(host, port, draining(app),
                                                 server_class=_Server, handler_class=_Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread = None

    @property
    def url(self):
        return f'http://{self.host}:{self.port}'

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name='http',
                                        kwargs={'poll_interval': 0.2}, daemon=True)
        self._thread.start()
        LOG.info('listening on %s', self.url)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
