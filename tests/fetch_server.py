#!/usr/bin/env python3
"""A small HTTP/1.1 server for tests/sm-fetch.bats (standard library only).

Usage: fetch_server.py DIR PORTFILE [LIFETIME [CERT KEY]]

Listens on 127.0.0.1 and 127.0.0.2 (the "other host"), each on a free port,
writes "PORT1 PORT2" to PORTFILE once both listen, and exits by itself after
LIFETIME seconds (default 120) so that it can never outlive a test run.
With CERT and KEY (PEM), it also serves https on 127.0.0.1 with that
certificate, and PORTFILE says "PORT1 PORT2 PORT3".

  /files/NAME         NAME from DIR, with Content-Length (sendfile)
  /private/NAME       the same, 401 unless "Authorization: Bearer s3cret"
  /chunked/NAME       NAME from DIR with chunked transfer encoding
  /status/CODE        answer CODE with a short text body
  /redirect/CODE?to=U answer CODE with "Location: U"
  /loop               redirect to itself forever
  /stall              headers with Content-Length 1000, then nothing
  /short/NAME         Content-Length of NAME + 1000, send NAME, close
  /drop/NAME          chunked, half of NAME, then close without the last chunk
  /trickle            Content-Length 1000000, then 1 byte every 0.2 s
  /slow/NAME?bps=N    NAME from DIR with Content-Length, N bytes a second
  /log                every request so far: "HOST:PORT PATH AUTH" per line
  /log/clear          forget the requests so far (not logged itself)
"""
import http.server
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

ROOT = sys.argv[1]
LOG = []
LOG_LOCK = threading.Lock()
TOKEN = "Bearer s3cret"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def text(self, code, body, extra=()):
        data = body.encode()
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def local(self, name):
        path = os.path.join(ROOT, urllib.parse.unquote(name))
        if "/.." in "/" + name or not os.path.isfile(path):
            self.text(404, "no such file\n")
            return None
        return path

    def send_file(self, path, length=None):
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size if length is None else length))
        self.end_headers()
        with open(path, "rb") as f:
            self.connection.sendfile(f)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = url.path.split("/", 2) + [""]
        kind, rest = parts[1], parts[2]
        host, port = self.server.server_address[:2]
        auth = self.headers.get("Authorization", "-")
        if url.path == "/log/clear":
            with LOG_LOCK:
                LOG.clear()
            self.text(200, "cleared\n")
            return
        with LOG_LOCK:
            LOG.append("%s:%d %s %s" % (host, port, self.path, auth.replace(" ", "_")))
        if kind == "log":
            with LOG_LOCK:
                self.text(200, "".join(line + "\n" for line in LOG))
        elif kind == "files" or kind == "private":
            if kind == "private" and auth != TOKEN:
                self.text(401, "unauthorized: this body must not reach stdout\n",
                          [("WWW-Authenticate", "Bearer")])
                return
            path = self.local(rest)
            if path:
                self.send_file(path)
        elif kind == "chunked":
            path = self.local(rest)
            if path:
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                with open(path, "rb") as f:
                    while True:
                        data = f.read(7000)
                        if not data:
                            break
                        self.chunk(data)
                self.wfile.write(b"0\r\n\r\n")
        elif kind == "status":
            self.text(int(rest), "error body %s: must not reach stdout\n" % rest)
        elif kind == "redirect":
            self.text(int(rest), "moved\n", [("Location", query["to"][0])])
        elif kind == "loop":
            self.text(302, "again\n", [("Location", "/loop")])
        elif kind == "stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            time.sleep(60)
            self.close_connection = True
        elif kind == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            self.close_connection = True
        elif kind == "slow":
            path = self.local(rest)
            if path:
                bps = int(query["bps"][0])
                with open(path, "rb") as f:
                    data = f.read()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # tenths of a second: even 4 bytes/s arrive as a trickle,
                # not a burst then a pause the stall check would see
                step = max(1, bps // 10)
                try:
                    for i in range(0, len(data), step):
                        self.wfile.write(data[i:i + step])
                        self.wfile.flush()
                        time.sleep(step / bps)
                except OSError:
                    pass
                self.close_connection = True
        elif kind == "short":
            path = self.local(rest)
            if path:
                self.send_file(path, os.path.getsize(path) + 1000)
                self.close_connection = True
        elif kind == "drop":
            path = self.local(rest)
            if path:
                with open(path, "rb") as f:
                    data = f.read()
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.chunk(data[: len(data) // 2])
                self.close_connection = True
        else:
            self.text(404, "unknown path\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early is what some tests do


def main():
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    servers = [Server((h, 0), Handler) for h in ("127.0.0.1", "127.0.0.2")]
    if len(sys.argv) > 5:
        tls = Server(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        servers.append(tls)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(str(s.server_address[1]) for s in servers) + "\n")
    os.rename(tmp, sys.argv[2])
    time.sleep(lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()
