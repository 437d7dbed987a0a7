#!/usr/bin/env bash
# Install dependencies if needed, then run the test suite with the venv's
# pytest from the repo root. Extra arguments go to pytest unchanged, e.g.
#   tools/run-tests.sh -q -k scheduler
#   tools/run-tests.sh -x -m 'not devstack'
# Exits with pytest's code. Exit code 5 ("no tests collected") stays a failure:
# a suite that silently collects nothing must not pass CI.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bash "$REPO_ROOT/tools/install-deps.sh"
# Tempest's response schemas are the wire contract several functional tests check.
bash "$REPO_ROOT/tools/install-tempest.sh"

cd "$REPO_ROOT"
rc=0
.venv/bin/python -m pytest tests "$@" || rc=$?
if ((rc == 5)); then
    echo "run-tests: pytest collected no tests (exit code 5); treating as failure" >&2
fi
exit "$rc"
