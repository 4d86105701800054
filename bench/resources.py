#!/usr/bin/python3
"""Resource figures for bench/run.sh (SPEC §10): start to ready, idle RSS, RSS with many
idle keep-alive connections.

    resources.py TOKENGATE CONFIG LISTEN_PORT ADMIN_PORT TOKEN_FILE CONNECTIONS STARTS

Starts `TOKENGATE serve --config CONFIG` STARTS times and times each start from just
before the exec to the first 200 from /readyz (polled every 0.5 ms); the last instance
then stays up: its RSS is read idle, then with CONNECTIONS client connections that each
sent one authorised request, read the answer and stay open (keep-alive). Prints one
`name value` line per figure. The caller raises the fd limit (this process keeps
CONNECTIONS sockets open; so does tokengate).
"""
import os
import resource
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def start(binary, config, admin_port):
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "serve", "--config", config], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while not ready(admin_port):
        if proc.poll() is not None:
            sys.exit(f"tokengate exited with {proc.returncode} before it was ready")
        if time.monotonic() - t0 > 10:
            proc.kill()
            sys.exit("tokengate not ready after 10 s")
        time.sleep(0.0005)
    return proc, time.monotonic() - t0


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def open_idle_connections(port, n, request):
    """n connections, each with one answered request; returns the open sockets."""
    sel = selectors.DefaultSelector()
    socks, pending = [], {}
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        sel.register(s, selectors.EVENT_WRITE, i)
        socks.append(s)
        pending[i] = b""
        # Keep the accept queue short: drain completions every few hundred connects.
        if i % 200 == 199 or i == n - 1:
            drive(sel, socks, pending, request, final=(i == n - 1))
    return socks


def drive(sel, socks, pending, request, final):
    deadline = time.monotonic() + 60
    while pending if final else len(pending) > 200:
        events = sel.select(timeout=1)
        if time.monotonic() > deadline:
            sys.exit(f"{len(pending)} connections got no answer in time")
        for key, mask in events:
            i, s = key.data, key.fileobj
            if mask & selectors.EVENT_WRITE:
                s.sendall(request)
                sel.modify(s, selectors.EVENT_READ, i)
                continue
            data = s.recv(4096)
            if not data:
                sys.exit("a connection was closed by tokengate")
            pending[i] += data
            head, sep, body = pending[i].partition(b"\r\n\r\n")
            if sep:
                if not head.startswith(b"HTTP/1.1 200"):
                    sys.exit("unexpected answer: " + head.split(b"\r\n")[0].decode(errors="replace"))
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(body) >= length:
                    sel.unregister(s)
                    del pending[i]


def main():
    binary, config, listen_port, admin_port, token_file, conns, starts = sys.argv[1:8]
    listen_port, admin_port, conns, starts = int(listen_port), int(admin_port), int(conns), int(starts)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    token = open(token_file).read().strip()

    times = []
    proc = None
    for i in range(starts):
        if proc:
            stop(proc)
        proc, t = start(binary, config, admin_port)
        times.append(t)
    print(f"start_to_ready_ms_median {statistics.median(times) * 1000:.1f}")
    print(f"start_to_ready_ms_max {max(times) * 1000:.1f}")
    time.sleep(0.5)
    idle = rss_kib(proc.pid)
    print(f"idle_rss_kib {idle}")

    request = (f"GET / HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
    t0 = time.monotonic()
    socks = open_idle_connections(listen_port, conns, request)
    print(f"connections_open_s {time.monotonic() - t0:.1f}")
    time.sleep(1)
    loaded = rss_kib(proc.pid)
    print(f"connections {len(socks)}")
    print(f"connections_rss_kib {loaded}")
    print(f"per_connection_bytes {(loaded - idle) * 1024 / max(1, len(socks)):.0f}")
    for s in socks:
        s.close()
    time.sleep(1)
    print(f"after_close_rss_kib {rss_kib(proc.pid)}")
    stop(proc)


if __name__ == "__main__":
    main()
