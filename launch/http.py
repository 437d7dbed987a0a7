"""A threaded WSGI server from the standard library, quiet, stoppable."""
import logging
import socketserver
import threading
from wsgiref import simple_server

LOG = logging.getLogger(__name__)


class _Handler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        # The app logs each request with its request id; the stdlib line adds nothing.
        pass


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class HTTPServer:
    def __init__(self, app, host, port):
        self._server = simple_server.make_server(host, port, app, server_class=_Server,
                                                 handler_class=_Handler)
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
