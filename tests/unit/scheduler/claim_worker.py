"""Racing schedulers for the concurrency tests: threads, or (run as a script) a process."""
import json
import os
import sys
import threading
import uuid

SPEC = {'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
        'flavor': {'name': 'm1.tiny'}}

# Far more than any node set here holds: a thread that never sees NoValidHost
# would be an overcommit, and must not spin forever.
MAX_CALLS_PER_THREAD = 200


def race(manager, threads):
    """Run ``threads`` threads asking for single instances until NoValidHost.

    Returns (claims as [instance_uuid, destination], unexpected errors as text).
    """
    from common import exception

    claims, errors = [], []
    start = threading.Barrier(threads)

    def worker():
        start.wait()
        for _ in range(MAX_CALLS_PER_THREAD):
            instance = str(uuid.uuid4())
            try:
                selection = manager.select_destinations(None, SPEC, [instance])
            except exception.NoValidHost:
                return
            except Exception as exc:  # reported to the test, which fails on it
                errors.append(repr(exc))
                return
            claims.append([instance, selection[0][0]])

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return claims, errors


def main(url, threads, subset_size):
    """One scheduler process: its own config, engine and manager, racing with threads."""
    from conf import new_conf
    from db import engine
    from scheduler import manager as manager_mod

    conf = new_conf(register_messaging=False)
    conf.set_override('host_subset_size', subset_size, group='filter_scheduler')
    database = engine.Database(url)
    try:
        claims, errors = race(manager_mod.SchedulerManager(conf, database), threads)
    finally:
        database.dispose()
    json.dump({'claims': claims, 'errors': errors}, sys.stdout)


if __name__ == '__main__':
    # Run by path: import the repo's packages, not this test directory's.
    sys.path[0] = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
