#!/usr/bin/env bash
# Install what Stratus needs to run and to be tested: a few Debian packages
# (libvirt headers to build libvirt-python, qemu-img, RabbitMQ, memcached)
# and a virtualenv at <repo>/.venv with the project installed editable plus
# its `test` extra.
#
# Idempotent and fast when nothing changed: apt is only touched for packages
# dpkg reports missing, and pip only runs when setup.cfg or pyproject.toml is
# newer than the stamp file .venv/.installed.
#
# Environment:
#   STRATUS_SKIP_APT=1   skip the apt step (machines without root)
#   PYTHON=/path/python  interpreter for the venv (default: first python3.x >= 3.11 on PATH)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$REPO_ROOT/.venv"
STAMP="$VENV/.installed"
MIN_PYTHON=(3 11)

# python3-venv: Debian's own python3 cannot create a venv (no ensurepip) without it.
# curl: devstack/stack.sh polls the API with it, and a minimal image may lack it.
# novnc: the noVNC web page stratus-novncproxy serves (/usr/share/novnc).
# chromium: the browser test opens that page headless (tests/browser.py).
# libvirt-daemon-*, qemu-system-x86: real QEMU guests (VIRT=qemu, tests/realvirt);
# busybox-static, cpio: the tiny guest's initramfs (stratus-manage image build-tiny).
APT_PACKAGES=(
    libvirt-dev pkg-config gcc python3-dev python3-venv qemu-utils
    rabbitmq-server memcached libvirt-clients curl novnc chromium
    libvirt-daemon-system libvirt-daemon-driver-qemu qemu-system-x86 busybox-static cpio
)

log() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

install_apt_packages() {
    if [[ "${STRATUS_SKIP_APT:-0}" == 1 ]]; then
        log "STRATUS_SKIP_APT=1: skipping apt packages"
        return
    fi
    local pkg missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "apt packages already installed"
        return
    fi
    if [[ $(id -u) -ne 0 ]]; then
        die "missing apt packages: ${missing[*]}; run as root, or install them and set STRATUS_SKIP_APT=1"
    fi
    log "installing apt packages: ${missing[*]}"
    # Noninteractive because CI runs us with no stdin; the lock timeout lets us
    # wait for another apt run instead of failing at once.
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
}

# True when "$1" runs and is at least MIN_PYTHON.
python_ok() {
    "$1" -c "import sys; sys.exit(sys.version_info[:2] < (${MIN_PYTHON[0]}, ${MIN_PYTHON[1]}))" 2>/dev/null
}

find_python() {
    local candidate
    for candidate in ${PYTHON:+"$PYTHON"} python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"
            return
        fi
    done
    die "need python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]} (set PYTHON=/path/to/python3)"
}

ensure_venv() {
    if [[ -x "$VENV/bin/python" ]] && python_ok "$VENV/bin/python"; then
        log "venv $VENV exists ($("$VENV/bin/python" -V 2>&1))"
        return
    fi
    local python
    python=$(find_python)
    # --clear: a venv whose interpreter vanished or is too old is rebuilt from
    # scratch; that also drops the stamp, so pip runs again below.
    log "creating venv $VENV with $python ($("$python" -V 2>&1))"
    "$python" -m venv --clear "$VENV"
}

install_project() {
    if [[ "$STAMP" -nt "$REPO_ROOT/setup.cfg" && "$STAMP" -nt "$REPO_ROOT/pyproject.toml" ]]; then
        log "python packages up to date ($STAMP newer than setup.cfg and pyproject.toml)"
        return
    fi
    log "pip install -e '.[test]' into $VENV"
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install -e '.[test]')
    touch "$STAMP"
}

main() {
    [[ -f "$REPO_ROOT/setup.cfg" ]] || die "no setup.cfg in $REPO_ROOT"
    # run-tests.sh and stack.sh may run at the same time (e.g. the devstack
    # integration test); serialize on a lock held on setup.cfg so two pip runs
    # never write into the same venv. The lock goes away with this process.
    if command -v flock >/dev/null 2>&1; then
        exec 9<"$REPO_ROOT/setup.cfg"
        flock 9
    fi
    install_apt_packages
    ensure_venv
    install_project
}

main "$@"
