#!/usr/bin/python3
"""A fixed number of GET requests on one keep-alive connection, one at a time; for
bench/profile.sh, where a count (not a duration) makes instruction counts comparable.

    keepalive_client.py PORT COUNT TOKEN_FILE [FIRST]

Uses the token on line FIRST+1 of TOKEN_FILE for every request, or with FIRST = "cycle"
(or "cycle:N", starting after line N) the next line for each request. Exits non-zero unless every answer is a 200 (or, for
invalid tokens, TG_EXPECT_STATUS).
"""
import os
import socket
import sys


def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("connection closed by the server")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit("connection closed mid-body")
        rest += chunk
    return int(head.split(b" ", 2)[1]), rest[length:]


def main():
    port, count, token_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    first = sys.argv[4] if len(sys.argv) > 4 else "0"
    want = int(os.environ.get("TG_EXPECT_STATUS", "200"))
    tokens = open(token_file).read().split()
    cycle = first.startswith("cycle")
    if not cycle:
        tokens = [tokens[int(first)]]
    else:
        tokens = tokens[int(first.partition(":")[2] or 0):]
    if cycle and len(tokens) < count:
        sys.exit(f"{token_file} has {len(tokens)} tokens, {count} needed")
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    for i in range(count):
        token = tokens[i if cycle else 0]
        sock.sendall(f"GET / HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        status, buf = read_response(sock, buf)
        if status != want:
            sys.exit(f"request {i}: status {status}, expected {want}")
    sock.close()


if __name__ == "__main__":
    main()
