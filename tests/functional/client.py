"""A small HTTP client for the gateway: gets a token, sends JSON, waits for states."""
import concurrent.futures
import contextlib
import time

import requests

SERVERS = '/compute/v2.1/servers'
IMAGES = '/image/v2/images'


def request_id(resp):
    """The id the API recorded a request under (its instance action's request_id)."""
    return resp.headers['X-OpenStack-Request-Id']


class Client:
    def __init__(self, base, username, password, project):
        self.base = base.rstrip('/')
        self.session = requests.Session()
        self.token, self.project_id = self._login(username, password, project)
        self.session.headers['X-Auth-Token'] = self.token
        self.session.headers['OpenStack-API-Version'] = 'compute 2.96'

    def _login(self, username, password, project):
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': username, 'domain': {'name': 'Default'}, 'password': password}}},
            'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}}
        resp = requests.post(f'{self.base}/identity/v3/auth/tokens', json=body, timeout=30)
        assert resp.status_code == 201, resp.text
        return resp.headers['X-Subject-Token'], resp.json()['token']['project']['id']

    def request(self, method, path, **kwargs):
        kwargs.setdefault('timeout', 60)
        return self.session.request(method, f'{self.base}{path}', **kwargs)

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, **kw):
        return self.request('POST', path, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def create_server(self, name, image_id, flavor='42', **extra):
        body = {'server': dict({'name': name, 'imageRef': image_id, 'flavorRef': flavor,
                                'networks': 'none'}, **extra)}
        return self.post(SERVERS, json=body)

    def boot(self, name, image_id, **extra):
        """Create a server and wait until it is ACTIVE; its id."""
        resp = self.create_server(name, image_id, **extra)
        assert resp.status_code == 202, resp.text
        server_id = resp.json()['server']['id']
        self.wait_status(server_id, {'ACTIVE'})
        return server_id

    @contextlib.contextmanager
    def booted(self, name, image_id, **extra):
        """An ACTIVE server's id for the block; unlocked and deleted after it."""
        server_id = self.boot(name, image_id, **extra)
        try:
            yield server_id
        finally:
            self.action(server_id, {'unlock': None})
            self.delete_all([server_id])

    def action(self, server_id, body, version='2.96'):
        """POST one server action at microversion ``version``; the response."""
        return self.post(f'{SERVERS}/{server_id}/action', json=body,
                         headers={'OpenStack-API-Version': f'compute {version}'})

    def act(self, server_id, body, expect=202, version='2.96'):
        """POST one server action and assert its status is ``expect``; the response."""
        resp = self.action(server_id, body, version=version)
        assert resp.status_code == expect, resp.text
        return resp

    def accepted(self, server_id, body, version='2.96'):
        """POST the action, expect 202; the request id it was recorded under."""
        return request_id(self.act(server_id, body, version=version))

    def action_events(self, server_id, req_id, names=(), timeout=30):
        """(action, {event: result}) of the instance action recorded for ``req_id``, once
        every event in ``names`` has finished (or ``timeout`` s have passed)."""
        deadline = time.monotonic() + timeout
        while True:
            resp = self.get(f'{SERVERS}/{server_id}/os-instance-actions/{req_id}')
            assert resp.status_code == 200, resp.text
            found = resp.json()['instanceAction']
            done = {e['event'] for e in found['events'] if e['finish_time']}
            if set(names) <= done or time.monotonic() > deadline:
                return found['action'], {e['event']: e['result'] for e in found['events']}
            time.sleep(0.05)

    def server(self, server_id):
        return self.get(f'{SERVERS}/{server_id}').json()['server']

    def wait_idle(self, server_id, timeout=60):
        """Poll until no task runs on the server (task_state null); the server body."""
        deadline = time.monotonic() + timeout
        while True:
            server = self.server(server_id)
            if server['OS-EXT-STS:task_state'] is None:
                return server
            if time.monotonic() > deadline:
                raise AssertionError(f'{server_id} still in task '
                                     f'{server["OS-EXT-STS:task_state"]} after {timeout} s')
            time.sleep(0.05)

    def wait_status(self, server_id, statuses, timeout=60):
        """Poll until the server's status is one of ``statuses`` (or it is gone: 'DELETED')."""
        deadline = time.monotonic() + timeout
        while True:
            resp = self.get(f'{SERVERS}/{server_id}')
            status = 'DELETED' if resp.status_code == 404 else resp.json()['server']['status']
            if status in statuses:
                return resp.json().get('server') if resp.status_code == 200 else None
            if time.monotonic() > deadline:
                raise AssertionError(f'{server_id} still {status} after {timeout} s')
            time.sleep(0.05)

    def boot_many(self, prefix, image_id, count, workers=16, **extra):
        """Create ``count`` servers from ``workers`` threads at once; their ids in order."""
        def boot(n):
            resp = self.create_server(f'{prefix}-{n}', image_id, **extra)
            assert resp.status_code == 202, resp.text
            return resp.json()['server']['id']

        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return list(pool.map(boot, range(count)))

    def delete_all(self, server_ids, workers=16, timeout=120):
        """Delete the servers concurrently and wait until every one is gone."""
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            codes = list(pool.map(
                lambda i: self.delete(f'{SERVERS}/{i}').status_code, server_ids))
        for server_id in server_ids:
            self.wait_status(server_id, {'DELETED'}, timeout=timeout)
        return codes
