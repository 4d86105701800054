#!/usr/bin/python3
"""The stand-in API of the end-to-end test: answers every request with a JSON object of
its method, path and headers, and appends that object to a log file, so the test can
tell which requests reached the API and which never did.

usage: echo_api.py ADDRESS PORT LOGFILE
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        seen = {"method": self.command, "path": self.path, "headers": dict(self.headers.items())}
        with open(self.server.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(seen) + "\n")
        body = (json.dumps(seen) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, *args):
        pass  # the JSON log above is the record; stderr stays for real errors


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    address, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = ThreadingHTTPServer((address, port), Echo)
    server.log_path = log_path
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
