"""stratus-rpc: the operator's view of the bus (ping a service or one host's worker)."""
import argparse
import sys
import time

import oslo_messaging

import conf as conf_mod
from rpc import context as context_mod
from rpc import serializer as serializer_mod
from rpc import transport as transport_mod

TOPICS = {'compute': 'compute', 'conductor': 'conductor', 'scheduler': 'scheduler',
          'consoleauth': 'consoleauth'}


def _parser():
    p = argparse.ArgumentParser(prog='stratus-rpc', description=__doc__)
    p.add_argument('--config-file', action='append', default=[])
    sub = p.add_subparsers(dest='cmd', required=True)
    ping = sub.add_parser('ping', help='ask a live service to answer over the bus')
    ping.add_argument('service', choices=sorted(TOPICS))
    ping.add_argument('--host', help='one host\'s worker (compute.<host>)')
    ping.add_argument('--timeout', type=float, default=5.0)
    return p


def ping(conf, transport, service, host=None, timeout=5.0):
    """The answer of one live ``service`` (on ``host``); raises MessagingTimeout."""
    target = oslo_messaging.Target(topic=TOPICS[service], server=host, namespace='baseapi',
                                   version='1.0')
    client = oslo_messaging.get_rpc_client(transport, target, timeout=timeout,
                                           serializer=serializer_mod.ContextSerializer())
    return client.call(context_mod.admin_context(), 'ping', arg='stratus-rpc')


def main(argv=None):
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    conf = conf_mod.new_conf(sum((['--config-file', f] for f in args.config_file), []))
    transport = transport_mod.get_transport(conf)
    where = f'{args.service} on {args.host}' if args.host else args.service
    started = time.monotonic()
    try:
        answer = ping(conf, transport, args.service, args.host, args.timeout)
    except oslo_messaging.MessagingTimeout:
        print(f'stratus-rpc: no {where} answered within {args.timeout:g} s', file=sys.stderr)
        return 1
    finally:
        transport.cleanup()
    took = (time.monotonic() - started) * 1000
    print(f'{answer["service"]} on {answer["host"]} (pid {answer["pid"]}) answered in '
          f'{took:.1f} ms')
    return 0


if __name__ == '__main__':
    sys.exit(main())
