"""A tiny real RFB (VNC) server for tests: sends the 3.8 banner and records each client's answer."""
import socket
import socketserver
import threading

BANNER = b'RFB 003.008\n'


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
        self.request.settimeout(10)
        try:
            self.request.sendall(BANNER)
            answer = b''
            while len(answer) < len(BANNER):
                chunk = self.request.recv(len(BANNER) - len(answer))
                if not chunk:
                    break
                answer += chunk
        except OSError:
            return
        with server.lock:
            server.answers.append(answer)
        server.answered.set()
        # Keep the session open like a VNC server would, until the client goes away.
        try:
            while self.request.recv(4096):
                pass
        except OSError:
            pass


class RFBServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Listens on host:port (port 0: any free one); ``connections`` counts clients seen."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host='127.0.0.1', port=0):
        self.lock = threading.Lock()
        self.connections = 0
        self.answers = []
        self.answered = threading.Event()
        super().__init__((host, port), _Handler)
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever,
                                        kwargs={'poll_interval': 0.1}, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def port_is_free(port, host='127.0.0.1'):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def open_console(ws_url, origin=None, cookie=None, timeout=10):
    """Open a websocket to the proxy, read the RFB banner and answer it; returns (ws, banner).

    A refused upgrade raises websocket.WebSocketBadStatusException (``status_code``).
    """
    import websocket
    ws = websocket.create_connection(ws_url, origin=origin, cookie=cookie, timeout=timeout)
    banner = b''
    while len(banner) < len(BANNER):
        frame = ws.recv()
        if not frame:
            break
        banner += frame if isinstance(frame, bytes) else frame.encode()
    ws.send_binary(banner)
    return ws, banner


def ws_url_of(access_url):
    """The websocket URL noVNC would open for a console ``access_url`` (…?path=?token=…)."""
    import urllib.parse
    parts = urllib.parse.urlsplit(access_url)
    query = urllib.parse.parse_qs(parts.query)
    inner = query['path'][0] if 'path' in query else '?' + parts.query
    scheme = 'wss' if parts.scheme == 'https' else 'ws'
    return f'{scheme}://{parts.netloc}/{inner.lstrip("/")}'


def token_of(access_url):
    """The console token inside an access URL (``?path=?token=…`` or ``?token=…``)."""
    import urllib.parse
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(access_url).query)
    if 'path' in query:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(query['path'][0]).query)
    return query['token'][0]
