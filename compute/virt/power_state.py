"""Hypervisor power states, numbered as in Nova so they read the same on the wire."""

NOSTATE = 0
RUNNING = 1
PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED = 7

STATE_MAP = {
    NOSTATE: 'pending',
    RUNNING: 'running',
    PAUSED: 'paused',
    SHUTDOWN: 'shutdown',
    CRASHED: 'crashed',
    SUSPENDED: 'suspended',
}


def name(state):
    """Human-readable name of a power state (API ``OS-EXT-STS:power_state`` text)."""
    return STATE_MAP.get(state, 'unknown')
