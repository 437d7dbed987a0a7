"""The action benchmark's core runs end to end on one all-in-one server (not a timed test).

Spawned interpreter, as in test_bench_smoke.py: the memory transport is global to a process.
"""
import multiprocessing
import queue as queue_mod

from tests.integration import catalogue
from tests.perf import bench_actions


def _run(out):
    try:
        out.put(bench_actions.run_actions_bench('all-in-one', servers=1, concurrency=1,
                                                timeout=60.0, log=lambda msg: None))
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        out.put({'exception': repr(exc)})


def test_every_action_gets_a_latency():
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
    assert 'exception' not in report, report.get('exception')
    assert report['ok'], report['errors']
    assert list(report['actions']) == ['boot'] + [s.name for s in catalogue.STEPS]
    for name, figures in report['actions'].items():
        assert figures['n'] == 1 and 0 < figures['p50'] <= figures['max'] < 60000, name
    assert 'forceDelete' in bench_actions.format_report(report)
