"""The action benchmark's core runs end to end on one all-in-one server (not a timed test)."""
from tests.integration import catalogue
from tests.perf import bench_actions
from tests.perf import spawned


def test_every_action_gets_a_latency():
    report = spawned.report(bench_actions.run_actions_bench, mode='all-in-one', servers=1,
                            concurrency=1, timeout=60.0, log=_quiet)
    assert 'exception' not in report, report.get('exception')
    assert report['ok'], report['errors']
    assert list(report['actions']) == ['boot'] + [s.name for s in catalogue.STEPS] + [
        'evacuate']
    for name, figures in report['actions'].items():
        assert figures['n'] == 1 and 0 < figures['p50'] <= figures['max'] < 60000, name
    assert 'forceDelete' in bench_actions.format_report(report)


def _quiet(msg):
    """The bench's progress lines are not wanted in the test's output."""
