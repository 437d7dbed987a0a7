"""Counters of RPC messages this process sent, by kind and method (for benchmarks)."""
import collections
import threading

_lock = threading.Lock()
_counts = collections.Counter()


def count(kind, method):
    with _lock:
        _counts[f'{kind}:{method}'] += 1


def snapshot():
    """A copy of the counters: {'call:select_destinations': n, 'cast:...': n}."""
    with _lock:
        return dict(_counts)
