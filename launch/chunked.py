"""wsgi.input for a request sent with Transfer-Encoding: chunked (wsgiref passes it raw)."""

# A chunk-size line longer than this is not HTTP: refuse it rather than buffer it.
_MAX_LINE = 4096


class ChunkedInput:
    """Reads the decoded body from a raw chunked stream; b'' after the last chunk.

    ``left`` is 0 once the terminating chunk and trailers are consumed, so the
    server's drain loop knows whether unread bytes remain on the connection.
    """

    def __init__(self, raw):
        self._raw = raw
        self._in_chunk = 0      # bytes left in the current chunk
        self._done = False
        self.left = 1           # unknown until the last chunk; non-zero means "maybe more"

    def _next_chunk(self):
        if self._in_chunk == 0 and not self._done:
            line = self._raw.readline(_MAX_LINE)
            if not line.endswith(b'\n'):
                raise ValueError('malformed chunked request body')
            size = int(line.split(b';', 1)[0].strip() or b'0', 16)
            if size == 0:
                self._finish()
            self._in_chunk = size

    def _finish(self):
        # Trailers end with an empty line; skip them.
        while self._raw.readline(_MAX_LINE).strip():
            pass
        self._done = True
        self.left = 0

    def read(self, size=-1):
        out = []
        want = size if size is not None and size >= 0 else None
        while not self._done and (want is None or want > 0):
            self._next_chunk()
            if self._done:
                break
            n = self._in_chunk if want is None else min(want, self._in_chunk)
            data = self._raw.read(n)
            if not data:
                raise ValueError('chunked request body ended early')
            out.append(data)
            self._in_chunk -= len(data)
            if want is not None:
                want -= len(data)
            if self._in_chunk == 0:
                self._raw.readline(_MAX_LINE)   # the CRLF closing the chunk
        return b''.join(out)

    def readline(self, size=-1):
        # Bodies here are binary or JSON; a line-wise read of a chunked body is never
        # needed, so this reads byte by byte, which is correct if slow.
        out = bytearray()
        while size is None or size < 0 or len(out) < size:
            byte = self.read(1)
            if not byte:
                break
            out += byte
            if byte == b'\n':
                break
        return bytes(out)

    def __iter__(self):
        return iter(self.readline, b'')
