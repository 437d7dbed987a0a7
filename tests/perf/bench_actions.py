"""Lifecycle-action benchmark: API->done latency of every action, all-in-one or distributed.

    python tests/perf/bench_actions.py --mode all-in-one --servers 8 --concurrency 2
    python tests/perf/bench_actions.py --mode distributed --servers 8 --concurrency 2 \
        [--rabbit-url rabbit://guest:guest@127.0.0.1:5672/] [--json out.json]

Each of the ``--servers`` servers runs the whole catalogue of tests/integration/catalogue.py
(lock ... forceDelete), ``--concurrency`` servers at a time. Then ``--servers`` new servers
are booted, the host holding most of them is forced down, and each of those is evacuated
(one at a time: 'evacuate'). The latency of one action runs
from just before its request is sent to the first status poll (every ``--poll-interval`` ms)
that shows the end state with no task in progress: an upper bound, late by up to one poll.
docs/performance.md has this machine's figures.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests.functional import client as client_mod  # noqa: E402 - after the path is set
from tests.integration import catalogue  # noqa: E402
from tests.perf import bench  # noqa: E402

EXTRA = {('DEFAULT', 'reclaim_instance_interval'): 3600,
         ('DEFAULT', 'shelved_offload_time'): -1}


def _cloud(mode, workdir, rabbit_url):
    if mode == 'all-in-one':
        cloud = bench.AllInOneCloud(workdir, 2)
        for (group, key), value in EXTRA.items():
            cloud.conf.set_override(key, value, group=None if group == 'DEFAULT' else group)
        return cloud
    return bench.DistributedCloud(workdir, 2, rabbit_url, extra=EXTRA)


def _one_server(url, image_id, n, poll, timeouts):
    admin = client_mod.Client(url, 'admin', 'adminpw', 'admin')
    demo = client_mod.Client(url, 'demo', 'demopw', 'demo')
    started = time.monotonic()
    server_id = demo.create_server(f'bench-actions-{n}', image_id).json()['server']['id']
    catalogue.wait_for(admin, server_id, 'ACTIVE', timeout=timeouts, poll=poll)
    times = {'boot': time.monotonic() - started}

    def seen(step, seconds):
        times[step.name] = seconds
    catalogue.run_catalogue(catalogue.ApiDriver(demo, admin), admin, server_id, image_id,
                            on_step=seen, poll=poll)
    return times


def run_actions_bench(mode='all-in-one', servers=8, concurrency=2,
                      rabbit_url=bench.DEFAULT_RABBIT_URL, poll_interval=0.005, timeout=120.0,
                      log=None):
    """Every catalogue action on ``servers`` servers; returns the report (a dict)."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    workdir = tempfile.mkdtemp(prefix='stratus-bench-actions-')
    report = {'mode': mode, 'servers': servers, 'concurrency': concurrency,
              'poll_interval_ms': poll_interval * 1000, 'machine': bench.machine_description(),
              'code': bench.code_version(), 'errors': []}
    cloud = _cloud(mode, workdir, rabbit_url)
    try:
        cloud.start()
        catalogue.agent_image(client_mod.Client(cloud.url, 'admin', 'adminpw', 'admin'),
                              cloud.image_id)
        log(f'bench-actions: {servers} servers through the catalogue, {concurrency} at a time')
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            futures = [pool.submit(_one_server, cloud.url, cloud.image_id, n, poll_interval,
                                   timeout) for n in range(servers)]
            results = []
            for future in futures:
                try:
                    results.append(future.result())
                except Exception as exc:  # noqa: BLE001 - reported, exit status non-zero
                    report['errors'].append(repr(exc))
        evacuations = _evacuations(cloud, servers, poll_interval, timeout, report['errors'])
    finally:
        cloud.stop()
    names = ['boot'] + [step.name for step in catalogue.STEPS]
    report['actions'] = {name: dict(bench.latency_summary([r[name] for r in results]),
                                    n=len(results)) for name in names if results}
    if evacuations:
        report['actions']['evacuate'] = dict(bench.latency_summary(evacuations),
                                             n=len(evacuations))
    report['ok'] = not report['errors'] and len(results) == servers and bool(evacuations)
    return report


def _force_down(admin, host, down):
    resp = admin.request('PUT', '/compute/v2.1/os-services/force-down',
                         headers={'OpenStack-API-Version': 'compute 2.11'},
                         json={'host': host, 'binary': 'nova-compute', 'forced_down': down})
    assert resp.status_code == 200, resp.text


def _evacuations(cloud, count, poll, timeout, errors):
    """Seconds from each evacuate request to ACTIVE on the other host."""
    admin = client_mod.Client(cloud.url, 'admin', 'adminpw', 'admin')
    ids = [admin.boot(f'bench-evacuate-{n}', cloud.image_id) for n in range(count)]
    hosts = {i: admin.server(i)['OS-EXT-SRV-ATTR:host'] for i in ids}
    victim = max(set(hosts.values()), key=list(hosts.values()).count)
    _force_down(admin, victim, True)
    seconds = []
    try:
        for server_id in (i for i in ids if hosts[i] == victim):
            started = time.monotonic()
            resp = admin.action(server_id, {'evacuate': {}}, version='2.29')
            if resp.status_code != 200:
                errors.append(f'evacuate: {resp.status_code} {resp.text}')
                continue
            catalogue.wait_for(admin, server_id, 'ACTIVE', timeout=timeout, poll=poll)
            seconds.append(time.monotonic() - started)
    finally:
        # The servers go with the cloud (soft delete is on in this bench).
        _force_down(admin, victim, False)
    return seconds


def format_report(report):
    lines = [f"mode {report['mode']}: {report['servers']} servers, concurrency "
             f"{report['concurrency']}, poll {report['poll_interval_ms']:.0f} ms",
             f"{'action':<20} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}"]
    for name, figures in report.get('actions', {}).items():
        lines.append(f"{name:<20} {figures['p50']:>9.1f} {figures['p99']:>9.1f} "
                     f"{figures['max']:>9.1f}")
    lines += [f'error: {e}' for e in report['errors']]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--mode', choices=['all-in-one', 'distributed'], default='all-in-one')
    parser.add_argument('--servers', '-n', type=int, default=8)
    parser.add_argument('--concurrency', '-c', type=int, default=2)
    parser.add_argument('--rabbit-url', default=bench.DEFAULT_RABBIT_URL)
    parser.add_argument('--poll-interval', type=float, default=5.0, metavar='MS')
    parser.add_argument('--json', metavar='FILE', help='write the report as JSON')
    args = parser.parse_args(argv)
    report = run_actions_bench(args.mode, args.servers, args.concurrency, args.rabbit_url,
                               args.poll_interval / 1000.0)
    print(format_report(report), flush=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2, sort_keys=True)
    return 0 if report['ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
