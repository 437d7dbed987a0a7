#!/usr/bin/env bash
# Run stock tempest's compute API tests against a real devstack deployment and
# judge the result against tests/tempest/expected-failures.txt:
#   1. install tempest (pinned) in a venv of its own (.tempest/venv);
#   2. bring up devstack/stack.sh in its own state directory, with tempest's
#      pre-provisioned accounts as extra users;
#   3. write tempest.conf and accounts.yaml from what the deployment has;
#   4. run tempest.api.compute (and the image v2 tests in TEMPEST_REGEX);
#   5. fail on an unexpected failure, on a listed test that now passes, and on
#      any 5xx response in tempest.log; then stop the deployment.
# Environment: TEMPEST_REGEX, TEMPEST_CONCURRENCY (2), VIRT (test), STATE_DIR
# (.state-tempest), TEMPEST_DIR (.tempest), KEEP_STACK=1 leaves the deployment up.
# Extra arguments go to `tempest run` (e.g. --regex to try a few tests; the
# judgement then only reads the tests that ran).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPEST_VERSION=47.0.0
: "${TEMPEST_DIR:=$REPO_ROOT/.tempest}"
: "${TEMPEST_REGEX:=^tempest\.api\.compute\.}"
: "${TEMPEST_CONCURRENCY:=2}"
: "${VIRT:=test}"
: "${COMPUTE_HOSTS:=2}"
: "${ADMIN_PASSWORD:=admin}"
export STATE_DIR=${STATE_DIR:-$REPO_ROOT/.state-tempest} VIRT COMPUTE_HOSTS ADMIN_PASSWORD
export OPENRC=${OPENRC:-$STATE_DIR/openrc}
EXPECTED="$REPO_ROOT/tests/tempest/expected-failures${VIRT_SUFFIX:-}.txt"
VENV="$TEMPEST_DIR/venv"
WORKSPACE="$TEMPEST_DIR/workspace"

log() { printf 'run-tempest: %s\n' "$*"; }
die() { printf 'run-tempest: ERROR: %s\n' "$*" >&2; exit 1; }

install_tempest() {
    if [[ -x "$VENV/bin/tempest" ]] &&
        [[ $("$VENV/bin/pip" show tempest 2>/dev/null | awk '/^Version:/ {print $2}') == "$TEMPEST_VERSION" ]]; then
        log "tempest $TEMPEST_VERSION already in $VENV"
        return
    fi
    log "installing tempest $TEMPEST_VERSION into $VENV"
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install -q "tempest==$TEMPEST_VERSION"
}

stop_stack() {
    if [[ "${KEEP_STACK:-0}" == 1 ]]; then
        log "KEEP_STACK=1: the deployment in $STATE_DIR stays up"
        return
    fi
    bash "$REPO_ROOT/devstack/unstack.sh" >"$TEMPEST_DIR/unstack.log" 2>&1 ||
        log "unstack.sh failed; see $TEMPEST_DIR/unstack.log"
}

start_stack() {
    EXTRA_USERS=$("$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/tools/tempest/write_config.py" extra-users)
    export EXTRA_USERS
    log "starting devstack (VIRT=$VIRT, $COMPUTE_HOSTS compute hosts, STATE_DIR=$STATE_DIR)"
    trap stop_stack EXIT
    bash "$REPO_ROOT/devstack/stack.sh" >"$TEMPEST_DIR/stack.log" 2>&1 ||
        { tail -30 "$TEMPEST_DIR/stack.log" >&2; die "devstack/stack.sh failed"; }
}

write_config() {
    rm -rf "$WORKSPACE"
    "$VENV/bin/tempest" init "$WORKSPACE" >/dev/null
    local host port
    host=$(awk -F' = ' '/^listen =/ {print $2; exit}' "$STATE_DIR/stratus.conf")
    port=$(awk -F' = ' '/^port =/ {print $2; exit}' "$STATE_DIR/stratus.conf")
    "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/tools/tempest/write_config.py" config \
        --endpoint "http://$host:$port" --admin-password "$ADMIN_PASSWORD" \
        --virt "$VIRT" --compute-hosts "$COMPUTE_HOSTS" \
        --conf "$WORKSPACE/etc/tempest.conf" --accounts "$WORKSPACE/etc/accounts.yaml" \
        --log-file "$WORKSPACE/tempest.log" --lock-path "$WORKSPACE/locks"
    log "wrote $WORKSPACE/etc/tempest.conf"
}

run_tempest() {
    local started=$SECONDS rc=0
    log "tempest run --regex '$TEMPEST_REGEX' --concurrency $TEMPEST_CONCURRENCY"
    (cd "$WORKSPACE" && "$VENV/bin/tempest" run --regex "$TEMPEST_REGEX" \
        --concurrency "$TEMPEST_CONCURRENCY" --subunit "$@" >"$WORKSPACE/results.subunit") || rc=$?
    log "tempest finished in $((SECONDS - started)) s (exit $rc)"
    "$VENV/bin/subunit2csv" <"$WORKSPACE/results.subunit" >"$WORKSPACE/results.csv"
}

main() {
    mkdir -p "$TEMPEST_DIR"
    bash "$REPO_ROOT/tools/install-deps.sh"
    install_tempest
    start_stack
    write_config
    run_tempest "$@"
    "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/tools/tempest/compare.py" \
        "$WORKSPACE/results.csv" "$EXPECTED" "$WORKSPACE/tempest.log"
}

main "$@"
