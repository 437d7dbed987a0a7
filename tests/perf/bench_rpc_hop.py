"""One bare RPC call round trip over RabbitMQ: the floor under every call-based figure.

    python tests/perf/bench_rpc_hop.py [--rabbit-url rabbit://guest:guest@127.0.0.1:5672/] [-n 500]

An endpoint that returns its argument, served by rpc/server.py's RPCService and called by
rpc/client.py's Client on a fresh topic of that broker; prints p50/p90/p99 in ms.
"""
import argparse
import os
import sys
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from conf import new_conf  # noqa: E402 - after the path is set
from rpc import client as client_mod  # noqa: E402
from rpc import context as context_mod  # noqa: E402
from rpc import server as server_mod  # noqa: E402
from rpc import transport as transport_mod  # noqa: E402


class Echo:
    RPC_API_VERSION = '1.0'

    def echo(self, ctxt, value):
        return value


def measure(rabbit_url, calls=500, warmup=50):
    """Seconds of each of ``calls`` echo calls, sorted."""
    conf = new_conf()
    conf.set_override('transport_url', rabbit_url)
    transport = transport_mod.get_transport(conf)
    topic = 'bench-hop-' + uuid.uuid4().hex[:8]
    service = server_mod.RPCService(conf, transport, 'bench', topic, 'bench', Echo())
    service.start()
    try:
        client = client_mod.Client(conf, transport, topic, '1.0', 'bench')
        ctxt = context_mod.admin_context()
        for _ in range(warmup):
            client.call(ctxt, 'echo', value=1)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            client.call(ctxt, 'echo', value=1)
            times.append(time.perf_counter() - started)
        return sorted(times)
    finally:
        service.stop()
        service.wait()
        transport.cleanup()


def _ms(times, pct):
    return times[min(len(times) - 1, int(len(times) * pct / 100))] * 1000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rabbit-url', default='rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('-n', type=int, default=500)
    args = parser.parse_args(argv)
    times = measure(args.rabbit_url, args.n)
    print(f'bare RPC call over RabbitMQ, n={len(times)}: p50 {_ms(times, 50):.2f} ms, '
          f'p90 {_ms(times, 90):.2f} ms, p99 {_ms(times, 99):.2f} ms')
    return 0


if __name__ == '__main__':
    sys.exit(main())
