#!/usr/bin/env python3
"""Send a signal to a job in the middle of its work (tests/faults.bats).

Usage: signal_job.py SIGNAL CMD...

Starts CMD in a session of its own, with SIGINT and SIGTERM at their
defaults (a shell started in the background would ignore SIGINT), waits
until sm-lattice runs in that session (every stage is then running), sends
SIGNAL to CMD, and waits for it (60 s at most).  Prints "exit N", the number
of bytes CMD wrote on stdout, CMD's stderr, and "left N": the processes of
the session still alive 10 s after CMD ended (0 as soon as they are gone).
"""
import os
import signal
import subprocess
import sys
import time

sig = getattr(signal, sys.argv[1])


def defaults():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


job = subprocess.Popen(sys.argv[2:], start_new_session=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       preexec_fn=defaults)


def session():
    ps = subprocess.run(["ps", "-o", "pid=,comm=", "-s", str(job.pid)],
                        capture_output=True, text=True).stdout
    return [line.split() for line in ps.splitlines() if line.strip()]


for _ in range(1200):
    if any(p[1] == "sm-lattice" for p in session()):
        break
    if job.poll() is not None:
        sys.exit("the job ended before sm-lattice started")
    time.sleep(0.05)
else:
    job.kill()
    sys.exit("sm-lattice never started")
os.kill(job.pid, sig)
out, err = job.communicate(timeout=60)
print("exit", job.returncode)
print("stdout", len(out))
sys.stdout.write(err.decode())
for _ in range(200):
    left = session()
    if not left:
        break
    time.sleep(0.05)
print("left", len(left), " ".join(p[1] for p in left))
