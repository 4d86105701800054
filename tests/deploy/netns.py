"""Network namespaces, veth links and processes started inside them, for the end-to-end
test: everything one run creates is undone by Netns.close(), and namespaces of runs that
were killed (their PID gone) by remove_leftovers()."""
import os
import re
import shutil
import signal
import subprocess
import time

PREFIX = "tgdeploy-"


def run(*argv, timeout=10, check_rc=True):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def wait_until(predicate, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


class Netns:
    """The namespaces, links and processes of one run; close() undoes all of it."""

    def __init__(self, work):
        self.work = work
        self.tag = f"{PREFIX}{os.getpid()}-"
        self.names = []
        self.procs = {}

    def ns(self, role):
        return self.tag + role

    def add(self, role):
        run("ip", "netns", "add", self.ns(role))
        self.names.append(self.ns(role))
        run("ip", "-n", self.ns(role), "link", "set", "lo", "up")

    def link(self, a, a_ip, b, b_ip):
        va, vb = f"tg{os.getpid() % 100000}{a[0]}{b[0]}", f"tg{os.getpid() % 100000}{b[0]}{a[0]}"
        run("ip", "link", "add", va, "type", "veth", "peer", "name", vb)
        for dev, role, ip in ((va, a, a_ip), (vb, b, b_ip)):
            run("ip", "link", "set", dev, "netns", self.ns(role))
            run("ip", "-n", self.ns(role), "addr", "add", f"{ip}/24", "dev", dev)
            run("ip", "-n", self.ns(role), "link", "set", dev, "up")

    def start(self, name, role, argv, env=None):
        out = open(os.path.join(self.work, f"{name}.log"), "w")
        self.procs[name] = subprocess.Popen(["ip", "netns", "exec", self.ns(role), *argv], stdout=out,
                                            stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def exec(self, role, *argv, timeout=10):
        return subprocess.run(["ip", "netns", "exec", self.ns(role), *argv], capture_output=True, text=True,
                              timeout=timeout)

    def stop(self, name, timeout=25.0):
        """SIGTERM, then the exit status (None if it had to be killed)."""
        p = self.procs.pop(name)
        if p.poll() is not None:
            return p.returncode
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None

    def close(self):
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.procs.clear()
        for name in self.names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def remove_leftovers():
    """Namespaces of earlier runs whose process is gone (killed by a ctest timeout)."""
    listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for name in re.findall(rf"^({PREFIX}(\d+)-\S+)", listing, re.M):
        if not os.path.exists(f"/proc/{name[1]}"):
            subprocess.run(["ip", "netns", "del", name[0]], capture_output=True)


def skip_reason():
    if os.geteuid() != 0:
        return "not root: network namespaces need CAP_SYS_ADMIN"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    probe = f"{PREFIX}{os.getpid()}-probe"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        return f"`ip netns add` failed: {r.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None
