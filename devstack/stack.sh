#!/usr/bin/env bash
# Start a distributed Stratus deployment on this machine: one process per
# service (conductor, scheduler, consoleauth, api, novncproxy, COMPUTE_HOSTS
# compute workers) over RabbitMQ, with memcached (console tokens) and
# SQLite/PostgreSQL/MariaDB.
#
# Settings and their defaults: devstack/settings (all overridable from the
# environment). Safe to run again: services already running are left alone,
# so a second run still leaves one process per service. Stop with
# devstack/unstack.sh, which stops exactly what this script started.
set -euo pipefail

# shellcheck source=devstack/settings
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/settings"

IMAGE_NAME=stratus-tiny

log() { printf 'stack: %s\n' "$*"; }
die() {
    printf 'stack: ERROR: %s\n' "$*" >&2
    printf 'stack: devstack/unstack.sh stops whatever was already started\n' >&2
    exit 1
}

usage() {
    cat <<EOF
Usage: devstack/stack.sh
Starts RabbitMQ/memcached if needed, prepares the database, writes
\$STATE_DIR/*.conf, starts the Stratus daemons and writes devstack/openrc.
Settings (environment): STATE_DIR API_HOST API_PORT RABBIT_URL RABBIT_VHOST DATABASE
COMPUTE_HOSTS VIRT MEMCACHED ADMIN_PASSWORD DEMO_PASSWORD EXTRA_USERS TOKEN_SECRET OPENRC;
see devstack/settings.
EOF
}

# --- small helpers -----------------------------------------------------------

# wait_until SECONDS INTERVAL CMD...: run CMD until it succeeds or time is up.
wait_until() {
    local timeout=$1 interval=$2 deadline
    shift 2
    deadline=$((SECONDS + timeout))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep "$interval"
    done
}

# tcp_open HOST PORT: true if something accepts TCP connections there.
# bash's /dev/tcp avoids needing nc; `timeout` bounds a silent firewall drop.
tcp_open() {
    # shellcheck disable=SC2016  # $1 and $2 are the inner bash's arguments
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# split_host_port "HOST[:PORT]" DEFAULT_PORT: prints "HOST PORT".
split_host_port() {
    local hostport=$1 default_port=$2
    if [[ "$hostport" == *:* ]]; then
        printf '%s %s\n' "${hostport%:*}" "${hostport##*:}"
    else
        printf '%s %s\n' "$hostport" "$default_port"
    fi
}

# We only start RabbitMQ/memcached for addresses on this machine.
is_local_host() {
    case "$1" in
        127.* | localhost | ::1 | 0.0.0.0 | "$(hostname)") return 0 ;;
        *) return 1 ;;
    esac
}

# oslo.config expands "$name" in values; "$$" is a literal "$".
cfg_escape() {
    printf '%s' "${1//\$/\$\$}"
}

# write_file PATH: write stdin to PATH atomically (a reader never sees half a
# file) and private to us, since configs and openrc hold passwords.
write_file() {
    local tmp
    tmp=$(umask 077 && mktemp "$1.XXXXXX")
    cat >"$tmp"
    mv -f "$tmp" "$1"
}

# Closes every fd above 2 in the current (sub)shell. Whatever we start in the
# background runs for long: it must not keep our deployment lock (fd 8) nor any
# pipe our caller passed us (a caller reading that pipe to EOF would hang).
close_inherited_fds() {
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
        fd=${fd##*/}
        if ((fd > 2)); then
            exec {fd}>&-
        fi
    done
}

tail_log() {
    local file="$LOG_DIR/$1.log"
    if [[ -f "$file" ]]; then
        printf -- '--- last lines of %s ---\n' "$file" >&2
        tail -n 40 "$file" >&2
        printf -- '---\n' >&2
    fi
}

# --- checks ------------------------------------------------------------------

validate_settings() {
    [[ "$API_PORT" =~ ^[0-9]+$ ]] || die "API_PORT must be a number (got '$API_PORT')"
    [[ "$NOVNCPROXY_PORT" =~ ^[0-9]+$ ]] || die "NOVNCPROXY_PORT must be a number (got '$NOVNCPROXY_PORT')"
    [[ "$COMPUTE_HOSTS" =~ ^[1-9][0-9]*$ ]] || die "COMPUTE_HOSTS must be >= 1 (got '$COMPUTE_HOSTS')"
    case "$VIRT" in
        test) ;;
        qemu) ((COMPUTE_HOSTS <= 99)) || die "VIRT=qemu allows at most 99 compute hosts" ;;
        *) die "VIRT must be test or qemu (got '$VIRT')" ;;
    esac
    [[ "$DATABASE_NAME" =~ ^[A-Za-z0-9_]+$ ]] || die "DATABASE_NAME may only hold letters, digits and _"
    case "$DATABASE" in
        sqlite | postgresql | mysql) ;;
        *) die "DATABASE must be sqlite, postgresql or mysql (got '$DATABASE')" ;;
    esac
    local name value
    # [identity] users is "name:password:project:roles,..." so a password must
    # not contain the separators.
    for name in ADMIN_PASSWORD DEMO_PASSWORD; do
        value=${!name}
        [[ -n "$value" && "$value" != *[:,[:space:]]* ]] ||
            die "$name must be non-empty without ':', ',' or whitespace"
    done
    local entry entries
    IFS=, read -ra entries <<<"$EXTRA_USERS"
    for entry in "${entries[@]}"; do
        [[ "$entry" =~ ^[A-Za-z0-9_.-]+:[^:[:space:]]+:[A-Za-z0-9_.-]+:(reader|member|manager|admin)(\+(reader|member|manager|admin))*$ ]] ||
            die "EXTRA_USERS entry for '${entry%%:*}' is not NAME:PASSWORD:PROJECT:ROLE[+ROLE...] (roles: reader, member, manager, admin)"
    done
}

# --- RabbitMQ, memcached, database -------------------------------------------

# Prints "HOST PORT" of the (first) broker in RABBIT_URL,
# e.g. rabbit://user:pass@host:5672/vhost -> "host 5672".
rabbit_host_port() {
    local rest=${RABBIT_URL#*://}
    rest=${rest%%/*}  # drop the virtual host
    rest=${rest%%,*}  # first of several brokers
    rest=${rest##*@}  # drop the credentials
    split_host_port "$rest" 5672
}

ensure_rabbitmq() {
    local host port bind=""
    local dist_args='-kernel inet_dist_use_interface {127,0,0,1}'
    read -r host port < <(rabbit_host_port)
    if tcp_open "$host" "$port"; then
        log "RabbitMQ answers at $host:$port"
        return
    fi
    is_local_host "$host" ||
        die "RabbitMQ does not answer at $host:$port (RABBIT_URL) and that host is not this machine"
    command -v rabbitmq-server >/dev/null || die "rabbitmq-server is not installed (see tools/install-deps.sh)"
    [[ $(id -u) -eq 0 ]] || die "RabbitMQ is not running at $host:$port and only root can start it; start it and re-run"

    log "starting RabbitMQ on $host:$port (rabbitmq-server -detached)"
    # Recorded before starting, so that unstack.sh stops it even if we fail below.
    touch "$RABBIT_MARKER"
    case "$host" in 127.* | localhost) bind=127.0.0.1 ;; esac
    # As root the Debian wrapper runs `su rabbitmq`, which keeps these variables.
    # For a loopback URL they keep the AMQP listener, epmd and Erlang
    # distribution off the network (the broker listens on 0.0.0.0 by default),
    # unless the caller already set them. Output goes to a file: beam and epmd
    # outlive us and would otherwise hold our caller's stdout pipe open.
    (
        close_inherited_fds
        export RABBITMQ_NODE_PORT="$port"
        if [[ -n "$bind" ]]; then
            export RABBITMQ_NODE_IP_ADDRESS="${RABBITMQ_NODE_IP_ADDRESS:-$bind}"
            export ERL_EPMD_ADDRESS="${ERL_EPMD_ADDRESS:-$bind}"
            export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="${RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:-$dist_args}"
        fi
        exec rabbitmq-server -detached
    ) </dev/null >>"$LOG_DIR/rabbitmq.log" 2>&1 ||
        die "rabbitmq-server -detached failed; see $LOG_DIR/rabbitmq.log"

    # -detached returns at once. `rabbitmqctl await_startup` fails straight away
    # until the node has registered with epmd, so first wait for the port.
    wait_until "$SERVICE_TIMEOUT" 1 tcp_open "$host" "$port" || {
        tail_log rabbitmq
        die "RabbitMQ did not open $host:$port within ${SERVICE_TIMEOUT}s; see also /var/log/rabbitmq/"
    }
    wait_until "$SERVICE_TIMEOUT" 1 timeout 30 rabbitmqctl -q await_startup >/dev/null 2>&1 ||
        die "rabbitmqctl await_startup did not succeed within ${SERVICE_TIMEOUT}s; see /var/log/rabbitmq/"
    log "RabbitMQ is up"
}

# Creates RABBIT_VHOST on the local broker (guest gets all rights there) and points
# RABBIT_URL at it. Idempotent.
ensure_rabbit_vhost() {
    [[ -n "$RABBIT_VHOST" ]] || return 0
    [[ "$RABBIT_VHOST" =~ ^[A-Za-z0-9_.-]+$ ]] || die "RABBIT_VHOST may only hold letters, digits, '.', '_' and '-'"
    local user=${RABBIT_URL#*://}
    user=${user%%@*}
    user=${user%%:*}
    if ! timeout 60 rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$RABBIT_VHOST"; then
        timeout 60 rabbitmqctl -q add_vhost "$RABBIT_VHOST" >/dev/null 2>&1 ||
            die "rabbitmqctl add_vhost $RABBIT_VHOST failed (RABBIT_VHOST needs a local broker)"
    fi
    timeout 60 rabbitmqctl -q set_permissions -p "$RABBIT_VHOST" "$user" '.*' '.*' '.*' >/dev/null 2>&1 ||
        die "rabbitmqctl set_permissions -p $RABBIT_VHOST $user failed"
    local base=${RABBIT_URL%/}
    local rest=${base#*://}
    [[ "$rest" != */* ]] || base=${base%/*}  # drop the URL's own virtual host
    RABBIT_URL="$base/$RABBIT_VHOST"
    log "RabbitMQ virtual host $RABBIT_VHOST"
}

ensure_memcached() {
    local host port
    local -a user_args=()
    read -r host port < <(split_host_port "${MEMCACHED%%,*}" 11211)
    if tcp_open "$host" "$port"; then
        log "memcached answers at $host:$port"
        return
    fi
    is_local_host "$host" ||
        die "memcached does not answer at $host:$port (MEMCACHED) and that host is not this machine"
    command -v memcached >/dev/null || die "memcached is not installed (see tools/install-deps.sh)"
    # memcached refuses to run as root unless told which user to be.
    [[ $(id -u) -ne 0 ]] || user_args=(-u root)

    log "starting memcached on $host:$port"
    # Its pid file in PID_DIR is the record that we started it: unstack.sh stops it.
    (
        close_inherited_fds
        exec memcached -d "${user_args[@]}" -l "$host" -p "$port" -P "$PID_DIR/memcached.pid"
    ) </dev/null >>"$LOG_DIR/memcached.log" 2>&1 ||
        die "memcached failed to start; see $LOG_DIR/memcached.log"
    wait_until "$SERVICE_TIMEOUT" 1 tcp_open "$host" "$port" || {
        tail_log memcached
        die "memcached did not open $host:$port within ${SERVICE_TIMEOUT}s"
    }
}

# Creates the database if needed and sets DB_URL.
prepare_database() {
    case "$DATABASE" in
        sqlite)
            DB_URL="sqlite:///$STATE_DIR/stratus.sqlite"
            ;;
        postgresql)
            command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client)"
            local -a psql=(psql -h "$DATABASE_HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
            local exists
            exists=$(PGCONNECT_TIMEOUT=10 "${psql[@]}" \
                -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE_NAME'" </dev/null) ||
                die "cannot query PostgreSQL as postgres@$DATABASE_HOST"
            if [[ "$exists" != 1 ]]; then
                log "creating PostgreSQL database $DATABASE_NAME"
                PGCONNECT_TIMEOUT=10 "${psql[@]}" -c "CREATE DATABASE \"$DATABASE_NAME\"" </dev/null ||
                    die "cannot create PostgreSQL database $DATABASE_NAME"
            fi
            DB_URL="postgresql+psycopg2://postgres@$DATABASE_HOST/$DATABASE_NAME"
            ;;
        mysql)
            command -v mysql >/dev/null || die "mysql client not found (apt-get install mariadb-client)"
            mysql -uroot -h"$DATABASE_HOST" --connect-timeout=10 \
                -e "CREATE DATABASE IF NOT EXISTS \`$DATABASE_NAME\`" </dev/null ||
                die "cannot create MySQL/MariaDB database $DATABASE_NAME as root@$DATABASE_HOST"
            DB_URL="mysql+pymysql://root@$DATABASE_HOST/$DATABASE_NAME"
            ;;
    esac
    log "database: $DATABASE ($DB_URL)"
}

# --- configuration -----------------------------------------------------------

# [DEFAULT] shared by the controller and every compute host; $1 is `host`.
default_section() {
    cat <<EOF
[DEFAULT]
transport_url = $(cfg_escape "$RABBIT_URL")
state_path = $(cfg_escape "$STATE_DIR")
host = $1
log_format = json
# log_file is left unset on purpose: daemons log to stderr, which
# devstack/stack.sh sends to $(cfg_escape "$LOG_DIR")/<name>.log.

[oslo_messaging_notifications]
driver = messagingv2
EOF
}

write_controller_config() {
    local users
    users="admin:$ADMIN_PASSWORD:admin:admin+member+reader,demo:$DEMO_PASSWORD:demo:member+reader"
    users+=${EXTRA_USERS:+,$EXTRA_USERS}
    {
        echo "# Generated by devstack/stack.sh; rewritten on every run."
        default_section controller
        cat <<EOF

[database]
connection = $(cfg_escape "$DB_URL")

[api]
listen = $API_HOST
port = $API_PORT
auth_strategy = keystone

[identity]
users = $(cfg_escape "$users")
token_secret = $(cfg_escape "$TOKEN_SECRET")

[cache]
memcache_servers = $MEMCACHED

[vnc]
novncproxy_host = $NOVNCPROXY_HOST
novncproxy_port = $NOVNCPROXY_PORT
novncproxy_base_url = http://$NOVNCPROXY_HOST:$NOVNCPROXY_PORT/vnc_lite.html
EOF
    } | write_file "$CONTROLLER_CONF"
    log "wrote $CONTROLLER_CONF"
}

# [libvirt] of compute-$1: a test:/// node of its own, or its private libvirtd.
libvirt_section() {
    if [[ "$VIRT" == test ]]; then
        cat <<EOF
[libvirt]
# connection_uri is left unset: the driver then uses a test:/// node file
# of its own for this host under state_path.
EOF
        return
    fi
    cat <<EOF
[libvirt]
connection_uri = $(cfg_escape "$("$LIBVIRT_HOST" uri "$LIBVIRT_DIR/compute-$1")")
virt_type = $VIRT_TYPE
EOF
}

write_compute_configs() {
    local n
    # Compute hosts get no [database] section at all: compute must never be
    # able to open the database, it goes through conductor.
    for ((n = 1; n <= COMPUTE_HOSTS; n++)); do
        mkdir -p "$STATE_DIR/instances/compute-$n"
        {
            echo "# Generated by devstack/stack.sh; rewritten on every run."
            default_section "compute-$n"
            echo
            libvirt_section "$n"
            cat <<EOF

[compute]
instances_path = $(cfg_escape "$STATE_DIR/instances/compute-$n")
EOF
        } | write_file "$STATE_DIR/compute-$n.conf"
    done
    log "wrote compute-1..$COMPUTE_HOSTS.conf"
}

# --- database contents -------------------------------------------------------

manage() {
    "$VENV/bin/stratus-manage" --config-file "$CONTROLLER_CONF" "$@" </dev/null
}

# ensure_flavor NAME ID RAM_MB VCPUS DISK_GB
ensure_flavor() {
    local out rc=0
    out=$(manage flavor create "$1" --id "$2" --ram "$3" --vcpus "$4" --disk "$5" 2>&1) || rc=$?
    case $rc in
        0) log "flavor $1 created" ;;
        2) log "flavor $1 already exists" ;;  # stratus-manage: exit 2 = already exists
        *) die "stratus-manage flavor create $1 failed (exit $rc): $out" ;;
    esac
}

# VIRT=qemu: the tiny guest, built from Debian packages, as kernel + initrd + disk images.
ensure_guest_image() {
    local listing rc=0
    listing=$(manage image list) || die "stratus-manage image list failed"
    if awk -v name="$IMAGE_NAME" '$2 == name { found = 1 } END { exit !found }' <<<"$listing" &&
        ! awk -v name="$IMAGE_NAME-kernel" '$2 == name { found = 1 } END { exit !found }' <<<"$listing"; then
        die "$STATE_DIR holds a VIRT=test image $IMAGE_NAME that cannot boot; use another STATE_DIR for VIRT=qemu"
    fi
    log "building the tiny guest (stratus-manage image build-tiny)"
    manage image build-tiny --name "$IMAGE_NAME" --output-dir "$STATE_DIR/tiny" || rc=$?
    case $rc in
        0) log "image $IMAGE_NAME built and imported" ;;
        2) log "image $IMAGE_NAME already imported" ;;
        *) die "stratus-manage image build-tiny failed (exit $rc)" ;;
    esac
    # The KVM probe boots these files; an earlier run may have imported without them.
    [[ -s "$STATE_DIR/tiny/vmlinuz" ]] ||
        manage image build-tiny --no-import --output-dir "$STATE_DIR/tiny" >/dev/null ||
        die "stratus-manage image build-tiny --no-import failed"
}

ensure_image() {
    local listing image_file="$STATE_DIR/tiny.qcow2"
    if [[ "$VIRT" == qemu ]]; then
        ensure_guest_image
        return
    fi
    listing=$(manage image list) || die "stratus-manage image list failed"
    # One "ID NAME STATUS" line per image.
    if awk -v name="$IMAGE_NAME" '$2 == name { found = 1 } END { exit !found }' <<<"$listing"; then
        log "image $IMAGE_NAME already imported"
        return
    fi
    if [[ ! -f "$image_file" ]]; then
        qemu-img create -f qcow2 "$image_file" 64M >/dev/null || die "qemu-img create failed"
    fi
    manage image import "$image_file" --name "$IMAGE_NAME" --disk-format qcow2 --public ||
        die "stratus-manage image import failed"
    log "image $IMAGE_NAME imported"
}

populate_database() {
    [[ -x "$VENV/bin/stratus-manage" ]] || die "$VENV/bin/stratus-manage missing; is the project installed?"
    log "stratus-manage db sync"
    manage db sync || die "stratus-manage db sync failed"
    ensure_flavor m1.nano 42 128 1 1
    ensure_flavor m1.tiny 1 512 1 1
    ensure_flavor m1.small 2 2048 1 20
    ensure_image
}

# --- hypervisor hosts (VIRT=qemu) ---------------------------------------------

# Sets VIRT_TYPE (kvm or qemu) by booting the tiny guest under KVM once: on some
# machines /dev/kvm opens but guests hang, so its presence proves nothing.
probe_virt_type() {
    local cached="$LIBVIRT_DIR/virt_type"
    VIRT_TYPE=test
    [[ "$VIRT" == qemu ]] || return 0
    mkdir -p "$LIBVIRT_DIR"
    if [[ ! -s "$cached" ]]; then
        log "probing whether KVM boots a guest here (up to 20 s)"
        "$LIBVIRT_HOST" probe "$STATE_DIR/tiny/vmlinuz" "$STATE_DIR/tiny/initrd.gz" >"$cached" ||
            die "the KVM probe failed"
    fi
    VIRT_TYPE=$(<"$cached")
    log "guests run with virt_type=$VIRT_TYPE"
}

start_libvirt_hosts() {
    local n tool
    [[ "$VIRT" == qemu ]] || return 0
    for tool in libvirtd qemu-system-x86_64 virsh unshare; do
        command -v "$tool" >/dev/null || die "$tool is not installed (tools/install-deps.sh installs it)"
    done
    [[ $(id -u) -eq 0 ]] || die "VIRT=qemu needs root: each host's libvirtd runs in its own mount namespace"
    for ((n = 1; n <= COMPUTE_HOSTS; n++)); do
        (close_inherited_fds && exec "$LIBVIRT_HOST" start "$LIBVIRT_DIR/compute-$n" "$n" "$VIRT_TYPE") \
            </dev/null >>"$LOG_DIR/libvirt-hosts.log" 2>&1 ||
            die "libvirtd of compute-$n did not start; see $LOG_DIR/libvirt-hosts.log"
    done
    log "libvirtd running for compute-1..$COMPUTE_HOSTS ($LIBVIRT_DIR)"
}

# --- daemons -----------------------------------------------------------------

# start_daemon NAME COMMAND...: start COMMAND in the background unless the
# process recorded in $PID_DIR/NAME.pid is still alive.
start_daemon() {
    local name=$1 pid pidfile="$PID_DIR/$1.pid"
    shift
    if pid=$(ours_pid "$pidfile"); then
        log "$name already running (pid $pid)"
        return
    fi
    rm -f "$pidfile"
    log "starting $name (log: $LOG_DIR/$name.log)"
    # setsid: a session of its own, so the daemon outlives this script and its
    # terminal, and unstack.sh can signal its whole process group. The inner
    # bash writes its own pid and then execs the daemon, so the pid file holds
    # the daemon's pid even when setsid has to fork. Only stdin (/dev/null),
    # stdout and stderr (the log) are inherited.
    (
        close_inherited_fds
        # shellcheck disable=SC2016  # $$, $1 and $@ belong to the inner bash
        exec setsid nohup bash -c 'echo "$$" >"$1" && shift && exec "$@"' stratus-launch "$pidfile" "$@"
    ) </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
    wait_until 10 0.1 test -s "$pidfile" || die "$name did not start; see $LOG_DIR/$name.log"
}

start_daemons() {
    local n
    [[ -x "$VENV/bin/stratus-api" ]] || die "$VENV/bin/stratus-api missing; is the project installed?"
    # Something else on the API port would answer our readiness check.
    if ! ours_pid "$PID_DIR/stratus-api.pid" >/dev/null && tcp_open "$API_HOST" "$API_PORT"; then
        die "$API_HOST:$API_PORT is already in use by another program (set API_PORT)"
    fi
    if ! ours_pid "$PID_DIR/stratus-novncproxy.pid" >/dev/null && tcp_open "$NOVNCPROXY_HOST" "$NOVNCPROXY_PORT"; then
        die "$NOVNCPROXY_HOST:$NOVNCPROXY_PORT is already in use by another program (set NOVNCPROXY_PORT)"
    fi
    start_daemon stratus-conductor "$VENV/bin/stratus-conductor" --config-file "$CONTROLLER_CONF"
    start_daemon stratus-scheduler "$VENV/bin/stratus-scheduler" --config-file "$CONTROLLER_CONF"
    start_daemon stratus-consoleauth "$VENV/bin/stratus-consoleauth" --config-file "$CONTROLLER_CONF"
    start_daemon stratus-api "$VENV/bin/stratus-api" --config-file "$CONTROLLER_CONF"
    start_daemon stratus-novncproxy "$VENV/bin/stratus-novncproxy" --config-file "$CONTROLLER_CONF"
    for ((n = 1; n <= COMPUTE_HOSTS; n++)); do
        start_daemon "compute-$n" "$VENV/bin/stratus-compute" --config-file "$STATE_DIR/compute-$n.conf"
    done
}

# Fails at once, with its log, when the daemon named $1 has died.
check_alive() {
    ours_pid "$PID_DIR/$1.pid" >/dev/null && return
    tail_log "$1"
    die "$1 exited"
}

# wait_for_http DAEMON_NAME URL [CURL_FLAG...]: poll URL until curl succeeds,
# failing at once if the daemon dies and after API_TIMEOUT seconds.
wait_for_http() {
    local name=$1 url=$2 deadline=$((SECONDS + API_TIMEOUT))
    shift 2
    log "waiting for $url"
    until curl -s "$@" -o /dev/null --max-time 5 "$url"; do
        check_alive "$name"
        if ((SECONDS >= deadline)); then
            tail_log "$name"
            die "$name did not answer at $url within ${API_TIMEOUT}s"
        fi
        sleep 1
    done
}

# Any HTTP answer will do (a 405 too, when the novnc package is missing).
wait_for_novncproxy() {
    wait_for_http stratus-novncproxy "http://$NOVNCPROXY_HOST:$NOVNCPROXY_PORT/vnc_lite.html"
}

wait_for_api() {
    wait_for_http stratus-api "http://$API_HOST:$API_PORT/identity/v3" -f
}

# wait_for_ping DAEMON_NAME PING_ARGS...: retry `stratus-rpc ping PING_ARGS`
# until it succeeds. Each attempt is bounded: a call sent before the worker's
# queue exists is lost and would otherwise wait for the full RPC timeout.
wait_for_ping() {
    local name=$1 out="" deadline=$((SECONDS + RPC_TIMEOUT))
    shift
    log "waiting for stratus-rpc ping $*"
    until out=$(timeout 10 "$VENV/bin/stratus-rpc" --config-file "$CONTROLLER_CONF" ping "$@" 2>&1 </dev/null); do
        check_alive "$name"
        if ((SECONDS >= deadline)); then
            printf 'stack: last stratus-rpc output: %s\n' "$out" >&2
            tail_log "$name"
            die "stratus-rpc ping $* did not succeed within ${RPC_TIMEOUT}s"
        fi
        sleep 1
    done
}

wait_for_services() {
    local n
    wait_for_api
    wait_for_novncproxy
    wait_for_ping stratus-conductor conductor
    wait_for_ping stratus-scheduler scheduler
    wait_for_ping stratus-consoleauth consoleauth
    for ((n = 1; n <= COMPUTE_HOSTS; n++)); do
        wait_for_ping "compute-$n" compute --host "compute-$n"
    done
}

# --- client side -------------------------------------------------------------

write_openrc() {
    local var
    local -a vars=(
        OS_AUTH_URL="http://$API_HOST:$API_PORT/identity/v3"
        OS_USERNAME=admin
        OS_PASSWORD="$ADMIN_PASSWORD"
        OS_PROJECT_NAME=admin
        OS_USER_DOMAIN_NAME=Default
        OS_PROJECT_DOMAIN_NAME=Default
        OS_IDENTITY_API_VERSION=3
        OS_REGION_NAME=RegionOne
        OS_AUTH_TYPE=password
    )
    {
        echo "# Generated by devstack/stack.sh for $STATE_DIR. Use: source $OPENRC"
        for var in "${vars[@]}"; do
            printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
        done
        # The openstack CLI (python-openstackclient) lives in the project's venv.
        printf 'case ":$PATH:" in *:%q:*) ;; *) export PATH=%q:"$PATH" ;; esac\n' \
            "$VENV/bin" "$VENV/bin"
    } | write_file "$OPENRC"
}

print_summary() {
    cat <<EOF

Stratus is running.
  compute API:   http://$API_HOST:$API_PORT/compute/v2.1
  identity API:  http://$API_HOST:$API_PORT/identity/v3
  noVNC proxy:   http://$NOVNCPROXY_HOST:$NOVNCPROXY_PORT/vnc_lite.html
  credentials:   source $OPENRC
  logs:          $LOG_DIR/<service>.log
  configs:       $STATE_DIR/*.conf
  stop:          devstack/unstack.sh   (add --clean to remove $STATE_DIR)
EOF
}

main() {
    case "${1:-}" in
        -h | --help) usage; exit 0 ;;
        "") ;;
        *) usage >&2; exit 2 ;;
    esac
    validate_settings
    bash "$REPO_ROOT/tools/install-deps.sh"

    mkdir -p "$STATE_DIR" "$LOG_DIR" "$PID_DIR" "$STATE_DIR/instances"
    # One stack.sh/unstack.sh at a time per STATE_DIR. Taken after
    # install-deps.sh so that nothing apt might start inherits the lock fd;
    # what we start ourselves closes it (close_inherited_fds).
    exec 8<"$STATE_DIR"
    flock -w 600 8 || die "another stack.sh/unstack.sh holds $STATE_DIR"

    load_token_secret
    ensure_rabbitmq
    ensure_rabbit_vhost
    ensure_memcached
    prepare_database
    write_controller_config
    populate_database
    probe_virt_type
    write_compute_configs
    start_libvirt_hosts
    start_daemons
    wait_for_services
    write_openrc
    print_summary
}

main "$@"
