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
# Environment: VIRT (test; qemu runs the real-guest subset against
# tests/tempest/expected-failures-qemu.txt), TEMPEST_REGEX, TEMPEST_EXPECTED,
# TEMPEST_CONCURRENCY (2), STATE_DIR (.state-tempest), TEMPEST_DIR (.tempest),
# KEEP_STACK=1 leaves the deployment up; devstack's settings (API_PORT, ...) apply.
# Extra arguments go to `tempest run` (e.g. --regex to try a few tests; the
# judgement then only reads the tests that ran).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${TEMPEST_DIR:=$REPO_ROOT/.tempest}"
export TEMPEST_DIR
: "${VIRT:=test}"
if [[ "$VIRT" == qemu ]]; then
    # Real guests (not in CI): the tests that need a guest's console, VNC server or
    # memory to move, which libvirt's test driver cannot give.
    : "${TEMPEST_REGEX:=^tempest\.api\.compute\.(servers\.test_novnc|servers\.test_server_actions\.ServerActionsTest\w*\.test_get_console_output|admin\.test_live_migration)}"
    EXPECTED_DEFAULT="$REPO_ROOT/tests/tempest/expected-failures-qemu.txt"
else
    # The whole compute tree, and the image v2 tests of the subset Stratus serves
    # (not metadata definitions, image members or the import/task workflow).
    : "${TEMPEST_REGEX:=^tempest\.api\.(compute\.|image\.v2\.(test_images|test_images_negative|test_images_tags|test_images_formats|admin\.test_images)\.)}"
    EXPECTED_DEFAULT="$REPO_ROOT/tests/tempest/expected-failures.txt"
fi
: "${TEMPEST_CONCURRENCY:=2}"
: "${COMPUTE_HOSTS:=2}"
: "${ADMIN_PASSWORD:=admin}"
export STATE_DIR=${STATE_DIR:-$REPO_ROOT/.state-tempest} VIRT COMPUTE_HOSTS ADMIN_PASSWORD
export OPENRC=${OPENRC:-$STATE_DIR/openrc}
# Its own RabbitMQ virtual host, so a devstack already on this broker is left alone.
export RABBIT_VHOST=${RABBIT_VHOST:-stratus-tempest}
EXPECTED=${TEMPEST_EXPECTED:-$EXPECTED_DEFAULT}
VENV="$TEMPEST_DIR/venv"
WORKSPACE="$TEMPEST_DIR/workspace"

log() { printf 'run-tempest: %s\n' "$*"; }
die() { printf 'run-tempest: ERROR: %s\n' "$*" >&2; exit 1; }


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
    # A fresh deployment every run: servers an earlier run leaked would count against
    # the pre-provisioned projects' quotas.
    bash "$REPO_ROOT/devstack/unstack.sh" --clean >"$TEMPEST_DIR/unstack.log" 2>&1 ||
        die "devstack/unstack.sh --clean failed; see $TEMPEST_DIR/unstack.log"
    trap stop_stack EXIT
    bash "$REPO_ROOT/devstack/stack.sh" >"$TEMPEST_DIR/stack.log" 2>&1 ||
        { tail -30 "$TEMPEST_DIR/stack.log" >&2; die "devstack/stack.sh failed"; }
}

# A second image, so the tests that rebuild onto another image run (VIRT=test only:
# with real guests it would have to be bootable).
import_alt_image() {
    [[ "$VIRT" == test ]] || return 0
    local file="$TEMPEST_DIR/alt.qcow2"
    qemu-img create -q -f qcow2 "$file" 32M
    "$REPO_ROOT/.venv/bin/stratus-manage" --config-file "$STATE_DIR/stratus.conf" image import \
        "$file" --name stratus-tiny-alt --disk-format qcow2 --public >/dev/null ||
        die "importing the second image failed"
}

write_config() {
    # A private workspace registry: ~/.tempest/workspace.yaml would refuse the
    # second run's workspace (same name) and is not ours to write.
    rm -rf "$WORKSPACE" "$TEMPEST_DIR/workspace.yaml"
    "$VENV/bin/tempest" init --workspace-path "$TEMPEST_DIR/workspace.yaml" "$WORKSPACE" \
        >"$TEMPEST_DIR/init.log" 2>&1 || { cat "$TEMPEST_DIR/init.log" >&2; die "tempest init failed"; }
    local host port
    host=$(awk -F' = ' '/^listen =/ {print $2; exit}' "$STATE_DIR/stratus.conf")
    port=$(awk -F' = ' '/^port =/ {print $2; exit}' "$STATE_DIR/stratus.conf")
    "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/tools/tempest/write_config.py" config \
        --endpoint "http://$host:$port" --admin-password "$ADMIN_PASSWORD" \
        --virt "$VIRT" --compute-hosts "$COMPUTE_HOSTS" --stratus-conf "$STATE_DIR/stratus.conf" \
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
    (cd "$WORKSPACE" && "$VENV/bin/tempest" run --list-tests --regex "$TEMPEST_REGEX" "$@") |
        grep '^tempest\.' >"$WORKSPACE/tests.txt"
    # subunit2csv exits 1 when the stream holds a failure; compare.py judges those.
    "$VENV/bin/subunit2csv" <"$WORKSPACE/results.subunit" >"$WORKSPACE/results.csv" || true
}

main() {
    mkdir -p "$TEMPEST_DIR"
    bash "$REPO_ROOT/tools/install-deps.sh"
    bash "$REPO_ROOT/tools/install-tempest.sh"
    start_stack
    import_alt_image
    write_config
    run_tempest "$@"
    "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/tools/tempest/compare.py" \
        "$WORKSPACE/results.csv" "$EXPECTED" "$WORKSPACE/tempest.log" \
        --tests "$WORKSPACE/tests.txt"
}

main "$@"
