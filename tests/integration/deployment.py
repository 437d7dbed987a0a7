"""A real multi-process deployment for tests and benchmarks: one process per service."""
import configparser
import os
import signal
import subprocess
import sys
import time

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USERS = 'admin:adminpw:admin:admin+member+reader,demo:demopw:demo:member+reader'


class Deployment:
    """Writes config files like devstack does and runs each service as its own process."""

    def __init__(self, root, transport_url, api_port, db_url=None, compute_hosts=2,
                 schedulers=1, node_vcpus=8, node_memory_mb=16384, extra=None,
                 memcache_servers=None, consoleauths=1, novncproxy_port=None,
                 host_extra=None):
        self.root = str(root)
        self.transport_url = transport_url
        self.api_port = api_port
        self.db_url = db_url or f'sqlite:///{self.root}/stratus.sqlite'
        self.hosts = [f'compute-{n}' for n in range(1, compute_hosts + 1)]
        self.schedulers = schedulers
        # One string or a list of host:port; None: consoleauth keeps tokens in-process.
        self.memcache_servers = ([memcache_servers] if isinstance(memcache_servers, str)
                                 else list(memcache_servers or []))
        self.consoleauths = consoleauths
        # A port: stratus-novncproxy runs there and console URLs point at it.
        self.novncproxy_port = novncproxy_port
        self.node = (node_vcpus, node_memory_mb)
        self.extra = extra or {}
        # {host: {(section, key): value}}: settings of one compute host only.
        self.host_extra = host_extra or {}
        self.procs = {}
        os.makedirs(os.path.join(self.root, 'logs'), exist_ok=True)
        self.conf_path = self._write_conf('stratus.conf', 'controller', database=True)
        self.compute_confs = {h: self._write_conf(f'{h}.conf', h, database=False)
                              for h in self.hosts}

    @property
    def url(self):
        return f'http://127.0.0.1:{self.api_port}'

    @property
    def novncproxy_url(self):
        return f'http://127.0.0.1:{self.novncproxy_port}'

    def _write_conf(self, name, host, database):
        cp = configparser.ConfigParser(interpolation=None)
        cp['DEFAULT'] = {'transport_url': self.transport_url, 'state_path': self.root,
                         'host': host, 'report_interval': '2', 'rpc_workers': '16',
                         'log_format': 'json'}
        if database:
            cp['database'] = {'connection': self.db_url}
        cp['api'] = {'listen': '127.0.0.1', 'port': str(self.api_port)}
        cp['identity'] = {'users': USERS}
        if self.memcache_servers:
            cp['cache'] = {'memcache_servers': ','.join(self.memcache_servers)}
        if self.novncproxy_port:
            cp['vnc'] = {'novncproxy_host': '127.0.0.1',
                         'novncproxy_port': str(self.novncproxy_port),
                         'novncproxy_base_url': f'{self.novncproxy_url}/vnc_lite.html'}
        cp['quota'] = {'instances': '-1', 'cores': '-1', 'ram': '-1'}
        cp['compute'] = {'instances_path': os.path.join(self.root, 'instances', host)}
        cp['libvirt'] = {'test_node_vcpus': str(self.node[0]),
                         'test_node_memory_mb': str(self.node[1])}
        for (section, key), value in {**self.extra, **self.host_extra.get(host, {})}.items():
            cp.setdefault(section, {})
            cp[section][key] = str(value)
        path = os.path.join(self.root, name)
        with open(path, 'w') as f:
            cp.write(f)
        return path

    def seed(self, tmp_path):
        """Flavors m1.nano (id 42) and m1.tiny (id 1) and a small public image, as devstack
        makes them."""
        from image import qemu_img
        base = os.path.join(str(tmp_path), 'tiny.qcow2')
        qemu_img.create_blank(base, 16 * 2 ** 20)
        self.manage('db', 'sync')
        self.manage('flavor', 'create', 'm1.nano', '--id', '42', '--ram', '128', '--vcpus',
                    '1', '--disk', '1')
        self.manage('flavor', 'create', 'm1.tiny', '--id', '1', '--ram', '512', '--vcpus',
                    '1', '--disk', '1')
        self.image_id = self.manage('image', 'import', base, '--name', 'stratus-tiny',
                                    '--public').split()[0]

    def manage(self, *args):
        return subprocess.run([sys.executable, '-m', 'launch.manage', '--config-file',
                               self.conf_path, *args], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout

    def start_service(self, name, module, conf_path):
        log = open(os.path.join(self.root, 'logs', f'{name}.log'), 'ab')
        # The services exit by themselves if this (test) process dies without stopping them.
        env = dict(os.environ, STRATUS_EXIT_WITH_PARENT='1')
        self.procs[name] = subprocess.Popen(
            [sys.executable, '-m', module, '--config-file', conf_path], cwd=REPO, env=env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self.procs[name]

    def start(self):
        self.manage('db', 'sync')
        self.start_service('conductor', 'launch.conductor', self.conf_path)
        for n in range(self.schedulers):
            self.start_service(f'scheduler-{n}', 'launch.scheduler', self.conf_path)
        for n in range(self.consoleauths):
            self.start_consoleauth(n)
        for host in self.hosts:
            self.start_compute(host)
        self.start_service('api', 'launch.api', self.conf_path)
        if self.novncproxy_port:
            self.start_service('novncproxy', 'launch.novncproxy', self.conf_path)
        self.wait_ready()

    def start_consoleauth(self, n=0):
        """consoleauth-N on the controller config (tokens shared through memcached)."""
        return self.start_service(f'consoleauth-{n}', 'launch.consoleauth', self.conf_path)

    def start_compute(self, host):
        return self.start_service(host, 'launch.compute', self.compute_confs[host])

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            if (self._api_up() and self._nodes_reported() and self._consoleauth_up()
                    and self._proxy_up()):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f'deployment not ready after {timeout} s; logs in {self.root}')
            time.sleep(0.2)

    def _check_alive(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None and name not in getattr(self, '_killed', set()):
                raise RuntimeError(f'{name} exited with {proc.returncode}: {self.log_tail(name)}')

    def _api_up(self):
        try:
            return requests.get(f'{self.url}/identity/v3', timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def _consoleauth_up(self):
        # Calls sent before its queue exists are dropped: wait for its start-up line.
        names = [n for n in self.procs if n.startswith('consoleauth-')]
        return all('consoleauth started' in self.log_tail(n, 10 ** 6) for n in names)

    def _proxy_up(self):
        if not self.novncproxy_port:
            return True
        try:
            return requests.get(f'{self.novncproxy_url}/vnc_lite.html', timeout=2).ok
        except requests.RequestException:
            return False

    def _nodes_reported(self):
        from db import compute_nodes
        return {n['host'] for n in compute_nodes.list_(self.db())} >= set(self.hosts)

    def db(self):
        if not hasattr(self, '_db'):
            from db import engine
            self._db = engine.Database(self.db_url)
        return self._db

    def kill(self, name, sig=signal.SIGTERM):
        proc = self.procs[name]
        self._killed = getattr(self, '_killed', set()) | {name}
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def restart(self, name):
        self._killed.discard(name)
        if name.startswith('consoleauth-'):
            return self.start_consoleauth(int(name.split('-', 1)[1]))
        return self.start_compute(name) if name in self.hosts else None

    def stop(self):
        for name in list(self.procs):
            if self.procs[name].poll() is None:
                self.procs[name].send_signal(signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if hasattr(self, '_db'):
            self._db.dispose()

    def log_tail(self, name, lines=20):
        path = os.path.join(self.root, 'logs', f'{name}.log')
        try:
            with open(path, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def logs(self):
        """Every log line of every service (for greps in tests)."""
        out = []
        for name in self.procs:
            with open(os.path.join(self.root, 'logs', f'{name}.log'), errors='replace') as f:
                out.extend(f.readlines())
        return out


def running(tmp_path, transport_url, api_port, **kwargs):
    """A seeded, started deployment as a generator for pytest fixtures (stops after)."""
    dep = Deployment(os.path.join(str(tmp_path), 'cloud'), transport_url, api_port, **kwargs)
    try:
        dep.seed(tmp_path)
        dep.start()
        yield dep
    finally:
        dep.stop()
