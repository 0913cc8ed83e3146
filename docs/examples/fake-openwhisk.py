#!/usr/bin/env python3
"""A stand-in for OpenWhisk's trigger API, to watch whiskfeed fire without an OpenWhisk.

    python3 docs/examples/fake-openwhisk.py [port]      (default 3233, OpenWhisk standalone's)

It prints one line per fire (path, event ids, body) and answers 202 with an activation id, as
OpenWhisk does. It also answers the provider's authKey check (GET of a trigger) with 200, so every
key passes: it is for trying whiskfeed out, nothing else. Python 3 standard library only.
"""
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer


class FakeOpenWhisk(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        print(self.path, self.headers.get("X-Whiskfeed-Event-Id"), body, flush=True)
        self.answer(202, {"activationId": uuid.uuid4().hex})

    def do_GET(self):
        self.answer(200, {"name": self.path.rsplit("/", 1)[-1]})

    def answer(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass  # only the fires are printed


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 3233
    server = HTTPServer(("127.0.0.1", port), FakeOpenWhisk)
    print(f"fake OpenWhisk listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()
