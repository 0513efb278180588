#!/usr/bin/env python3
"""A misbehaving HTTP server for tests/faults.bats (standard library only).

Usage: fault_server.py PORTFILE [LIFETIME]

Listens on 127.0.0.1, writes its port to PORTFILE, and exits by itself after
LIFETIME seconds (default 120).  It reads a request line and headers, then
by path:

  /silent    says nothing and keeps the connection open
  /reset     closes the connection with a TCP reset, no response
  /garbage   answers bytes that are not HTTP, then closes
  /headers   sends a status line and half a header, then stalls
"""
import os
import socket
import struct
import sys
import threading
import time


def handle(conn):
    try:
        f = conn.makefile("rb")
        line = f.readline().decode("latin-1")
        while f.readline() not in (b"\r\n", b"\n", b""):
            pass
        path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
        if path == "/silent":
            time.sleep(LIFETIME)
        elif path == "/reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif path == "/garbage":
            conn.sendall(b"\x00\x01SMST this is not HTTP\r\n\r\n" * 10)
        elif path == "/headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
            time.sleep(LIFETIME)
        else:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    finally:
        conn.close()


LIFETIME = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write("%d\n" % srv.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])


def serve():
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


threading.Thread(target=serve, daemon=True).start()
time.sleep(LIFETIME)
os._exit(0)
