"""The run loop every daemon shares: config, logging, signals, start, stop."""
import argparse
import logging
import os
import signal
import sys
import threading

from oslo_config import cfg

import conf as conf_mod
from common import log

LOG = logging.getLogger(__name__)


def load_conf(argv, description):
    """Parse --config-file (oslo.config) and return a ConfigOpts with every option."""
    parser = argparse.ArgumentParser(description=description, add_help=False)
    parser.add_argument('--config-file', action='append', default=[])
    known, rest = parser.parse_known_args(argv)
    args = []
    for path in known.config_file:
        if not os.path.isfile(path):
            # oslo.config would raise with a traceback; an operator wants one line.
            raise SystemExit(f'{_prog()}: config file {path} not found')
        args += ['--config-file', path]
    try:
        return conf_mod.new_conf(args + rest)
    except cfg.Error as exc:
        raise SystemExit(f'{_prog()}: {exc}') from None


def _prog():
    return os.path.basename(sys.argv[0]) or 'stratus'


def bind(name, build, *args):
    """``build(*args)`` for a service that listens on a port when it is built; a port in
    use ends the process with one line instead of a traceback."""
    try:
        return build(*args)
    except OSError as exc:
        raise SystemExit(f'{name}: cannot start: {exc} (is another process on that '
                         f'port? see the listen/port options)') from None


def embedded_database(conf):
    """SQLite under state_path when [database] connection is unset (the all-in-one's
    default, so stratus-manage works against the same database with the same config)."""
    if conf.state_path == '/var/lib/stratus' and not os.access('/var/lib', os.W_OK):
        conf.set_override('state_path', os.path.expanduser('~/.stratus'))
    if not conf.database.connection:
        os.makedirs(conf.state_path, exist_ok=True)
        path = os.path.join(os.path.abspath(conf.state_path), 'stratus.sqlite')
        conf.set_override('connection', f'sqlite:///{path}', group='database')


def run(conf, name, start, stop):
    """Start, then block until SIGTERM/SIGINT, then stop; returns an exit code."""
    log.setup(conf, name)
    done = threading.Event()
    started = threading.Event()
    parent = os.getppid()

    def _on_signal(signum, _frame):
        LOG.info('%s received signal %s; stopping', name, signum)
        done.set()
        if not started.is_set():
            # Start-up may wait for other services forever; a stop request ends it.
            raise SystemExit(1)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        start()
    except OSError as exc:
        # A port in use or a missing directory: say it in one line, not a traceback.
        LOG.error('%s failed to start: %s', name, exc)
        print(f'{name}: cannot start: {exc}', file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - a daemon that cannot start says why and exits 1
        LOG.exception('%s failed to start', name)
        return 1
    started.set()
    watch_parent = os.environ.get('STRATUS_EXIT_WITH_PARENT') == '1'
    while not done.wait(1.0):
        if watch_parent and os.getppid() != parent:
            LOG.warning('%s: parent process %s is gone; stopping', name, parent)
            break
    try:
        stop()
    except Exception:  # noqa: BLE001
        LOG.exception('%s failed to stop cleanly', name)
    LOG.info('%s stopped', name)
    return 0
