"""Headless Chromium for browser tests, driven over the Chrome DevTools Protocol (CDP)."""
import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import requests

CANDIDATES = ('chromium', 'chromium-browser', 'google-chrome')
INSTALL_HINT = ('chromium is not installed: run tools/install-deps.sh as root '
                '(or apt-get install chromium)')


def find_chromium():
    """The path of a Chromium binary on this machine, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    """Chromium answered a DevTools command with an error, or the page threw."""


class Page:
    """One page target: send CDP commands and wait for their results."""

    def __init__(self, ws_url, timeout=10):
        import websocket
        # No Origin header: Chromium refuses DevTools websockets from unlisted origins.
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self._ids = itertools.count(1)

    def send(self, method, **params):
        """Run ``method`` and return its result; events that arrive meanwhile are dropped."""
        call_id = next(self._ids)
        self.ws.send(json.dumps({'id': call_id, 'method': method, 'params': params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get('id') != call_id:
                continue
            if 'error' in reply:
                raise CDPError(f'{method}: {reply["error"]}')
            return reply['result']

    def navigate(self, url):
        result = self.send('Page.navigate', url=url)
        if result.get('errorText'):
            # The URL itself stays out of the message: it may carry a console token.
            raise CDPError(f'navigation failed: {result["errorText"]}')

    def evaluate(self, expression):
        """The JSON value of a JavaScript expression in the page."""
        result = self.send('Runtime.evaluate', expression=expression, returnByValue=True)
        if 'exceptionDetails' in result:
            raise CDPError(f'{expression!r} threw: {result["exceptionDetails"].get("text")}')
        return result['result'].get('value')

    def wait_for(self, expression, accept, timeout=15, interval=0.1):
        """Poll ``expression`` until ``accept(value)``; TimeoutError names the last value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if accept(value):
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f'{expression!r} still {value!r} after {timeout} s')
            time.sleep(interval)

    def screenshot(self, path):
        """Save a PNG of the page at ``path``; returns the path."""
        data = base64.b64decode(self.send('Page.captureScreenshot', format='png')['data'])
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def close(self):
        self.ws.close()


class Chromium:
    """A headless Chromium with a throw-away profile; ``page`` is its first tab."""

    def __init__(self, binary=None, window=(800, 600)):
        self.binary = binary or find_chromium()
        self.window = window
        self.profile = None
        self.proc = None
        self.page = None

    def start(self, timeout=30):
        self.profile = tempfile.mkdtemp(prefix='stratus-chromium-')
        log = open(os.path.join(self.profile, 'chromium.log'), 'wb')
        # Port 0: Chromium picks a free port and writes it to DevToolsActivePort, so
        # no other process can take it between our choosing and Chromium binding it.
        args = [self.binary, '--headless=new', '--no-sandbox', '--disable-gpu',
                '--remote-debugging-port=0', f'--user-data-dir={self.profile}',
                '--no-first-run', '--no-default-browser-check',
                f'--window-size={self.window[0]},{self.window[1]}', 'about:blank']
        # Its own process group, so stop() ends the renderers and zygotes too.
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        try:
            self.page = Page(self._page_ws_url(timeout))
        except BaseException:
            self.stop()
            raise
        return self

    def _page_ws_url(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f'chromium exited with {self.proc.returncode}: '
                                   f'{self._log_tail()}')
            url = self._find_page()
            if url:
                return url
            if time.monotonic() > deadline:
                raise RuntimeError(f'chromium DevTools not up after {timeout} s: '
                                   f'{self._log_tail()}')
            time.sleep(0.1)

    def _find_page(self):
        try:
            with open(os.path.join(self.profile, 'DevToolsActivePort')) as f:
                port = int(f.readline())
            targets = requests.get(f'http://127.0.0.1:{port}/json', timeout=2).json()
        except (OSError, ValueError, requests.RequestException):
            return None
        pages = [t for t in targets if t.get('type') == 'page' and t.get('url') == 'about:blank']
        return pages[0]['webSocketDebuggerUrl'] if pages else None

    def _log_tail(self, lines=10):
        try:
            with open(os.path.join(self.profile, 'chromium.log'), errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def stop(self):
        """Kill the whole process group and remove the profile (safe to call twice)."""
        if self.page:
            try:
                self.page.close()
            except OSError:
                pass
            self.page = None
        if self.proc:
            self._kill_group()
            self.proc = None
        if self.profile:
            # The profile holds the page's history, i.e. console URLs with their tokens.
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def _kill_group(self):
        pgid = self.proc.pid   # start_new_session: the leader's pid is the group's id
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        # Whatever is left (a stuck leader, or renderers it did not reap) dies now.
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
