"""The real-guest benchmark runs end to end with one guest (its figures: docs/performance.md)."""
import pytest

from tests import realvirt
from tests.perf import bench_real_guest

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(realvirt.missing() is not None,
                                 reason=realvirt.missing() or '')]


def test_real_guest_bench_reports_boot_times_and_memory(vhost_url):
    report = bench_real_guest.run_real_guest_bench(
        guests=1, hosts=1, transport_url=vhost_url, log=lambda msg: None)
    seconds = report['seconds']
    assert 0 < seconds['active']['p50'] <= seconds['boot_line']['p50'] <= 180000
    # A 128 MiB guest's QEMU holds at least its touched guest memory and at most a few
    # hundred MiB more (measured: about 220 MiB).
    assert 16 < report['rss_mib']['mean'] < 1024, report['rss_mib']
    assert 'QEMU resident memory' in bench_real_guest.format_report(report)
