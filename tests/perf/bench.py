"""Boot benchmark: N servers at concurrency C, all-in-one or one process per service.

    python tests/perf/bench.py --mode all-in-one --servers 200 --concurrency 8
    python tests/perf/bench.py --mode distributed --servers 200 --concurrency 8 \
        [--rabbit-url rabbit://guest:guest@127.0.0.1:5672/] [--json out.json]
    python tests/perf/bench.py --summarize run1.json run2.json run3.json

docs/performance.md has the figures of this machine and how to read them. In short:

- API->ACTIVE latency of each server: from just before its POST /servers is sent to the
  answer of the first GET /servers/{id} that reads ACTIVE. Each of the C load threads
  POSTs one server, then polls it every ``--poll-interval`` (5 ms) plus one GET round trip.
  A lower bound is reported too: up to the send of the last poll that still read BUILD.
- Throughput: N / (last ACTIVE seen - first POST sent).
- CPU per boot: CPU seconds (user+system) of the cloud's processes over the boot phase / N.
  The HTTP load runs in a separate (spawned) process and is not counted (it is shown on
  its own). All-in-one: this process, with its oslo.messaging poller threads shown apart;
  distributed: every service process (/proc/<pid>/stat) and, apart, the RabbitMQ broker
  (the process listening on the broker's port). The cost of the status polls is
  calibrated (sequential GETs) and shown subtracted as an estimate.
- RPC messages per boot: the 'sent' counters every RPC server returns to a 'ping'
  ('baseapi' namespace), before and after the boot phase. In distributed mode the API
  has no RPC server: its one cast per POST (build_instances) and per DELETE
  (terminate_instance) are counted from the requests made. Periodic messages
  (heartbeats, inventory reports) are listed apart.
- All-in-one only: database transactions per boot (SQLAlchemy 'begin' events).

A warm-up of 2 boots per compute comes first and is not measured. Every server is deleted
at the end (delete latency: DELETE to 404) and every process is stopped. The exit status
is non-zero when a server ends in ERROR, times out or is not deleted.
"""
import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import warnings

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
warnings.filterwarnings('ignore', category=DeprecationWarning)

DEFAULT_RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
FLAVOR = '42'  # m1.nano: 128 MB, 1 vCPU, 1 GB
NODE_VCPUS = 64
NODE_MEMORY_MB = 65536
BACKGROUND_METHODS = ('service_heartbeat', 'compute_node_report', 'instances_on_host')
# The API process has no RPC server to ask; it casts exactly once per request of these.
API_CASTS = {'boot': 'cast:build_instances', 'delete': 'cast:terminate_instance'}
CLK_TCK = os.sysconf('SC_CLK_TCK')


# --------------------------------------------------------------------------- statistics
def percentile(values, pct):
    """Linear-interpolated percentile (like numpy's default) of a non-empty list."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * pct / 100.0
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 2)


def latency_summary(values):
    """p50/p95/p99/mean/max in milliseconds of latencies given in seconds."""
    if not values:
        return {'p50': None, 'p95': None, 'p99': None, 'mean': None, 'max': None}
    return {'p50': _ms(percentile(values, 50)), 'p95': _ms(percentile(values, 95)),
            'p99': _ms(percentile(values, 99)), 'mean': _ms(statistics.fmean(values)),
            'max': _ms(max(values))}


# --------------------------------------------------------------------------- load process
def _load_client(base):
    from tests.functional import client as client_mod
    return client_mod.Client(base, 'demo', 'demopw', 'demo')


def _indexes(cursor, lock):
    """The next indexes of a cursor shared by the load threads."""
    while True:
        with lock:
            index = next(cursor, None)
        if index is None:
            return
        yield index


def _boot_worker(base, image_id, names, cursor, lock, poll, timeout, out):
    client = _load_client(base)
    for index in _indexes(cursor, lock):
        rec = {'name': names[index], 'polls': 0}
        rec['t_post'] = time.perf_counter()
        resp = client.create_server(names[index], image_id, flavor=FLAVOR)
        rec['t_accepted'] = time.perf_counter()
        if resp.status_code != 202:
            rec.update(status=f'HTTP {resp.status_code}', error=resp.text[:300], t_done=None)
            out.append(rec)
            continue
        rec['id'] = resp.json()['server']['id']
        deadline = rec['t_post'] + timeout
        # The server went ACTIVE after the previous poll was sent (it still read BUILD)
        # and before the answer of the poll that reads ACTIVE: t_seen_before..t_done.
        seen_before = rec['t_post']
        while True:
            time.sleep(poll)
            sent = time.perf_counter()
            got = client.get(f'/compute/v2.1/servers/{rec["id"]}')
            now = time.perf_counter()
            rec['polls'] += 1
            status = got.json()['server']['status'] if got.status_code == 200 else \
                f'HTTP {got.status_code}'
            if status in ('ACTIVE', 'ERROR') or status.startswith('HTTP'):
                rec.update(status=status, t_done=now, t_seen_before=seen_before)
                if status == 'ERROR':
                    rec['error'] = json.dumps(got.json()['server'].get('fault'))[:300]
                break
            if now > deadline:
                rec.update(status=f'TIMEOUT ({status})', t_done=None)
                break
            seen_before = sent
        out.append(rec)


def _delete_worker(base, image_id, ids, cursor, lock, poll, timeout, out):
    client = _load_client(base)
    for index in _indexes(cursor, lock):
        rec = {'id': ids[index], 'polls': 0, 't_delete': time.perf_counter()}
        resp = client.delete(f'/compute/v2.1/servers/{rec["id"]}')
        if resp.status_code != 204:
            rec.update(status=f'HTTP {resp.status_code}', error=resp.text[:300], t_done=None)
            out.append(rec)
            continue
        deadline = rec['t_delete'] + timeout
        while True:
            time.sleep(poll)
            got = client.get(f'/compute/v2.1/servers/{rec["id"]}')
            now = time.perf_counter()
            rec['polls'] += 1
            if got.status_code == 404:
                rec.update(status='DELETED', t_done=now)
                break
            status = got.json()['server']['status'] if got.status_code == 200 else \
                f'HTTP {got.status_code}'
            if status == 'ERROR' or status.startswith('HTTP') or now > deadline:
                rec.update(status=f'NOT DELETED ({status})', t_done=None)
                break
        out.append(rec)


def _run_threads(target, items, concurrency, base, image_id, poll, timeout):
    """Run ``target`` on ``concurrency`` threads that share ``items``; returns (records, CPU s)."""
    out = []
    cursor = iter(range(len(items)))
    lock = threading.Lock()

    def guarded():
        try:
            target(base, image_id, items, cursor, lock, poll, timeout, out)
        except Exception as exc:  # noqa: BLE001 - a dead worker is an error, not a hang
            out.append({'name': '?', 'id': None, 'status': 'EXCEPTION', 'error': repr(exc),
                        't_post': time.perf_counter(), 't_delete': time.perf_counter(),
                        't_accepted': time.perf_counter(), 't_done': None, 'polls': 0})

    threads = [threading.Thread(target=guarded, daemon=True)
               for _ in range(max(1, min(concurrency, len(items))))]
    cpu0 = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out, time.process_time() - cpu0


def load_process(conn):
    """The HTTP load generator: runs in its own (spawned) process, driven over a Pipe."""
    warnings.filterwarnings('ignore')
    while True:
        cmd = conn.recv()
        try:
            op = cmd.pop('op')
            if op == 'quit':
                conn.send({'ok': True})
                return
            base, image_id, poll, timeout = (cmd['base'], cmd['image_id'], cmd['poll'],
                                             cmd['timeout'])
            if op == 'boot':
                recs, cpu = _run_threads(_boot_worker, cmd['names'], cmd['concurrency'],
                                         base, image_id, poll, timeout)
            elif op == 'delete':
                recs, cpu = _run_threads(_delete_worker, cmd['ids'], cmd['concurrency'],
                                         base, image_id, poll, timeout)
            elif op == 'gets':
                client = _load_client(base)
                t0 = time.perf_counter()
                for _ in range(cmd['count']):
                    client.get(f'/compute/v2.1/servers/{cmd["id"]}')
                recs, cpu = [{'wall': time.perf_counter() - t0}], 0.0
            else:
                raise ValueError(op)
            conn.send({'ok': True, 'records': recs, 'cpu': cpu})
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            conn.send({'ok': False, 'error': repr(exc)})


class LoadGenerator:
    def __init__(self, base, image_id, poll, timeout):
        self.base, self.image_id, self.poll, self.timeout = base, image_id, poll, timeout
        ctx = multiprocessing.get_context('spawn')
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=load_process, args=(child,), daemon=True,
                                 name='bench-load')
        self._proc.start()
        child.close()

    def _ask(self, op, **kw):
        self._conn.send(dict(kw, op=op, base=self.base, image_id=self.image_id,
                             poll=self.poll, timeout=self.timeout))
        answer = self._conn.recv()
        if not answer['ok']:
            raise RuntimeError(f'load generator failed: {answer["error"]}')
        return answer

    def boot(self, names, concurrency):
        return self._ask('boot', names=names, concurrency=concurrency)

    def delete(self, ids, concurrency):
        return self._ask('delete', ids=ids, concurrency=concurrency)

    def gets(self, server_id, count):
        return self._ask('gets', id=server_id, count=count)

    def close(self):
        with contextlib.suppress(Exception):
            self._conn.send({'op': 'quit'})
            self._conn.recv()
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(5)


# --------------------------------------------------------------------------- CPU
def proc_cpu(pid):
    """utime+stime of ``pid`` in seconds (all its threads), from /proc/<pid>/stat."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def self_cpu():
    t = os.times()
    return t.user + t.system


SERVICES_IN_PROCESS = 'services (this process, excl. pollers)'
POLLERS = 'transport poller threads'


def poller_threads_cpu():
    """CPU seconds of this process's oslo.messaging listener/reply poller threads.

    Threads started by oslo.messaging to drain a transport are named after their target
    ('Thread-3 (_runner)', 'Thread-5 (poll)'). On the in-process memory transport they
    may busy-poll, which would otherwise hide inside the services' figure.
    """
    total = 0.0
    for thread in threading.enumerate():
        if thread.name.endswith(('(_runner)', '(poll)')) and thread.native_id:
            with contextlib.suppress(OSError):
                with open(f'/proc/self/task/{thread.native_id}/stat') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def listening_pid(port):
    """The pid of the process listening on TCP ``port`` (root can read every /proc/*/fd)."""
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        with contextlib.suppress(OSError), open(table) as f:
            for line in list(f)[1:]:
                parts = line.split()
                if parts[3] == '0A' and int(parts[1].rsplit(':', 1)[1], 16) == port:
                    inodes.add(parts[9])
    if not inodes:
        return None
    targets = {f'socket:[{i}]' for i in inodes}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f'/proc/{pid}/fd'):
                with contextlib.suppress(OSError):
                    if os.readlink(f'/proc/{pid}/fd/{fd}') in targets:
                        return int(pid)
    return None


# --------------------------------------------------------------------------- RPC counters
def rpc_counters(conf, transport, targets):
    """{'<topic>/<server>': sent counters} from a ping to each (topic, server)."""
    from rpc import client as rpc_client
    from rpc import context as context_mod
    ctxt = context_mod.admin_context()
    out = {}
    for topic, server in targets:
        answer = rpc_client.Client(conf, transport, topic, '1.0', topic).ping(
            ctxt, server=server, timeout=10)
        out[f'{topic}/{server}'] = dict(answer['sent'])
    return out


def diff_counters(before, after):
    total = {}
    for key, counts in after.items():
        prev = before.get(key, {})
        for method, n in counts.items():
            d = n - prev.get(method, 0)
            if d:
                total[method] = total.get(method, 0) + d
    return total


def rpc_summary(diff, n, api_casts=None):
    """Per-boot figures from a counter diff; ``api_casts`` adds messages no ping can see."""
    counts = dict(diff)
    for method, extra in (api_casts or {}).items():
        counts[method] = counts.get(method, 0) + extra
    background = {m: c for m, c in counts.items() if m.split(':', 1)[1] in BACKGROUND_METHODS}
    work = {m: c for m, c in counts.items() if m not in background}
    return {'per_op': round(sum(work.values()) / n, 3) if n else None,
            'per_op_with_background': round(sum(counts.values()) / n, 3) if n else None,
            'calls_per_op': round(sum(c for m, c in work.items()
                                      if m.startswith('call:')) / n, 3) if n else None,
            'casts_per_op': round(sum(c for m, c in work.items()
                                      if m.startswith('cast:')) / n, 3) if n else None,
            'by_method': dict(sorted(counts.items())),
            'background': dict(sorted(background.items())),
            'api_casts_added': dict(api_casts or {})}


# --------------------------------------------------------------------------- clouds
def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f'timed out after {timeout} s waiting for {what}')
        time.sleep(0.1)


class AllInOneCloud:
    """Every service in this process (kombu+memory, SQLite); the load runs elsewhere."""

    mode = 'all-in-one'

    def __init__(self, workdir, computes, notifications=False):
        from launch import all_in_one
        from tests.functional import conftest as fconf
        self.hosts = [f'compute-{n}' for n in range(1, computes + 1)]
        self.conf = fconf.cloud_conf(os.path.join(workdir, 'state'))
        # Explicit, so a changed default can never put the bench on a shared broker.
        self.conf.set_override('transport_url', 'kombu+memory:////')
        self.conf.set_override('driver', ['messagingv2'] if notifications else [],
                               group='oslo_messaging_notifications')
        self.conf.set_override('test_node_vcpus', NODE_VCPUS, group='libvirt')
        self.conf.set_override('test_node_memory_mb', NODE_MEMORY_MB, group='libvirt')
        self.aio = all_in_one.AllInOne(self.conf, compute_hosts=self.hosts)
        self.image_id = fconf.seed(self.aio.db, self.conf, _Path(workdir))['id']
        self.transport = self.aio.transport
        self.rpc_targets = [('conductor', self.conf.host)]
        # Every database transaction of the cloud (the all-in-one holds the only engines).
        self._transactions = 0
        from sqlalchemy import event
        for engine in {id(e): e for e in (self.aio.db.engine,
                                          getattr(self.aio.db, 'read_engine', None)) if e}.values():
            event.listen(engine, 'begin', self._count_transaction)

    def _count_transaction(self, _conn):
        self._transactions += 1

    def transactions(self):
        return self._transactions

    @property
    def url(self):
        return self.aio.url

    def start(self):
        self.aio.start()
        from db import compute_nodes
        wait_for(lambda: {n['host'] for n in compute_nodes.list_(self.aio.db)}
                 >= set(self.hosts), 60, 'compute nodes to report')

    def cpu(self):
        pollers = poller_threads_cpu()
        return {SERVICES_IN_PROCESS: self_cpu() - pollers, POLLERS: pollers}

    def broker_cpu(self):
        return None

    def api_casts(self, op, n):
        return None  # one process: the ping's counters include the API's casts

    def stop(self):
        self.aio.stop()


class _Path(str):
    """seed() wants ``tmp_path / 'name'``."""

    def __truediv__(self, other):
        return _Path(os.path.join(self, other))


class DistributedCloud:
    """One process per service (tests/integration/deployment.py) over RabbitMQ."""

    mode = 'distributed'

    def __init__(self, workdir, computes, rabbit_url, rabbit_node=None, notifications=False,
                 extra=None):
        from tests.integration import deployment as deployment_mod
        self.workdir = workdir
        self.broker = Broker(rabbit_url, workdir, rabbit_node)
        self.vhost_url = self.broker.add_vhost(f'stratus-bench-{uuid.uuid4().hex[:10]}')
        self.dep = deployment_mod.Deployment(
            os.path.join(workdir, 'cloud'), self.vhost_url, free_port(),
            compute_hosts=computes, node_vcpus=NODE_VCPUS, node_memory_mb=NODE_MEMORY_MB,
            extra=dict(extra or {}, **({('oslo_messaging_notifications', 'driver'):
                                        'messagingv2'} if notifications else {})))
        self.hosts = self.dep.hosts
        self.transport = None
        self.rpc_targets = [('conductor', 'controller'), ('scheduler', 'controller')] + [
            ('compute', h) for h in self.hosts]

    @property
    def url(self):
        return self.dep.url

    def start(self):
        from conf import new_conf
        from image import qemu_img
        from rpc import transport as transport_mod
        base = os.path.join(self.workdir, 'tiny.qcow2')
        qemu_img.create_blank(base, 16 * 2 ** 20)
        self.dep.manage('db', 'sync')
        self.dep.manage('flavor', 'create', 'm1.nano', '--id', FLAVOR, '--ram', '128',
                        '--vcpus', '1', '--disk', '1')
        # The resize steps of the action catalogue move to it.
        self.dep.manage('flavor', 'create', 'm1.tiny', '--id', '1', '--ram', '512',
                        '--vcpus', '1', '--disk', '1')
        self.image_id = self.dep.manage('image', 'import', base, '--name', 'stratus-tiny',
                                        '--public').split()[0]
        self.dep.start()
        self.conf = new_conf()
        self.conf.set_override('transport_url', self.vhost_url)
        self.transport = transport_mod.get_transport(self.conf)

    def cpu(self):
        return {name: proc_cpu(proc.pid) for name, proc in self.dep.procs.items()}

    def transactions(self):
        return None  # other processes' engines: not counted

    def broker_cpu(self):
        pid = self.broker.pid()
        return proc_cpu(pid) if pid else None

    def api_casts(self, op, n):
        return {API_CASTS[op]: n}

    def stop(self):
        try:
            if self.transport is not None:
                self.transport.cleanup()
            self.dep.stop()
        finally:
            self.broker.close()


class Broker:
    """The RabbitMQ at ``url``: a private one is started when nothing answers on loopback."""

    def __init__(self, url, workdir, node=None):
        self.url = url
        parsed = urllib.parse.urlparse(url)
        self.host = parsed.hostname or '127.0.0.1'
        self.port = parsed.port or 5672
        self.user = urllib.parse.unquote(parsed.username or 'guest')
        self.node = node
        self._proc = None
        self._vhosts = []
        if not self._answers():
            if self.host not in ('127.0.0.1', 'localhost'):
                raise SystemExit(f'bench: nothing answers at {self.host}:{self.port} '
                                 f'({url}); start RabbitMQ or pass --rabbit-url')
            self._start_private(workdir)

    def _answers(self):
        with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 2):
            return True
        return False

    def _start_private(self, workdir):
        server = '/usr/lib/rabbitmq/bin/rabbitmq-server'
        if not os.path.exists(server):
            raise SystemExit(f'bench: no broker at {self.host}:{self.port} and rabbitmq-server '
                             'is not installed (tools/install-deps.sh installs it)')
        base = os.path.join(workdir, 'rabbit')
        os.makedirs(base, exist_ok=True)
        with open(os.path.join(base, 'rabbitmq.conf'), 'w') as f:
            f.write(f'listeners.tcp.local = 127.0.0.1:{self.port}\n')
        self.node = f'stratus-bench-{self.port}@localhost'
        self._env = dict(os.environ, RABBITMQ_NODE_PORT=str(self.port),
                         RABBITMQ_DIST_PORT=str(free_port()), RABBITMQ_NODENAME=self.node,
                         RABBITMQ_MNESIA_BASE=os.path.join(base, 'mnesia'),
                         RABBITMQ_LOG_BASE=os.path.join(base, 'logs'),
                         RABBITMQ_CONFIG_FILE=os.path.join(base, 'rabbitmq.conf'),
                         RABBITMQ_CONF_ENV_FILE=os.path.join(base, 'none.conf'),
                         ERL_EPMD_ADDRESS='127.0.0.1')
        print(f'bench: nothing answers at {self.host}:{self.port}; starting a private '
              f'RabbitMQ ({self.node}) under {base}', file=sys.stderr, flush=True)
        self._log = open(os.path.join(base, 'server.out'), 'ab')
        self._proc = subprocess.Popen([server], env=self._env, stdout=self._log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(lambda: self._proc.poll() is None and self._answers()
                     or self._proc.poll() is not None, 90, 'the private broker')
            if self._proc.poll() is not None:
                raise SystemExit(f'bench: the private RabbitMQ exited ({base}/server.out)')
            self.ctl('await_startup')
        except BaseException:
            self.close()
            raise

    def ctl(self, *args):
        cmd = ['/usr/lib/rabbitmq/bin/rabbitmqctl' if self._proc else
               (shutil.which('rabbitmqctl') or '/usr/sbin/rabbitmqctl')]
        if self.node:
            cmd += ['-n', self.node]
        res = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60,
                             env=getattr(self, '_env', None))
        if res.returncode:
            raise SystemExit(f'bench: {" ".join(cmd + list(args))} failed: '
                             f'{(res.stderr or res.stdout).strip()[-500:]}')
        return res.stdout

    def add_vhost(self, name):
        self.ctl('add_vhost', name)
        self._vhosts.append(name)
        self.ctl('set_permissions', '-p', name, self.user, '.*', '.*', '.*')
        parsed = urllib.parse.urlparse(self.url)
        return urllib.parse.urlunparse(parsed._replace(path='/' + name))

    def pid(self):
        if self._proc:
            # rabbitmq-server (a script) execs or forks beam.smp; the listener is beam.
            return listening_pid(self.port) or self._proc.pid
        return listening_pid(self.port)

    def close(self):
        for name in self._vhosts:
            with contextlib.suppress(BaseException):
                self.ctl('delete_vhost', name)
        self._vhosts = []
        if self._proc:
            with contextlib.suppress(BaseException):
                self.ctl('stop')
            if self._proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(30)
            self._log.close()
            self._proc = None


# --------------------------------------------------------------------------- benchmark
def _not_pollers(cpu):
    return sum(v for k, v in cpu.items() if k != POLLERS)


def _phase_cpu(cloud, before, after):
    per = {k: round(after[k] - before.get(k, 0.0), 3) for k in after}
    return per, sum(per.values())


def _snapshot(cloud):
    return {'t': time.perf_counter(), 'cpu': cloud.cpu(), 'broker': cloud.broker_cpu(),
            'tx': cloud.transactions(),
            'rpc': rpc_counters(cloud.conf, cloud.transport, cloud.rpc_targets)}


def _cpu_block(cloud, before, after, n, polls, get_cpu):
    per, total = _phase_cpu(cloud, before['cpu'], after['cpu'])
    broker = (None if before['broker'] is None or after['broker'] is None
              else after['broker'] - before['broker'])
    return {'python_s': round(total, 3),
            'python_ms_per_op': round(1000 * total / n, 2),
            'pollers_ms_per_op': round(1000 * per[POLLERS] / n, 2) if POLLERS in per else None,
            'python_ms_per_op_excl_polls': round(1000 * (total - polls * get_cpu) / n, 2),
            'broker_s': None if broker is None else round(broker, 3),
            'broker_ms_per_op': None if broker is None else round(1000 * broker / n, 2),
            'total_ms_per_op': round(1000 * (total + (broker or 0.0)) / n, 2),
            'by_process_s': per}


def run_bench(mode='all-in-one', servers=200, concurrency=8, rabbit_url=DEFAULT_RABBIT_URL,
              computes=2, poll_interval=0.005, timeout=120.0, warmup=None, workdir=None,
              rabbit_node=None, calibrate_gets=200, notifications=False, idle_seconds=3.0,
              log=None):
    """Boot ``servers`` servers ``concurrency`` at a time, delete them; returns the report."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    own_dir = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix='stratus-bench-')
    warmup = max(2, computes * 2) if warmup is None else warmup
    run_id = uuid.uuid4().hex[:8]
    report = {'mode': mode, 'servers': servers, 'concurrency': concurrency,
              'computes': computes, 'poll_interval_ms': poll_interval * 1000,
              'warmup_servers': warmup, 'notifications': notifications,
              'code': code_version(), 'flavor': 'm1.nano (128 MB, 1 vCPU)',
              'node': f'{NODE_VCPUS} vCPU / {NODE_MEMORY_MB} MB, cpu_allocation_ratio 16',
              'machine': machine_description(), 'started': time.strftime('%Y-%m-%d %H:%M:%S'),
              'errors': []}
    cloud = load = None
    leftover = []
    try:
        log(f'bench: starting the {mode} cloud under {workdir}')
        if mode == 'all-in-one':
            cloud = AllInOneCloud(workdir, computes, notifications)
        elif mode == 'distributed':
            cloud = DistributedCloud(workdir, computes, rabbit_url, rabbit_node, notifications)
            report['rabbit_url'] = _redact(cloud.vhost_url)
        else:
            raise ValueError(f'unknown mode {mode!r}')
        cloud.start()
        load = LoadGenerator(cloud.url, cloud.image_id, poll_interval, timeout)

        # Warm-up (not measured): first boots import modules and fill caches.
        names = [f'bench-{run_id}-warm-{i}' for i in range(warmup)]
        warm = load.boot(names, min(concurrency, warmup))['records']
        leftover = [r['id'] for r in warm if r.get('id')]
        bad = [r for r in warm if r['status'] != 'ACTIVE']
        if bad:
            raise RuntimeError(f'warm-up boot failed: {bad[0]}')
        # What the idle cloud burns (CPU cores), with one server ACTIVE.
        time.sleep(0.5)
        c0, b0, w0 = cloud.cpu(), cloud.broker_cpu(), time.perf_counter()
        time.sleep(idle_seconds)
        c1, b1 = cloud.cpu(), cloud.broker_cpu()
        idle_wall = time.perf_counter() - w0
        report['idle_cpu_cores'] = round(
            (sum(c1.values()) - sum(c0.values())) / idle_wall, 3)
        report['idle_pollers_cpu_cores'] = (round((c1[POLLERS] - c0[POLLERS]) / idle_wall, 3)
                                            if POLLERS in c1 else None)
        report['idle_broker_cpu_cores'] = None if b0 is None else round((b1 - b0) / idle_wall, 3)
        # Calibrate the cost of one status poll (GET /servers/{id}) on the cloud side: CPU
        # of everything but the transport pollers, net of its idle rate over the same time.
        idle_rest = (_not_pollers(c1) - _not_pollers(c0)) / idle_wall
        get_cpu = get_tx = 0.0
        t0 = cloud.transactions()
        if calibrate_gets:
            c0, t0 = _not_pollers(cloud.cpu()), cloud.transactions()
            wall = load.gets(leftover[0], calibrate_gets)['records'][0]['wall']
            get_cpu = max(0.0, (_not_pollers(cloud.cpu()) - c0 - idle_rest * wall)
                          / calibrate_gets)
            if t0 is not None:
                get_tx = (cloud.transactions() - t0) / calibrate_gets
            report['poll_get_ms'] = round(1000 * wall / calibrate_gets, 3)
        report['poll_get_db_transactions'] = None if t0 is None else round(get_tx, 2)
        report['poll_get_cpu_ms'] = round(get_cpu * 1000, 3)
        load.delete(leftover, concurrency)
        leftover = []

        log(f'bench: booting {servers} servers, {concurrency} at a time')
        s0 = _snapshot(cloud)
        boot = load.boot([f'bench-{run_id}-{i}' for i in range(servers)], concurrency)
        s1 = _snapshot(cloud)
        recs = boot['records']
        leftover = [r['id'] for r in recs if r.get('id')]
        active = [r for r in recs if r['status'] == 'ACTIVE']
        for r in recs:
            if r['status'] != 'ACTIVE':
                report['errors'].append({'name': r['name'], 'id': r.get('id'),
                                         'status': r['status'], 'error': r.get('error')})
        lat = [r['t_done'] - r['t_post'] for r in active]
        wall = (max(r['t_done'] for r in active) - min(r['t_post'] for r in recs)
                if active else None)
        polls = sum(r['polls'] for r in recs)
        tx = None if s0['tx'] is None else s1['tx'] - s0['tx']
        report['boot'] = {
            'active': len(active), 'not_active': len(recs) - len(active),
            'latency_ms': latency_summary(lat),
            # The same from the send of the last poll that still read BUILD: a lower bound.
            'latency_lower_bound_ms': latency_summary(
                [r['t_seen_before'] - r['t_post'] for r in active]),
            'post_ms': latency_summary([r['t_accepted'] - r['t_post'] for r in recs]),
            'wall_s': None if wall is None else round(wall, 3),
            'boots_per_s': round(len(active) / wall, 2) if wall else None,
            'polls_per_boot': round(polls / servers, 2),
            'db_transactions_per_boot': None if tx is None else round(tx / servers, 2),
            'db_transactions_per_boot_excl_polls': None if tx is None else round(
                (tx - polls * report['poll_get_db_transactions']) / servers, 2),
            'cpu': _cpu_block(cloud, s0, s1, servers, polls, get_cpu),
            'load_generator_cpu_ms_per_op': round(1000 * boot['cpu'] / servers, 2),
            'rpc': rpc_summary(diff_counters(s0['rpc'], s1['rpc']), servers,
                               cloud.api_casts('boot', servers))}

        log(f'bench: deleting {len(leftover)} servers, {concurrency} at a time')
        d0 = _snapshot(cloud)
        gone = load.delete(leftover, concurrency)
        d1 = _snapshot(cloud)
        drecs = gone['records']
        deleted = [r for r in drecs if r['status'] == 'DELETED']
        for r in drecs:
            if r['status'] != 'DELETED':
                report['errors'].append({'id': r['id'], 'status': r['status'],
                                         'error': r.get('error')})
        leftover = [r['id'] for r in drecs if r['status'] != 'DELETED']
        n_del = max(1, len(drecs))
        dwall = (max(r['t_done'] for r in deleted) - min(r['t_delete'] for r in drecs)
                 if deleted else None)
        report['delete'] = {
            'deleted': len(deleted), 'not_deleted': len(drecs) - len(deleted),
            'latency_ms': latency_summary([r['t_done'] - r['t_delete'] for r in deleted]),
            'deletes_per_s': round(len(deleted) / dwall, 2) if dwall else None,
            'cpu': _cpu_block(cloud, d0, d1, n_del, sum(r['polls'] for r in drecs), get_cpu),
            'rpc': rpc_summary(diff_counters(d0['rpc'], d1['rpc']), n_del,
                               cloud.api_casts('delete', len(drecs)))}
    finally:
        if load is not None and leftover:
            with contextlib.suppress(Exception):
                load.delete(leftover, concurrency)
        if load is not None:
            load.close()
        if cloud is not None:
            log('bench: stopping the cloud')
            cloud.stop()
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    report['ok'] = not report['errors']
    return report


def code_version():
    try:
        rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO,
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'],
                               cwd=REPO, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return rev + ('+uncommitted changes' if dirty else '')
    except (OSError, subprocess.SubprocessError):
        return None


def _redact(url):
    parsed = urllib.parse.urlparse(url)
    if parsed.password:
        parsed = parsed._replace(netloc=parsed.netloc.replace(f':{parsed.password}@', ':***@'))
    return urllib.parse.urlunparse(parsed)


def machine_description():
    model = ''
    with contextlib.suppress(OSError), open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    mem = ''
    with contextlib.suppress(OSError), open('/proc/meminfo') as f:
        mem = f'{int(f.readline().split()[1]) // 1024} MB'
    return {'cpus': os.cpu_count(), 'cpu_model': model, 'memory': mem,
            'python': platform.python_version(), 'kernel': platform.release(),
            'loadavg_at_start': [round(x, 2) for x in os.getloadavg()]}


# --------------------------------------------------------------------------- output
def format_report(r):
    lines = [f'Stratus boot benchmark: {r["mode"]}, {r["servers"]} servers, concurrency '
             f'{r["concurrency"]}, {r["computes"]} computes, poll every '
             f'{r["poll_interval_ms"]:g} ms '
             f'(load average at start {r["machine"]["loadavg_at_start"]})']
    if 'boot' not in r:
        return '\n'.join(lines + ['no figures (the run failed)'])
    b, d = r['boot'], r['delete']
    lb, ld = b['latency_ms'], d['latency_ms']
    rows = [
        ('API->ACTIVE latency p50 / p95 / p99', f'{lb["p50"]} / {lb["p95"]} / {lb["p99"]} ms'),
        ('  mean / max', f'{lb["mean"]} / {lb["max"]} ms'),
        ('  lower bound p50 / p95 / p99', '{p50} / {p95} / {p99} ms'.format(
            **b['latency_lower_bound_ms'])),
        ('POST /servers response p50 / p99', f'{b["post_ms"]["p50"]} / {b["post_ms"]["p99"]} ms'),
        ('throughput', f'{b["boots_per_s"]} boots/s ({b["active"]} ACTIVE in {b["wall_s"]} s)'),
        ('CPU per boot, Python services', f'{b["cpu"]["python_ms_per_op"]} ms'),
        ('  of which transport poller threads', '-' if b['cpu']['pollers_ms_per_op'] is None
         else f'{b["cpu"]["pollers_ms_per_op"]} ms'),
        ('  excluding status polls (est.)', f'{b["cpu"]["python_ms_per_op_excl_polls"]} ms '
                                            f'({b["polls_per_boot"]} polls/boot x '
                                            f'{r["poll_get_cpu_ms"]} ms)'),
        ('CPU per boot, RabbitMQ broker', '-' if b['cpu']['broker_ms_per_op'] is None
         else f'{b["cpu"]["broker_ms_per_op"]} ms'),
        ('CPU per boot, load generator (not counted)', f'{b["load_generator_cpu_ms_per_op"]} ms'),
        ('idle cloud CPU (cores), before the boots', f'{r["idle_cpu_cores"]}' + (
            '' if r['idle_pollers_cpu_cores'] is None
            else f' (transport pollers {r["idle_pollers_cpu_cores"]})') + (
            '' if r['idle_broker_cpu_cores'] is None
            else f' (+ broker {r["idle_broker_cpu_cores"]})')),
        ('DB transactions per boot (excl. polls)', '-' if b['db_transactions_per_boot'] is None
         else f'{b["db_transactions_per_boot"]} ({b["db_transactions_per_boot_excl_polls"]}; '
              f'{r["poll_get_db_transactions"]} per poll)'),
        ('RPC messages per boot', f'{b["rpc"]["per_op"]} ({b["rpc"]["calls_per_op"]} calls, '
                                  f'{b["rpc"]["casts_per_op"]} casts; '
                                  f'{b["rpc"]["per_op_with_background"]} with heartbeats)'),
        ('DELETE->404 latency p50 / p99', f'{ld["p50"]} / {ld["p99"]} ms'),
        ('CPU per delete (Python, excl. polls)', f'{d["cpu"]["python_ms_per_op_excl_polls"]} ms'),
        ('RPC messages per delete', f'{d["rpc"]["per_op"]}'),
    ]
    width = max(len(k) for k, _ in rows)
    lines += [f'  {k:<{width}}  {v}' for k, v in rows]
    lines.append('  RPC messages in the boot phase, by method (per boot):')
    for method, count in b['rpc']['by_method'].items():
        note = ' (counted from the API requests)' if method in b['rpc']['api_casts_added'] else ''
        note = ' (periodic)' if method in b['rpc']['background'] else note
        lines.append(f'    {method:<34} {count:>6}  {count / r["servers"]:.3f}{note}')
    lines.append('  CPU seconds in the boot phase, by process:')
    for name, sec in b['cpu']['by_process_s'].items():
        lines.append(f"    {name:<40} {sec:>8.3f}")
    if b['cpu']['broker_s'] is not None:
        lines.append(f'    {"rabbitmq (beam.smp)":<40} {b["cpu"]["broker_s"]:>8.3f}')
    if r['mode'] == 'distributed':
        lines.append('  The API process has no RPC server: its casts are counted from the requests '
                     'made (one build_instances per POST, one terminate_instance per DELETE).')
    else:
        lines.append('  One process: the conductor\'s ping counts every service\'s messages, '
                     'the API\'s casts included.')
    if r['errors']:
        lines.append(f'  ERRORS ({len(r["errors"])}):')
        lines += [f'    {e}' for e in r['errors'][:10]]
    return '\n'.join(lines)


KEY_FIGURES = [('boot p50 ms', ('boot', 'latency_ms', 'p50')),
               ('boot p95 ms', ('boot', 'latency_ms', 'p95')),
               ('boot p99 ms', ('boot', 'latency_ms', 'p99')),
               ('boots/s', ('boot', 'boots_per_s')),
               ('CPU ms/boot (Python)', ('boot', 'cpu', 'python_ms_per_op')),
               ('CPU ms/boot excl. polls', ('boot', 'cpu', 'python_ms_per_op_excl_polls')),
               ('CPU ms/boot (pollers)', ('boot', 'cpu', 'pollers_ms_per_op')),
               ('CPU ms/boot (broker)', ('boot', 'cpu', 'broker_ms_per_op')),
               ('idle CPU cores', ('idle_cpu_cores',)),
               ('msgs/boot', ('boot', 'rpc', 'per_op')),
               ('delete p50 ms', ('delete', 'latency_ms', 'p50'))]


def summarize(paths):
    """Median and min..max of the key figures over several --json files of one config."""
    reports = []
    for path in paths:
        with open(path) as f:
            reports.append(json.load(f))
    head = {(r['mode'], r['servers'], r['concurrency'], r['computes']) for r in reports}
    lines = [f'{len(reports)} runs of {sorted(head)}']
    for label, keys in KEY_FIGURES:
        vals = []
        for r in reports:
            v = r
            for k in keys:
                v = v.get(k) if isinstance(v, dict) else None
            if v is not None:
                vals.append(v)
        if vals:
            lines.append(f'  {label:<26} median {statistics.median(vals):>9.2f}   '
                         f'min..max {min(vals):.2f}..{max(vals):.2f}')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--mode', choices=['all-in-one', 'distributed'], default='all-in-one')
    parser.add_argument('--servers', '-n', type=int, default=200)
    parser.add_argument('--concurrency', '-c', type=int, default=8)
    parser.add_argument('--computes', type=int, default=2)
    parser.add_argument('--rabbit-url', default=DEFAULT_RABBIT_URL,
                        help='broker for --mode distributed; a fresh vhost is made on it '
                             '(a private broker is started when nothing answers on loopback)')
    parser.add_argument('--rabbit-node', help='rabbitmqctl -n NODE for that broker')
    parser.add_argument('--poll-interval', type=float, default=5.0, metavar='MS',
                        help='status poll interval per server, ms (default 5)')
    parser.add_argument('--timeout', type=float, default=120.0, help='per server, seconds')
    parser.add_argument('--warmup', type=int, help='unmeasured boots first (2 per compute)')
    parser.add_argument('--notifications', action='store_true',
                        help='send versioned notifications (messagingv2) in both modes; '
                             'off by default, as in the product defaults')
    parser.add_argument('--json', metavar='FILE', help='write the report as JSON')
    parser.add_argument('--summarize', nargs='+', metavar='JSON',
                        help='print median and spread of earlier --json reports, and exit')
    args = parser.parse_args(argv)
    if args.summarize:
        print(summarize(args.summarize))
        return 0
    report = run_bench(args.mode, args.servers, args.concurrency, args.rabbit_url,
                       args.computes, args.poll_interval / 1000.0, args.timeout, args.warmup,
                       rabbit_node=args.rabbit_node, notifications=args.notifications)
    print(format_report(report), flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2, sort_keys=True)
    return 0 if report['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
