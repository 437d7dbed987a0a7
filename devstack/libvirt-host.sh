#!/usr/bin/env bash
# One private libvirtd (QEMU driver) per compute host on a single machine, without systemd.
#
#   libvirt-host.sh start DIR INDEX VIRT_TYPE   start the host whose state lives in DIR
#   libvirt-host.sh uri DIR                     print its libvirt URI
#   libvirt-host.sh stop DIR                    destroy its guests, then stop its libvirtd
#   libvirt-host.sh kill DIR                    stop its libvirtd only (guests keep running)
#   libvirt-host.sh probe KERNEL INITRD         print kvm when KVM really boots a guest, else qemu
#
# Each libvirtd runs in its own mount namespace where /run/libvirt, /var/lib/libvirt,
# /var/cache/libvirt, /var/log/libvirt and /etc/libvirt are DIR's private copies, so two
# hosts have their own domains, sockets and host UUID (live migration between them is
# real). INDEX (1, 2, ...) gives each host its own VNC and migration port ranges. With
# VIRT_TYPE=qemu, /dev/kvm is hidden from libvirtd: while it can see a /dev/kvm that does
# not work, libvirt re-probes QEMU on every define (30-50 s each).
set -euo pipefail

BOOT_WORD='STRATUS-GUEST booted'
LIBVIRT_DIRS=(/run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt)

die() { printf 'libvirt-host: ERROR: %s\n' "$*" >&2; exit 1; }

uri() { printf 'qemu+unix:///system?socket=%s/run/libvirt-sock\n' "$1"; }

# private_dir DIR SYSTEM_DIR: DIR's copy of SYSTEM_DIR, e.g. /var/lib/libvirt -> DIR/var-lib.
private_dir() {
    local name=${2#/}
    printf '%s/%s\n' "$1" "${name//\//-}"
}

write_configs() {
    local dir=$1 index=$2 etc host_uuid
    etc=$(private_dir "$dir" /etc/libvirt)
    [[ -s "$dir/host-uuid" ]] || cat /proc/sys/kernel/random/uuid >"$dir/host-uuid"
    host_uuid=$(<"$dir/host-uuid")
    cat >"$etc/libvirtd.conf" <<EOF
# Written by devstack/libvirt-host.sh.
host_uuid = "$host_uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
    # root: the instance directories may be private to root (e.g. under a 0700 tmp dir).
    # remember_owner = 0: two hosts share the image files, and xattr owner tracking
    # would refuse the second one. stdio_handler = file: no virtlogd needed.
    cat >"$etc/qemu.conf" <<EOF
# Written by devstack/libvirt-host.sh.
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
# No private /dev per guest: it cannot carry the /dev/kvm cover mount over.
namespaces = []
stdio_handler = "file"
vnc_listen = "127.0.0.1"
remote_display_port_min = $((5900 + (index - 1) * 100))
remote_display_port_max = $((5999 + (index - 1) * 100))
migration_port_min = $((49152 + (index - 1) * 32))
migration_port_max = $((49183 + (index - 1) * 32))
EOF
}

start() {
    local dir=$1 index=$2 virt_type=$3 sys private hide="" mounts=""
    [[ "$index" =~ ^[1-9][0-9]?$ ]] || die "INDEX must be 1..99 (got '$index')"
    case "$virt_type" in qemu | kvm) ;; *) die "VIRT_TYPE must be qemu or kvm" ;; esac
    command -v libvirtd >/dev/null || die "libvirtd is not installed (tools/install-deps.sh)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if pid=$(running_pid "$dir"); then
        echo "libvirt-host: $dir already running (pid $pid)"
        return
    fi
    for sys in "${LIBVIRT_DIRS[@]}"; do
        private=$(private_dir "$dir" "$sys")
        if [[ ! -d "$private" ]]; then
            mkdir -p "$private"
            # Debian's default configuration is the starting point of each host's own.
            [[ "$sys" != /etc/libvirt ]] || cp -a /etc/libvirt/. "$private/"
        fi
        mounts+="mount --bind '$private' '$sys' && "
    done
    mkdir -p "$(private_dir "$dir" /var/lib/libvirt)/qemu" "$(private_dir "$dir" /var/log/libvirt)/qemu"
    ln -sfn "$(private_dir "$dir" /run/libvirt)" "$dir/run"
    write_configs "$dir" "$index"
    if [[ "$virt_type" == qemu && -e /dev/kvm ]]; then
        # libvirt calls KVM usable when root may write /dev/kvm, and then re-probes QEMU
        # on every lookup because QEMU finds no KVM there. Over a read-only empty file
        # even root gets EROFS, so libvirt sees no KVM and keeps its capability cache.
        : >"$dir/no-kvm"
        hide="mount --bind '$dir/no-kvm' /dev/kvm && mount -o remount,bind,ro /dev/kvm && "
    fi
    rm -f "$dir/run/libvirt-sock"
    # The namespace lives as long as the daemon; nothing outside it sees these mounts.
    unshare -m --propagation private sh -c \
        "mkdir -p ${LIBVIRT_DIRS[*]} && ${mounts}${hide}exec libvirtd -d -p /run/libvirt/libvirtd.pid" \
        </dev/null >>"$dir/start.log" 2>&1 || die "libvirtd failed to start; see $dir/start.log"
    for _ in $(seq 1 150); do
        if [[ -S "$dir/run/libvirt-sock" ]] && virsh -c "$(uri "$dir")" version >/dev/null 2>&1; then
            echo "libvirt-host: $dir up ($virt_type): $(uri "$dir")"
            return
        fi
        if [[ -s "$dir/run/libvirtd.pid" ]] && ! running_pid "$dir" >/dev/null; then
            break  # it started and died
        fi
        sleep 0.2
    done
    grep -v dmidecode "$(private_dir "$dir" /var/log/libvirt)/libvirtd.log" 2>/dev/null | tail -n 5 >&2
    die "libvirtd in $dir is not answering; see $(private_dir "$dir" /var/log/libvirt)/libvirtd.log"
}

running_pid() {
    local pid
    [[ -r "$1/run/libvirtd.pid" ]] || return 1
    # libvirtd writes its pid without a newline: read then "fails" at EOF.
    read -r pid <"$1/run/libvirtd.pid" || [[ -n "${pid:-}" ]] || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *libvirtd* ]] || return 1
    echo "$pid"
}

kill_daemon() {
    local pid
    pid=$(running_pid "$1") || return 0
    kill "$pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

stop() {
    local dir=$1 name conn
    running_pid "$dir" >/dev/null || return 0
    conn=$(uri "$dir")
    for name in $(virsh -c "$conn" list --all --name 2>/dev/null); do
        virsh -c "$conn" destroy "$name" >/dev/null 2>&1 || true
        virsh -c "$conn" undefine --managed-save --snapshots-metadata "$name" >/dev/null 2>&1 || true
    done
    kill_daemon "$dir"
}

# KVM counts as working only when a guest really boots under it: on these machines
# /dev/kvm opens and KVM_CREATE_VM succeeds, yet guests hang (nested virtualisation).
probe() {
    local kernel=$1 initrd=$2 out
    [[ -r /dev/kvm && -w /dev/kvm ]] || { echo qemu; return; }
    grep -qE '\b(vmx|svm)\b' /proc/cpuinfo || { echo qemu; return; }
    out=$(timeout 20 qemu-system-x86_64 -machine pc,accel=kvm -m 128 -nographic -no-reboot \
        -kernel "$kernel" -initrd "$initrd" -append 'console=ttyS0 panic=-1 quiet' 2>&1 |
        grep -m1 -a "$BOOT_WORD" || true)
    if [[ -n "$out" ]]; then echo kvm; else echo qemu; fi
}

case "${1:-}" in
    start) (($# == 4)) || die "usage: $0 start DIR INDEX VIRT_TYPE"; start "$2" "$3" "$4" ;;
    uri) (($# == 2)) || die "usage: $0 uri DIR"; uri "$(realpath -m "$2")" ;;
    stop) (($# == 2)) || die "usage: $0 stop DIR"; [[ ! -d "$2" ]] || stop "$(cd "$2" && pwd)" ;;
    kill) (($# == 2)) || die "usage: $0 kill DIR"; [[ ! -d "$2" ]] || kill_daemon "$(cd "$2" && pwd)" ;;
    probe) (($# == 3)) || die "usage: $0 probe KERNEL INITRD"; probe "$2" "$3" ;;
    *) die "usage: $0 start|uri|stop|kill|probe ..." ;;
esac
