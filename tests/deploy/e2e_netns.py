#!/usr/bin/python3
# Verifies: both deployment patterns end to end through nginx in network namespaces (see below).
"""Checks that the shipped configs work end to end in both deployment patterns, with each
hop in its own Linux network namespace as in a cluster: client → nginx (ingress) →
tokengate sidecar (deploy/kubernetes/base/tokengate.json) → the API on the pod's
127.0.0.1; and client → nginx → auth_request to the standalone tokengate
(deploy/kubernetes/forward-auth/tokengate.json) → a backend behind nginx. Valid tokens
reach the API with identity headers (client spoofs replaced); invalid ones are refused by
the right hop with the reason in that tokengate's log and never reach an API; the API is
unreachable from the ingress except through tokengate; tokengate exits 0 on SIGTERM.

usage: e2e_netns.py TOKENGATE REPO
Needs root and `ip netns` (exit 77 = skipped, with the reason, otherwise). The namespaces
(tgdeploy-PID-*) are removed on exit, and left-overs of killed runs at the next start.
"""
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import jwt

from netns import Netns, remove_leftovers, skip_reason, wait_until

SKIP = 77
NGINX = "/usr/sbin/nginx"
ISSUER, AUDIENCE = "https://auth.internal.example/", "orders-api"  # both shipped configs
# One /24 per link; the namespaces have no link to the host, so nothing leaves them.
CLIENT_NET, POD_NET, AUTH_NET = "10.253.1", "10.253.2", "10.253.3"
INGRESS_IP, POD_IP, AUTH_IP = f"{CLIENT_NET}.1", f"{POD_NET}.2", f"{AUTH_NET}.2"

failures = []


def check(ok, what, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f"\n     {detail}"))
    if not ok:
        failures.append(what)


def nginx_conf(work):
    """Both patterns as the Kubernetes examples set them up, told apart by Host."""
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log info;
events {{ worker_connections 64; }}
http {{
  access_log {work}/nginx-access.log;
  client_body_temp_path {work}/nginx-body;
  proxy_temp_path {work}/nginx-proxy;
  fastcgi_temp_path {work}/nginx-fastcgi;
  uwsgi_temp_path {work}/nginx-uwsgi;
  scgi_temp_path {work}/nginx-scgi;
  # Pattern 1 (ingress/sidecar/ingress.yaml): everything to the pod's tokengate port.
  server {{
    listen {INGRESS_IP}:80;
    server_name orders.test;
    location / {{ proxy_pass http://{POD_IP}:8080; }}
  }}
  # Pattern 2 (ingress/forward-auth/ingress-nginx.yaml): ask tokengate, then route to the
  # backend with the identity headers of its answer.
  server {{
    listen {INGRESS_IP}:80;
    server_name api.test;
    location = /_tokengate_auth {{
      internal;
      proxy_pass http://{AUTH_IP}:8080/auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
    }}
    location / {{
      auth_request /_tokengate_auth;
      auth_request_set $user $upstream_http_x_user_id;
      auth_request_set $provider $upstream_http_x_auth_provider;
      auth_request_set $auth_www $upstream_http_www_authenticate;
      add_header WWW-Authenticate $auth_www always;
      proxy_set_header X-User-Id $user;
      proxy_set_header X-Auth-Provider $provider;
      proxy_pass http://127.0.0.1:3001;
    }}
  }}
}}
"""


def token(secret, sub="user-1", scope="orders:read", lifetime=300, **extra):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "scope": scope, "iat": now, "exp": now + lifetime, **extra}
    return jwt.encode(claims, secret, algorithm="HS256")


def challenge(tok, reason):
    """tokengate's WWW-Authenticate (RFC 6750): no error member when no token was sent."""
    realm = 'Bearer realm="orders-api"'
    if tok is None:
        return realm
    error = "insufficient_scope" if reason == "insufficient_scope" else "invalid_token"
    return f'{realm}, error="{error}", error_description="{reason}"'


def fingerprint(tok):
    return hashlib.sha256(tok.encode()).hexdigest()[:12]


class Client:
    """curl from the client namespace through the ingress."""

    def __init__(self, net):
        self.net = net

    def request(self, host, path, tok=None, method="GET", headers=()):
        argv = ["curl", "-sS", "-i", "--max-time", "5", "-X", method, "-H", f"Host: {host}"]
        if tok:
            argv += ["-H", f"Authorization: Bearer {tok}"]
        for h in headers:
            argv += ["-H", h]
        r = self.net.exec("client", *argv, f"http://{INGRESS_IP}{path}")
        if r.returncode != 0:
            return 0, {}, r.stderr
        head, _, body = r.stdout.replace("\r\n", "\n").partition("\n\n")
        lines = head.split("\n")
        hdrs = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            hdrs[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), hdrs, body


def log_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def reject_line(path, request_id):
    return next((e for e in log_lines(path) if e.get("event") == "auth.reject" and e.get("request_id") == request_id), None)


def api_saw(path, request_id):
    return [e for e in log_lines(path) if e["headers"].get("X-Request-Id") == request_id]


def setup(net, tokengate, repo, secret):
    for role in ("client", "ingress", "pod", "auth"):
        net.add(role)
    net.link("ingress", INGRESS_IP, "client", f"{CLIENT_NET}.2")
    net.link("ingress", f"{POD_NET}.1", "pod", POD_IP)
    net.link("ingress", f"{AUTH_NET}.1", "auth", AUTH_IP)
    w = net.work
    for f in ("api.jsonl", "backend.jsonl"):
        open(os.path.join(w, f), "w").close()
    env = {"PATH": os.environ["PATH"], "TOKENGATE_HMAC_SECRET": secret}
    here = os.path.dirname(os.path.abspath(__file__))
    net.start("api", "pod", [sys.executable, f"{here}/echo_api.py", "127.0.0.1", "3000", f"{w}/api.jsonl"])
    net.start("backend", "ingress", [sys.executable, f"{here}/echo_api.py", "127.0.0.1", "3001", f"{w}/backend.jsonl"])
    net.start("sidecar", "pod", [tokengate, "serve", "--config", f"{repo}/deploy/kubernetes/base/tokengate.json"], env)
    net.start("authsvc", "auth", [tokengate, "serve", "--config", f"{repo}/deploy/kubernetes/forward-auth/tokengate.json"], env)
    with open(f"{w}/nginx.conf", "w") as f:
        f.write(nginx_conf(w))
    net.start("nginx", "ingress", [NGINX, "-p", w, "-e", f"{w}/nginx-error.log", "-c", f"{w}/nginx.conf"])

    def answers(role, url):
        return lambda: net.exec(role, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", url).stdout == "200"
    for name, role, url in (("the API", "pod", "http://127.0.0.1:3000/"), ("the backend", "ingress", "http://127.0.0.1:3001/"),
                            ("the sidecar's /readyz", "pod", "http://127.0.0.1:9901/readyz"),
                            ("the auth service's /readyz", "auth", "http://127.0.0.1:9901/readyz"),
                            ("nginx", "client", f"http://{INGRESS_IP}/healthz")):
        for p in net.procs.values():
            if p.poll() is not None:
                raise RuntimeError(f"{p.args[4:]} exited with {p.returncode} while waiting for {name}")
        wait_until(answers(role, url), name)
    for f in ("api.jsonl", "backend.jsonl"):  # readiness polls are not part of the test
        open(os.path.join(w, f), "w").close()


def sidecar_pattern(net, c, secret):
    w = net.work
    good = token(secret, sub="user-1")
    s, h, body = c.request("orders.test", "/orders/42", good, headers=["X-Request-Id: sc-good", "X-User-Id: admin"])
    seen = api_saw(f"{w}/api.jsonl", "sc-good")
    check(s == 200 and len(seen) == 1, "sidecar: a valid token reaches the API", f"status {s}: {body}")
    if seen:
        hdrs = seen[0]["headers"]
        check(hdrs.get("X-User-Id") == "user-1" and hdrs.get("X-Auth-Provider") == "internal",
              "sidecar: the API gets the verified identity, not the client's X-User-Id", json.dumps(hdrs))
        check("Authorization" not in hdrs, "sidecar: strip_authorization keeps the token from the API", json.dumps(hdrs))

    cases = [  # (request id, token, method, status, reason)
        ("sc-none", None, "GET", 401, "missing_token"),
        ("sc-expired", token(secret, lifetime=-120), "GET", 401, "expired"),
        ("sc-forged", token("another-secret-of-the-right-length-0123456789"), "GET", 401, "bad_signature"),
        ("sc-scope", token(secret, scope="orders:read"), "POST", 403, "insufficient_scope"),
    ]
    for rid, tok, method, want, reason in cases:
        s, h, body = c.request("orders.test", "/orders/42", tok, method=method, headers=[f"X-Request-Id: {rid}"])
        line = reject_line(f"{w}/sidecar.log", rid)
        check(s == want and h.get("www-authenticate") == challenge(tok, reason),
              f"sidecar: {reason} refused with {want} by tokengate", f"status {s}, headers {h}")
        check(line is not None and line["reason"] == reason and (tok is None or line.get("token_fp") == fingerprint(tok)),
              f"sidecar: the reject log line names {reason} and the token fingerprint", json.dumps(line))
        check(not api_saw(f"{w}/api.jsonl", rid), f"sidecar: the API never saw the {reason} request")
        if line is not None and tok is not None:
            check(tok not in json.dumps(line) and tok.split(".")[2] not in json.dumps(line),
                  f"sidecar: the {reason} log line contains neither the token nor its signature")

    s, _, _ = c.request("orders.test", "/healthz", headers=["X-Request-Id: sc-public"])
    check(s == 200 and len(api_saw(f"{w}/api.jsonl", "sc-public")) == 1, "sidecar: the public /healthz route needs no token")


def forward_auth_pattern(net, c, secret):
    w = net.work
    good = token(secret, sub="user-2")
    s, _, body = c.request("api.test", "/orders/7?x=1", good, headers=["X-Request-Id: fa-good", "X-User-Id: admin"])
    seen = api_saw(f"{w}/backend.jsonl", "fa-good")
    check(s == 200 and len(seen) == 1, "forward-auth: a valid token reaches the backend", f"status {s}: {body}")
    if seen:
        hdrs = seen[0]["headers"]
        check(hdrs.get("X-User-Id") == "user-2" and hdrs.get("X-Auth-Provider") == "internal" and seen[0]["path"] == "/orders/7?x=1",
              "forward-auth: the backend gets tokengate's identity headers, not the client's", json.dumps(seen[0]))

    cases = [
        ("fa-none", None, "GET", 401, "missing_token"),
        ("fa-forged", token("another-secret-of-the-right-length-0123456789"), "GET", 401, "bad_signature"),
        ("fa-scope", token(secret, scope="orders:read"), "DELETE", 403, "insufficient_scope"),
    ]
    for rid, tok, method, want, reason in cases:
        s, h, _ = c.request("api.test", "/orders/7", tok, method=method, headers=[f"X-Request-Id: {rid}"])
        line = reject_line(f"{w}/authsvc.log", rid)
        check(s == want and h.get("www-authenticate") == challenge(tok, reason),
              f"forward-auth: {reason} refused with {want} and tokengate's challenge", f"status {s}, headers {h}")
        check(line is not None and line["reason"] == reason and line.get("method") == method,
              f"forward-auth: the auth service logs {reason} for the original {method}", json.dumps(line))
        check(not api_saw(f"{w}/backend.jsonl", rid), f"forward-auth: the backend never saw the {reason} request")
    check(not any(e.get("request_id", "").startswith("fa-") for e in log_lines(f"{w}/sidecar.log")),
          "forward-auth: the sidecar tokengate was not involved")


def isolation(net):
    r = net.exec("ingress", "curl", "-sS", "--max-time", "2", f"http://{POD_IP}:3000/")
    check(r.returncode == 7, "isolation: the API port is closed from the ingress (loopback only)", f"curl exit {r.returncode}: {r.stderr}")
    r = net.exec("ingress", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", f"http://{POD_IP}:8080/healthz")
    check(r.stdout == "200", "isolation: from the ingress the pod answers on tokengate's port", f"{r.stdout} {r.stderr}")
    r = net.exec("client", "curl", "-sS", "--max-time", "2", f"http://{POD_IP}:8080/healthz")
    check(r.returncode != 0, "isolation: the client reaches the pod only through the ingress", f"curl exit {r.returncode}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tokengate, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not os.path.exists(NGINX):
        print(f"FAIL {NGINX} missing: install the Debian package nginx-light (scripts/install-deps.sh test)")
        return 1
    remove_leftovers()
    reason = skip_reason()
    if reason:
        print(f"SKIPPED: {reason}")
        return SKIP
    # A ctest timeout sends SIGTERM first: turn it into an exception so cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    work = tempfile.mkdtemp(prefix="tokengate-e2e-")
    net = Netns(work)
    started = time.monotonic()
    try:
        secret = secrets.token_urlsafe(48)
        setup(net, tokengate, repo, secret)
        c = Client(net)
        sidecar_pattern(net, c, secret)
        forward_auth_pattern(net, c, secret)
        isolation(net)
        for name in ("sidecar", "authsvc"):
            rc = net.stop(name)
            check(rc == 0, f"{name}: SIGTERM drains and exits 0", f"exit {rc}")
    except Exception as e:  # noqa: BLE001 - any setup error is a failure with its logs
        check(False, f"run aborted: {e}")
    finally:
        net.close()
        if failures:
            for f in sorted(os.listdir(work)):
                if f.endswith(".log"):
                    with open(os.path.join(work, f), encoding="utf-8", errors="replace") as log:
                        print(f"---- {f}\n{log.read()[-3000:]}")
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed, {time.monotonic() - started:.1f} s" if failures else
          f"OK: both patterns end to end in {time.monotonic() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
