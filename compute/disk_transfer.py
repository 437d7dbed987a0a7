"""Disks moving between compute hosts: the source offers files over HTTP under a secret,
the destination pulls them and checks each one's size and SHA-256.

Why HTTP pull: it needs no shared filesystem, no ssh keys between hosts and no
libvirtd on the far side (the test driver has none), streams any size without
touching the broker, and the secret travels only inside the RPC message that
starts the pull. The server starts with the first offer, so a compute that never
moves a disk opens no port. Secrets never reach a log (the handler logs no paths).
"""
import hashlib
import hmac
import http.server
import logging
import os
import secrets
import shutil
import threading
import urllib.request

from common import exception

LOG = logging.getLogger(__name__)
CHUNK = 1 << 20


class TransferServer:
    """One per compute: files offered under a secret until withdrawn."""

    def __init__(self, listen, port=0, address=None):
        self.listen, self.port, self.address = listen, port, address or listen
        self._offers = {}
        self._lock = threading.Lock()
        self._httpd = None

    @classmethod
    def from_conf(cls, conf):
        c = conf.compute
        return cls(c.disk_transfer_listen, c.disk_transfer_port, c.disk_transfer_address)

    def start(self):
        """Nothing to do: the server starts with the first offer."""

    def offer(self, directory, names):
        """Serve ``names`` of ``directory``; the offer (url, secret, files with size and
        sha256) the destination needs. Withdraw it with its secret."""
        files = [_describe(os.path.join(directory, name)) for name in names]
        secret = secrets.token_urlsafe(32)
        with self._lock:
            self._start()
            self._offers[secret] = {f['name']: os.path.join(directory, f['name'])
                                    for f in files}
            port = self._httpd.server_address[1]
        return {'url': f'http://{self.address}:{port}/', 'secret': secret, 'files': files}

    def withdraw(self, secret):
        with self._lock:
            self._offers.pop(secret, None)

    def path(self, secret, name):
        """The file offered as ``name`` under ``secret``, or None."""
        with self._lock:
            for known, files in self._offers.items():
                if hmac.compare_digest(known, secret):
                    return files.get(name)
        return None

    def _start(self):
        if self._httpd is not None:
            return
        handler = type('Handler', (_Handler,), {'transfers': self})
        self._httpd = http.server.ThreadingHTTPServer((self.listen, self.port), handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name='disk-transfer',
                         daemon=True).start()
        LOG.info('disk transfers served on %s:%d', self.listen,
                 self._httpd.server_address[1])

    def stop(self):
        with self._lock:
            httpd, self._httpd = self._httpd, None
            self._offers.clear()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    transfers = None

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = self.path.strip('/').split('/')
        path = self.transfers.path(parts[0], parts[1]) if len(parts) == 2 else None
        if path is None or not os.path.isfile(path):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(os.path.getsize(path)))
        self.send_header('Content-Type', 'application/octet-stream')
        self.end_headers()
        with open(path, 'rb') as src:
            shutil.copyfileobj(src, self.wfile, CHUNK)

    def log_message(self, format, *args):  # noqa: A002 - the request line holds a secret
        LOG.debug('disk transfer answered %s', args[1] if len(args) > 1 else '')


def _describe(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as src:
        for block in iter(lambda: src.read(CHUNK), b''):
            digest.update(block)
    return {'name': os.path.basename(path), 'size': os.path.getsize(path),
            'sha256': digest.hexdigest()}


def fetch(offer, target_dir, timeout=60):
    """Pull every file of ``offer`` into ``target_dir``; VirtError when one is missing,
    truncated or changed on the way (nothing half-written is left under its name)."""
    os.makedirs(target_dir, exist_ok=True)
    for entry in offer['files']:
        target = os.path.join(target_dir, entry['name'])
        url = f'{offer["url"]}{offer["secret"]}/{entry["name"]}'
        try:
            got = _download(url, target + '.part', timeout)
        except OSError as exc:
            raise exception.VirtError(reason=f'pulling {entry["name"]} from '
                                             f'{offer["url"]} failed: {exc}') from exc
        if got != (entry['size'], entry['sha256']):
            os.unlink(target + '.part')
            raise exception.VirtError(reason=f'{entry["name"]} arrived damaged '
                                             f'({got[0]} of {entry["size"]} bytes)')
        os.replace(target + '.part', target)


# Host to host, never through a proxy an operator set for the outside world.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _download(url, path, timeout):
    digest, size = hashlib.sha256(), 0
    with _OPENER.open(url, timeout=timeout) as src, open(path, 'wb') as out:
        for block in iter(lambda: src.read(CHUNK), b''):
            digest.update(block)
            size += len(block)
            out.write(block)
    return size, digest.hexdigest()
