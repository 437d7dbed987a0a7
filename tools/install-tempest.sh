#!/usr/bin/env bash
# Install stock tempest (pinned) into a venv of its own, <repo>/.tempest/venv:
# tools/run-tempest.sh runs it against devstack, and the functional tests check
# responses against its response schemas. Idempotent and quick when present.
# Environment: TEMPEST_DIR (default <repo>/.tempest).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPEST_VERSION=47.0.0
VENV="${TEMPEST_DIR:-$REPO_ROOT/.tempest}/venv"

if [[ -x "$VENV/bin/tempest" ]] &&
    [[ $("$VENV/bin/pip" show tempest 2>/dev/null | awk '/^Version:/ {print $2}') == "$TEMPEST_VERSION" ]]; then
    echo "install-tempest: tempest $TEMPEST_VERSION already in $VENV"
    exit 0
fi
echo "install-tempest: installing tempest $TEMPEST_VERSION into $VENV"
mkdir -p "$(dirname "$VENV")"
python3 -m venv --clear "$VENV"
"$VENV/bin/pip" install -q "tempest==$TEMPEST_VERSION"
