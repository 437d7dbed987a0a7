"""stratus-novncproxy: serves noVNC and relays checked console websockets to VNC servers."""
import sys

from consoleauth import proxy
from launch import daemon
from launch import service
from rpc import transport as transport_mod


def build(conf, transport, consoleauth=None):
    """The proxy's HTTP/websocket server as a service (no RPC server of its own)."""
    server = (proxy.ConsoleProxyServer(conf, consoleauth) if consoleauth is not None
              else proxy.ConsoleProxyServer.from_conf(conf, transport))
    svc = service.Service('novncproxy', None, components=[server])
    svc.server = server
    return svc


def main(argv=None):
    conf = daemon.load_conf(sys.argv[1:] if argv is None else argv, __doc__)
    transport = transport_mod.get_transport(conf)
    svc = daemon.bind('stratus-novncproxy', build, conf, transport)
    return daemon.run(conf, 'novncproxy', svc.start, svc.stop)


if __name__ == '__main__':
    sys.exit(main())
