"""The boot benchmark's core runs end to end on a tiny all-in-one load (not a timed test).

It runs in a fresh (spawned) interpreter: the all-in-one's kombu memory transport is
global to a process, and another all-in-one cloud (the functional tests') may live in this one.
"""
import multiprocessing
import queue as queue_mod

from tests.perf import bench

SERVERS = 4


def _run(out):
    try:
        out.put(bench.run_bench('all-in-one', servers=SERVERS, concurrency=2, warmup=2,
                                calibrate_gets=20, idle_seconds=0.5, timeout=60.0,
                                log=lambda msg: None))
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        out.put({'exception': repr(exc)})


def _report():
    ctx = multiprocessing.get_context('spawn')
    out = ctx.Queue()
    proc = ctx.Process(target=_run, args=(out,))
    proc.start()
    try:
        report = out.get(timeout=300)
    except queue_mod.Empty:
        report = {'exception': 'no report within 300 s'}
    proc.join(60)
    if proc.is_alive():
        proc.terminate()
        proc.join(10)
    return report


def test_bench_core_reports_sane_figures():
    report = _report()
    assert 'exception' not in report, report.get('exception')
    assert report['ok'], report['errors']
    assert report['mode'] == 'all-in-one'
    assert (report['servers'], report['concurrency']) == (SERVERS, 2)

    boot = report['boot']
    assert boot['active'] == SERVERS and boot['not_active'] == 0
    lat = boot['latency_ms']
    assert set(lat) == {'p50', 'p95', 'p99', 'mean', 'max'}
    assert 0 < lat['p50'] <= lat['p95'] <= lat['p99'] <= lat['max'] < 60000
    assert 0 < boot['post_ms']['p50'] <= lat['p50']
    low = boot['latency_lower_bound_ms']
    assert 0 < low['p50'] <= lat['p50'] and low['max'] <= lat['max']
    assert boot['boots_per_s'] > 0 and boot['wall_s'] > 0
    assert boot['polls_per_boot'] >= 1

    cpu = boot['cpu']
    assert cpu['python_ms_per_op'] > 0
    assert cpu['python_ms_per_op_excl_polls'] <= cpu['python_ms_per_op']
    assert cpu['broker_ms_per_op'] is None  # no broker in all-in-one
    assert set(cpu['by_process_s']) == {bench.SERVICES_IN_PROCESS, bench.POLLERS}
    assert cpu['pollers_ms_per_op'] is not None

    rpc = boot['rpc']
    # One process: the ping sees the API's own build_instances casts, none added.
    assert rpc['api_casts_added'] == {}
    assert rpc['by_method'].get('cast:build_instances') == SERVERS
    assert rpc['by_method'].get('call:select_destinations', 0) >= SERVERS
    assert rpc['per_op'] >= 2
    assert abs(rpc['per_op'] - rpc['calls_per_op'] - rpc['casts_per_op']) < 0.01

    delete = report['delete']
    assert delete['deleted'] == SERVERS and delete['not_deleted'] == 0
    assert delete['latency_ms']['p50'] > 0
    assert delete['rpc']['by_method'].get('cast:terminate_instance') == SERVERS

    text = bench.format_report(report)
    for label in ('p50 / p95 / p99', 'boots/s', 'CPU per boot', 'RPC messages per boot'):
        assert label in text
