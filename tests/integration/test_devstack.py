"""devstack/stack.sh and unstack.sh against real servers.

Starts the whole distributed deployment (RabbitMQ, memcached, every daemon)
in a temporary STATE_DIR on a free API port. It proves README's first command
works; it needs root (to start RabbitMQ when none answers). Set
STRATUS_SKIP_DEVSTACK=1 to leave it out on a machine where that is not allowed.
"""

import json
import os
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from image import tiny
from tests import realvirt

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK = REPO_ROOT / "devstack" / "stack.sh"
UNSTACK = REPO_ROOT / "devstack" / "unstack.sh"
COMPUTE_HOSTS = 2
SERVICES = {"stratus-conductor", "stratus-scheduler", "stratus-consoleauth", "stratus-api",
            "stratus-novncproxy"} | {
    f"compute-{n}" for n in range(1, COMPUTE_HOSTS + 1)
}

pytestmark = [
    pytest.mark.devstack,
    pytest.mark.skipif(
        os.environ.get("STRATUS_SKIP_DEVSTACK") == "1",
        reason="STRATUS_SKIP_DEVSTACK=1: devstack/stack.sh not run (it starts RabbitMQ, memcached and all daemons)",
    ),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_script(script, env, log_path, *args):
    # Output goes to a file, never a pipe: a daemon that inherited the pipe
    # would keep it open and make us wait forever.
    with open(log_path, "ab") as log:
        proc = subprocess.run(
            ["bash", str(script), *args],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            timeout=900,
        )
    return proc.returncode


def log_tail(log_path, lines=60):
    return "\n".join(Path(log_path).read_text(errors="replace").splitlines()[-lines:])


def alive(pid):
    """Alive and not a zombie (nobody may reap an orphaned daemon here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def read_pids(pid_dir):
    return {p.stem: int(p.read_text().split()[0]) for p in pid_dir.glob("*.pid")}


def processes_using(state_dir):
    """pid -> ppid of live processes whose command line mentions state_dir."""
    marker = f"{state_dir}/".encode()
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker in (proc / "cmdline").read_bytes() and alive(proc.name):
                stat = (proc / "stat").read_text()
                found[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def top_level(procs):
    """Drop processes forked by one of ours (e.g. API workers)."""
    return {pid for pid, ppid in procs.items() if ppid not in procs}


def test_stack_twice_then_unstack(tmp_path):
    state_dir = tmp_path / "state"
    port = free_port()
    env = dict(os.environ, STATE_DIR=str(state_dir), API_PORT=str(port), API_HOST="127.0.0.1",
               NOVNCPROXY_PORT=str(free_port()),
               COMPUTE_HOSTS=str(COMPUTE_HOSTS), OPENRC=str(tmp_path / "openrc"),
               EXTRA_USERS="carol:carolpw:proj9:reader,dave:davepw:proj9:manager+member+reader")
    log_path = tmp_path / "devstack.log"
    pid_dir = state_dir / "pids"
    seen = set()
    try:
        rc = run_script(STACK, env, log_path)
        assert rc == 0, f"stack.sh exited {rc}:\n{log_tail(log_path)}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/identity/v3", timeout=10) as resp:
            assert resp.status == 200
        first = read_pids(pid_dir)
        seen |= set(first.values())
        assert SERVICES <= set(first), first
        assert all(alive(pid) for pid in first.values()), first
        assert "OS_AUTH_URL" in (tmp_path / "openrc").read_text()
        # Sourcing openrc in a shell without the venv on PATH gives the openstack CLI,
        # and it reaches the cloud as the openrc's admin.
        listed = subprocess.run(
            ['bash', '-c', f'source {tmp_path / "openrc"} && openstack flavor list -f value -c Name'],
            env=dict(env, PATH='/usr/bin:/bin'), capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr
        assert 'm1.nano' in listed.stdout
        _check_extra_users(port)

        rc = run_script(STACK, env, log_path)
        assert rc == 0, f"second stack.sh exited {rc}:\n{log_tail(log_path)}"
        second = read_pids(pid_dir)
        seen |= set(second.values())
        assert second == first, "second stack.sh restarted or added services"
        # Exactly one process per service: nothing of ours runs besides the recorded pids.
        assert top_level(processes_using(state_dir)) == set(second.values())
    finally:
        rc = run_script(UNSTACK, env, log_path)
    assert rc == 0, f"unstack.sh exited {rc}:\n{log_tail(log_path)}"
    assert not [pid for pid in seen if alive(pid)], log_tail(log_path)
    assert not processes_using(state_dir)
    assert not list(pid_dir.glob("*.pid"))


def libvirt_processes():
    """PIDs of libvirtd and QEMU processes on this machine."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if (cmd.startswith(b"libvirtd") or b"qemu-system" in cmd) and alive(proc.name):
            found.add(int(proc.name))
    return found


@pytest.mark.skipif(realvirt.missing() is not None, reason=realvirt.missing() or "")
def test_virt_qemu_boots_a_real_guest_and_unstack_stops_it(tmp_path):
    from tests.functional import client as client_mod
    state_dir = tmp_path / "state"
    port = free_port()
    env = dict(os.environ, STATE_DIR=str(state_dir), API_PORT=str(port), API_HOST="127.0.0.1",
               NOVNCPROXY_PORT=str(free_port()), COMPUTE_HOSTS="1", VIRT="qemu",
               OPENRC=str(tmp_path / "openrc"), ADMIN_PASSWORD="adminpw")
    log_path = tmp_path / "devstack.log"
    before = libvirt_processes()
    try:
        rc = run_script(STACK, env, log_path)
        assert rc == 0, f"stack.sh exited {rc}:\n{log_tail(log_path)}"
        conf = (state_dir / "compute-1.conf").read_text()
        assert f"socket={state_dir}/libvirt/compute-1/run/libvirt-sock" in conf
        admin = client_mod.Client(f"http://127.0.0.1:{port}", "admin", "adminpw", "admin")
        image = [i for i in admin.get("/image/v2/images").json()["images"]
                 if i["name"] == "stratus-tiny"][0]
        resp = admin.create_server("devstack-real", image["id"], flavor="42")
        assert resp.status_code == 202, resp.text
        server_id = resp.json()["server"]["id"]
        admin.wait_status(server_id, {"ACTIVE"}, timeout=120)

        def booted():
            out = admin.action(server_id, {"os-getConsoleOutput": {}}).json()["output"]
            return f"{tiny.BOOT_WORD} uuid={server_id}" in out
        realvirt.wait_for(booted, 120, interval=0.5, what="the guest's boot line")
        assert realvirt.qemu_pids(server_id)
    finally:
        rc = run_script(UNSTACK, env, log_path, "--clean")
    assert rc == 0, f"unstack.sh exited {rc}:\n{log_tail(log_path)}"
    assert libvirt_processes() <= before, "unstack.sh left libvirtd or QEMU running"


def _token(port, user, password, project):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"id": "default"}}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
    req = urllib.request.Request(f"http://127.0.0.1:{port}/identity/v3/auth/tokens",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.headers["X-Subject-Token"], json.load(resp)["token"]


def _check_extra_users(port):
    """EXTRA_USERS: tempest's reader-only and manager accounts without editing a script."""
    token, body = _token(port, "carol", "carolpw", "proj9")
    assert {r["name"] for r in body["roles"]} == {"reader"}
    assert body["project"]["name"] == "proj9"
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/compute/v2.1/servers", method="POST",
        data=json.dumps({"server": {"name": "x", "imageRef": "x", "flavorRef": "42",
                                    "networks": "none"}}).encode(),
        headers={"Content-Type": "application/json", "X-Auth-Token": token})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 403  # a reader may look, not create
    _, body = _token(port, "dave", "davepw", "proj9")
    assert {r["name"] for r in body["roles"]} == {"manager", "member", "reader"}


def test_bad_extra_users_entry_is_refused_before_anything_starts(tmp_path):
    env = dict(os.environ, STATE_DIR=str(tmp_path / "state"),
               EXTRA_USERS="eve:s3cret:proj:root")
    out = subprocess.run(["bash", STACK], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "EXTRA_USERS entry for 'eve'" in out.stderr
    assert "s3cret" not in out.stderr  # a password never reaches a log
    assert not (tmp_path / "state").exists()
