"""The boot benchmark's core runs end to end on a tiny all-in-one load (not a timed test);
in a spawned interpreter (tests/perf/spawned.py says why)."""
from tests.perf import bench
from tests.perf import spawned

SERVERS = 4


def _quiet(msg):
    """The bench's progress lines are not wanted in the test's output."""


def _report():
    return spawned.report(bench.run_bench, mode='all-in-one', servers=SERVERS, concurrency=2,
                          warmup=2, calibrate_gets=20, idle_seconds=0.5, timeout=60.0,
                          log=_quiet)


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
