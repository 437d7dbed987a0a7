"""The run loop every daemon shares: config, logging, signals, start, stop."""
import argparse
import logging
import os
import signal
import threading

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
        args += ['--config-file', path]
    return conf_mod.new_conf(args + rest)


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
