"""Run a benchmark's core in a fresh (spawned) interpreter and hand its report back.

The all-in-one's kombu memory transport is global to a process, and another all-in-one
cloud (the functional tests') may live in the test process.
"""
import multiprocessing
import queue as queue_mod


def _call(target, kwargs, out):
    try:
        out.put(target(**kwargs))
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        out.put({'exception': repr(exc)})


def report(target, timeout=300, **kwargs):
    """``target(**kwargs)`` in a spawned process: its return value, or
    {'exception': ...} when it raised or gave nothing within ``timeout`` seconds."""
    ctx = multiprocessing.get_context('spawn')
    out = ctx.Queue()
    proc = ctx.Process(target=_call, args=(target, kwargs, out))
    proc.start()
    try:
        result = out.get(timeout=timeout)
    except queue_mod.Empty:
        result = {'exception': f'no report within {timeout} s'}
    proc.join(60)
    if proc.is_alive():
        proc.terminate()
        proc.join(10)
    return result
