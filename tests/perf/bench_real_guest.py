"""Real-guest benchmark (VIRT=qemu): time from the API request to the guest's own output,
and the memory each QEMU guest takes, over private libvirtd hosts on this machine.

    python tests/perf/bench_real_guest.py [--guests 4] [--hosts 2] [--json out.json]
        [--rabbit-url rabbit://guest:guest@127.0.0.1:5672/]

Each guest (the tiny guest, flavor m1.nano: 128 MiB, 1 vCPU) is created through the API,
one after another; with two hosts or more, each is then live-migrated to the other host
(block migration: memory and the disk overlay are copied), again one after another. Times run from just before POST /servers to the first poll (every
200 ms) that shows ACTIVE, the guest's boot line in os-getConsoleOutput, and its first
"alive" line. Memory is each QEMU process's resident set (VmRSS) once all guests run.
docs/performance.md has this machine's figures.
"""
import argparse
import json
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from image import tiny  # noqa: E402 - after the path is set
from tests import realvirt  # noqa: E402
from tests.functional import client as client_mod  # noqa: E402
from tests.perf import bench  # noqa: E402

POLL = 0.2


def _console(admin, server_id):
    resp = admin.action(server_id, {'os-getConsoleOutput': {}})
    return resp.json().get('output', '') if resp.status_code == 200 else ''


def _one_guest(admin, image_id, n, timeout):
    """Seconds from the create request to ACTIVE, the boot line and the first alive line."""
    started = time.monotonic()
    resp = admin.create_server(f'bench-real-{n}', image_id)
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    marks = {}
    while len(marks) < 3:
        if time.monotonic() - started > timeout:
            raise AssertionError(f'guest {n} reached only {sorted(marks)} in {timeout} s')
        now = time.monotonic() - started
        if 'active' not in marks and admin.server(server_id)['status'] == 'ACTIVE':
            marks['active'] = now
        if 'active' in marks:
            text = _console(admin, server_id)
            if f'{tiny.BOOT_WORD} uuid={server_id}' in text:
                marks.setdefault('boot_line', now)
            if tiny.ALIVE_WORD in text:
                marks.setdefault('alive_line', now)
        time.sleep(POLL)
    return server_id, marks


def _live_migrate(admin, server_id, timeout):
    """Seconds from the os-migrateLive request to the migration record's 'completed'."""
    host = admin.server(server_id)['OS-EXT-SRV-ATTR:host']
    dest = 'compute-2' if host == 'compute-1' else 'compute-1'
    started = time.monotonic()
    admin.act(server_id, {'os-migrateLive': {'host': dest, 'block_migration': 'auto'}},
              version='2.30')
    while time.monotonic() - started < timeout:
        found = [m for m in admin.get(
            '/compute/v2.1/os-migrations',
            headers={'OpenStack-API-Version': 'compute 2.80'}).json()['migrations']
            if m['instance_uuid'] == server_id]
        newest = max(found, key=lambda m: m['id']) if found else {}
        if newest.get('status') == 'completed':
            return time.monotonic() - started
        if newest.get('status') in ('failed', 'error'):
            raise AssertionError(f'live migration of {server_id} ended {newest["status"]}')
        time.sleep(POLL / 2)
    raise AssertionError(f'live migration of {server_id} took over {timeout} s')


def run_real_guest_bench(guests=4, hosts=2, rabbit_url=bench.DEFAULT_RABBIT_URL,
                         timeout=180.0, log=None, transport_url=None):
    """Boot ``guests`` real guests; returns the report (a dict). ``transport_url``: a
    ready virtual host to use instead of a new one on ``rabbit_url``'s broker."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    why = realvirt.missing()
    if why:
        raise SystemExit(f'bench-real-guest: cannot run real guests here: {why}')
    workdir = tempfile.mkdtemp(prefix='stratus-bench-real-')
    guest_files = realvirt.tiny_files()
    virt = realvirt.virt_type(guest_files)
    report = {'guests': guests, 'hosts': hosts, 'virt_type': virt, 'flavor_ram_mb': 128,
              'machine': bench.machine_description(), 'code': bench.code_version()}
    libvirt_hosts = realvirt.Hosts(os.path.join(workdir, 'libvirt'), hosts, virt).start()
    if transport_url is None:
        broker = bench.Broker(rabbit_url, workdir)
        transport_url = broker.add_vhost(f'stratus-bench-real-{os.getpid()}')
    dep = realvirt.deployment(workdir, transport_url, libvirt_hosts)
    try:
        realvirt.seed(dep)
        dep.start()
        admin = client_mod.Client(dep.url, 'admin', 'adminpw', 'admin')
        timings, ids = {'active': [], 'boot_line': [], 'alive_line': []}, []
        for n in range(guests):
            server_id, marks = _one_guest(admin, dep.image_id, n, timeout)
            ids.append(server_id)
            for key, seconds in marks.items():
                timings[key].append(seconds)
            log(f'bench-real-guest: guest {n}: ' +
                ', '.join(f'{k} {v:.1f} s' for k, v in marks.items()))
        rss = [realvirt.rss_kib(pid) / 1024 for sid in ids for pid in realvirt.qemu_pids(sid)]
        if hosts >= 2:
            timings['live_migration'] = []
            for n, server_id in enumerate(ids):
                timings['live_migration'].append(_live_migrate(admin, server_id, timeout))
                log(f'bench-real-guest: guest {n} live-migrated in '
                    f'{timings["live_migration"][-1]:.1f} s')
        report['seconds'] = {key: bench.latency_summary(values)
                             for key, values in timings.items()}
        report['rss_mib'] = {'per_guest': [round(v, 1) for v in rss],
                             'mean': round(sum(rss) / len(rss), 1) if rss else None,
                             'max': round(max(rss), 1) if rss else None}
        admin.delete_all(ids)
    finally:
        dep.stop()
        libvirt_hosts.stop()
    return report


def format_report(r):
    machine = r['machine']
    lines = [f"real guests: {r['guests']} tiny guests (128 MiB, 1 vCPU) on {r['hosts']} "
             f"libvirtd hosts, virt_type={r['virt_type']}; {machine['cpus']} CPUs "
             f"{machine['cpu_model']}, {machine['memory']}"]
    for key, label in (('active', 'API request -> ACTIVE'),
                       ('boot_line', "API request -> guest's boot line"),
                       ('alive_line', "API request -> guest's first alive line"),
                       ('live_migration', 'os-migrateLive -> migration completed')):
        if key not in r['seconds']:
            continue
        s = r['seconds'][key]
        lines.append(f'  {label:40s} p50 {s["p50"] / 1000:6.2f} s   max {s["max"] / 1000:6.2f} s')
    m = r['rss_mib']
    lines.append(f"  QEMU resident memory per guest           mean {m['mean']} MiB   "
                 f"max {m['max']} MiB")
    return '\n'.join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--guests', type=int, default=4)
    p.add_argument('--hosts', type=int, default=2)
    p.add_argument('--rabbit-url', default=bench.DEFAULT_RABBIT_URL)
    p.add_argument('--json', help='also write the report here')
    args = p.parse_args(argv)
    report = run_real_guest_bench(args.guests, args.hosts, args.rabbit_url)
    print(format_report(report))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(report, out, indent=2)


if __name__ == '__main__':
    main()
