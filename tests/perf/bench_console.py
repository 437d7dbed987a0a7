"""Console benchmark: check_token over RabbitMQ + memcached, and API request -> RFB banner.

    python tests/perf/bench_console.py [--checks 1000] [--sessions 100] \
        [--rabbit-url rabbit://guest:guest@127.0.0.1:5672/] [--json out.json]

A distributed deployment (tests/integration/deployment.py: api, conductor, scheduler, one
compute, consoleauth, novncproxy) on a RabbitMQ virtual host (a private broker is started
when nothing answers), a private memcached, one ACTIVE server and a fake RFB server on its
VNC port. Figures:

- check_token (valid): this process calls consoleauth, which reads memcached and asks the
  compute to confirm the port (two RPC round trips, one memcached get).
- check_token (unknown): one RPC round trip and one memcached get.
- console open: POST /servers/{id}/remote-consoles sent -> the 12-byte RFB banner read from
  a websocket through the proxy (get_vnc_console, authorize_console, websocket upgrade,
  check_token, TCP connect, relay).
docs/performance.md has this machine's figures.
"""
import argparse
import json
import os
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests import rfb  # noqa: E402 - after the path is set
from tests.functional import client as client_mod  # noqa: E402
from tests.memcached import Memcached  # noqa: E402
from tests.perf import bench  # noqa: E402

SERVERS = '/compute/v2.1/servers'


def _figures(seconds):
    ms = [s * 1000 for s in seconds]
    return {'n': len(ms), 'p50': bench.percentile(ms, 50), 'p90': bench.percentile(ms, 90),
            'p99': bench.percentile(ms, 99), 'max': max(ms)}


def _mint(demo, server_id):
    resp = demo.post(f'{SERVERS}/{server_id}/remote-consoles',
                     json={'remote_console': {'protocol': 'vnc', 'type': 'novnc'}})
    assert resp.status_code == 200, resp.text
    return resp.json()['remote_console']['url']


def _time_checks(consoleauth, token, count):
    from rpc import context as context_mod
    ctxt = context_mod.admin_context()
    for _ in range(20):   # warm-up: connections, reply queue
        consoleauth.check_token(ctxt, token)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        answer = consoleauth.check_token(ctxt, token)
        times.append(time.perf_counter() - start)
        if token.startswith('unknown-'):
            assert answer is None
        else:
            assert answer and answer['port'] > 0, answer
    return times


def _time_sessions(cloud_url, proxy_url, demo, server_id, vnc, count):
    times = []
    for _ in range(count + 3):
        start = time.perf_counter()
        url = _mint(demo, server_id)
        ws, banner = rfb.open_console(rfb.ws_url_of(url), origin=proxy_url)
        elapsed = time.perf_counter() - start
        ws.close()
        assert banner == rfb.BANNER, banner
        times.append(elapsed)
    assert vnc.connections >= count
    return times[3:]   # the first few warm the connections up


def _deployment(workdir, vhost_url, cache):
    from tests.integration import deployment as deployment_mod
    dep = deployment_mod.Deployment(
        os.path.join(workdir, 'cloud'), vhost_url, bench.free_port(), compute_hosts=1,
        memcache_servers=cache.server, consoleauths=1, novncproxy_port=bench.free_port())
    dep.seed(workdir)
    dep.start()
    return dep


def _rpc_client(vhost_url):
    from conf import new_conf
    from consoleauth import rpcapi as consoleauth_rpcapi
    from rpc import transport as transport_mod
    conf = new_conf()
    conf.set_override('transport_url', vhost_url)
    transport = transport_mod.get_transport(conf)
    return transport, consoleauth_rpcapi.ConsoleAuthAPI(conf, transport)


def run_console_bench(checks=1000, sessions=100, rabbit_url=bench.DEFAULT_RABBIT_URL,
                      log=None):
    """The console figures as a dict (milliseconds)."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    workdir = tempfile.mkdtemp(prefix='stratus-bench-console-')
    report = {'machine': bench.machine_description(), 'code': bench.code_version()}
    broker = bench.Broker(rabbit_url, workdir)
    cache = Memcached().start()
    dep = transport = None
    try:
        dep = _deployment(workdir, broker.add_vhost(f'stratus-console-{uuid.uuid4().hex[:8]}'),
                          cache)
        admin = client_mod.Client(dep.url, 'admin', 'adminpw', 'admin')
        demo = client_mod.Client(dep.url, 'demo', 'demopw', 'demo')
        server_id = demo.boot('bench-console', dep.image_id)
        url = _mint(demo, server_id)
        token = rfb.token_of(url)
        info = admin.get(f'/compute/v2.1/os-console-auth-tokens/{token}').json()['console']
        transport, consoleauth = _rpc_client(dep.transport_url)
        with rfb.RFBServer(info['host'], info['port']) as vnc:
            log(f'bench-console: {checks} check_token calls (valid, then unknown)')
            report['check_token_valid'] = _figures(_time_checks(consoleauth, token, checks))
            report['check_token_unknown'] = _figures(
                _time_checks(consoleauth, 'unknown-' + token, checks))
            log(f'bench-console: {sessions} console opens, API request to RFB banner')
            report['console_open'] = _figures(_time_sessions(
                dep.url, dep.novncproxy_url, demo, server_id, vnc, sessions))
        demo.delete_all([server_id])
    finally:
        if transport is not None:
            transport.cleanup()
        if dep is not None:
            dep.stop()
        cache.stop()
        broker.close()
    return report


def format_report(report):
    rows = [('check_token (valid: memcached + compute port check)', 'check_token_valid'),
            ('check_token (unknown token: memcached only)', 'check_token_unknown'),
            ('API request -> RFB banner through novncproxy', 'console_open')]
    lines = [f'machine: {report["machine"]}', '',
             '| measure | n | p50 ms | p90 ms | p99 ms | max ms |', '|---|---|---|---|---|---|']
    for label, key in rows:
        f = report[key]
        lines.append(f'| {label} | {f["n"]} | {f["p50"]:.2f} | {f["p90"]:.2f} | '
                     f'{f["p99"]:.2f} | {f["max"]:.2f} |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--checks', type=int, default=1000)
    parser.add_argument('--sessions', type=int, default=100)
    parser.add_argument('--rabbit-url', default=bench.DEFAULT_RABBIT_URL)
    parser.add_argument('--json')
    args = parser.parse_args(argv)
    report = run_console_bench(args.checks, args.sessions, args.rabbit_url)
    print(format_report(report))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
