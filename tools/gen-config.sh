#!/usr/bin/env bash
# Regenerate stratus.conf.sample (repo root) from the registered options.
#
#   tools/gen-config.sh [OUTPUT]     default OUTPUT: stratus.conf.sample
#
# Uses oslo-config-generator with etc/stratus-config-generator.conf
# (namespaces: stratus = conf:list_opts, oslo.messaging). The `stratus`
# namespace is an entry point in setup.cfg, so the package must be installed
# in the venv (in develop mode is enough); this script does that if needed.
# PYTHON overrides the interpreter (default: /tmp/venv, then .venv, then python3).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

if [[ -z "${PYTHON:-}" ]]; then
    for candidate in /tmp/venv/bin/python "$REPO_ROOT/.venv/bin/python" python3; do
        if command -v "$candidate" >/dev/null 2>&1; then
            PYTHON=$candidate
            break
        fi
    done
fi
: "${PYTHON:?no python interpreter found; set PYTHON}"

OUTPUT=${1:-stratus.conf.sample}

has_entry_point() {
    "$PYTHON" - <<'PY'
import sys
from importlib.metadata import entry_points
names = {ep.name for ep in entry_points(group='oslo.config.opts')}
sys.exit(0 if {'stratus', 'oslo.messaging'} <= names else 1)
PY
}

if ! has_entry_point; then
    echo "gen-config: installing stratus in develop mode for its oslo.config.opts entry point" >&2
    "$PYTHON" -m pip install --quiet --no-deps -e "$REPO_ROOT"
    has_entry_point || { echo "gen-config: entry point oslo.config.opts/stratus still missing" >&2; exit 1; }
fi

PYTHONPATH="$REPO_ROOT${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m oslo_config.generator \
    --config-file etc/stratus-config-generator.conf --output-file "$OUTPUT"
echo "gen-config: wrote $OUTPUT"
