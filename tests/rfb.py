"""A tiny real RFB (VNC) server for tests: the 3.8 banner alone, or a whole RFB 3.8 session."""
import socket
import socketserver
import struct
import threading

BANNER = b'RFB 003.008\n'
SECURITY_NONE = 1
# RFC 6143 §7.4: bits-per-pixel, depth, big-endian, true-colour, red/green/blue max and
# shift, 3 bytes of padding.
PIXEL_FORMAT = struct.Struct('>BBBBHHHBBB3x')
# What a real guest's server typically announces: 32 bpp little-endian xRGB, depth 24.
SERVER_FORMAT = (32, 24, 0, 1, 255, 255, 255, 16, 8, 0)
SET_PIXEL_FORMAT, SET_ENCODINGS, UPDATE_REQUEST = 0, 2, 3
KEY_EVENT, POINTER_EVENT, CLIENT_CUT_TEXT = 4, 5, 6
# RFC 6143 §7.5: bytes that follow the message-type byte of each fixed-size message.
FIXED_SIZES = {SET_PIXEL_FORMAT: 19, UPDATE_REQUEST: 9, KEY_EVENT: 7, POINTER_EVENT: 5}


class _Handler(socketserver.BaseRequestHandler):
    """Sends the banner and records the client's 12-byte answer, then idles."""

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


def recv_exact(sock, size):
    """Exactly ``size`` bytes from ``sock``; EOFError when the peer closes first."""
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError(f'peer closed after {len(data)} of {size} bytes')
        data += chunk
    return data


def pixel_bytes(fmt, rgb):
    """One pixel of colour ``rgb`` (0-255 each) in the true-colour PIXEL_FORMAT ``fmt``."""
    bpp, _depth, big_endian, true_colour, *maxes_shifts = fmt
    if not true_colour:
        raise ValueError('colour-map pixel formats are not supported')
    maxes, shifts = maxes_shifts[:3], maxes_shifts[3:]
    value = 0
    for level, top, shift in zip(rgb, maxes, shifts):
        value |= (level * top // 255) << shift
    return value.to_bytes(bpp // 8, 'big' if big_endian else 'little')


def raw_update(fmt, width, height, rgb):
    """A FramebufferUpdate (RFC 6143 §7.6.1): one Raw rectangle of the whole screen."""
    header = struct.pack('>BxH', 0, 1) + struct.pack('>HHHHi', 0, 0, width, height, 0)
    return header + pixel_bytes(fmt, rgb) * (width * height)


class _SessionHandler(socketserver.BaseRequestHandler):
    """A whole RFB 3.8 session: security None, ServerInit, then a solid-colour screen."""

    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
        # Long: a browser may sit idle on a static screen for the whole test.
        self.request.settimeout(120)
        try:
            self._handshake()
            self._serve()
        except (OSError, EOFError, ValueError) as exc:
            with server.lock:
                server.errors.append(repr(exc))

    def _handshake(self):
        server, sock = self.server, self.request
        sock.sendall(BANNER)
        answer = recv_exact(sock, len(BANNER))
        with server.lock:
            server.answers.append(answer)
        server.answered.set()
        if answer != BANNER:
            raise ValueError(f'client wants {answer!r}; only 3.8 is served')
        sock.sendall(bytes([1, SECURITY_NONE]))      # §7.1.2: one type, None
        chosen = recv_exact(sock, 1)[0]
        if chosen != SECURITY_NONE:
            reason = b'only security type None'
            sock.sendall(struct.pack('>II', 1, len(reason)) + reason)
            raise ValueError(f'client chose security type {chosen}')
        sock.sendall(struct.pack('>I', 0))           # §7.1.3 SecurityResult: OK
        recv_exact(sock, 1)                          # §7.3.1 ClientInit: shared-flag
        name = server.name.encode()
        width, height = server.size
        sock.sendall(struct.pack('>HH', width, height) + PIXEL_FORMAT.pack(*SERVER_FORMAT)
                     + struct.pack('>I', len(name)) + name)
        server.initialised.set()

    def _serve(self):
        server, sock = self.server, self.request
        fmt = SERVER_FORMAT
        while True:
            try:
                kind = recv_exact(sock, 1)[0]
            except EOFError:
                return                               # the client left: a clean end
            if kind in FIXED_SIZES:
                body = recv_exact(sock, FIXED_SIZES[kind])
            elif kind == SET_ENCODINGS:
                count = struct.unpack('>xH', recv_exact(sock, 3))[0]
                body = recv_exact(sock, 4 * count)
            elif kind == CLIENT_CUT_TEXT:
                # Signed: noVNC's extended clipboard sends a negative length.
                length = abs(struct.unpack('>3xi', recv_exact(sock, 7))[0])
                body = recv_exact(sock, length)
            else:
                raise ValueError(f'unknown client message type {kind}')
            with server.lock:
                server.messages.append(kind)
            if kind == SET_PIXEL_FORMAT:
                fmt = PIXEL_FORMAT.unpack(body[3:])
                with server.lock:
                    server.client_formats.append(fmt)
            elif kind == UPDATE_REQUEST and not body[0]:
                self._send_screen(fmt)

    def _send_screen(self, fmt):
        # Only non-incremental requests are answered: the screen never changes, and
        # RFC 6143 §7.5.3 lets a server hold an incremental one until something does
        # (answering those too would make the client spin on identical frames).
        server = self.server
        width, height = server.size
        self.request.sendall(raw_update(fmt, width, height, server.colour))
        with server.lock:
            server.updates += 1
        server.updated.set()


class RFBServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Listens on host:port (port 0: any free one); ``connections`` counts clients seen.

    By default each client only gets the banner (its answer lands in ``answers``).
    ``session=True`` serves a whole RFB 3.8 session instead, so a real VNC client
    (noVNC) connects: a ``size`` screen filled with ``colour``, named ``name``.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host='127.0.0.1', port=0, session=False, size=(64, 48),
                 colour=(32, 128, 192), name='stratus-test'):
        self.lock = threading.Lock()
        self.connections = 0
        self.answers = []
        self.answered = threading.Event()
        self.size, self.colour, self.name = size, colour, name
        self.messages = []          # client message types, in order
        self.client_formats = []    # PIXEL_FORMAT tuples from SetPixelFormat
        self.updates = 0            # FramebufferUpdates sent
        self.errors = []            # sessions that ended on a protocol error
        self.initialised = threading.Event()   # a ServerInit went out
        self.updated = threading.Event()       # a FramebufferUpdate went out
        super().__init__((host, port), _SessionHandler if session else _Handler)
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
