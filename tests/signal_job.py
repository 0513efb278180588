#!/usr/bin/env python3
"""Send a signal to a job in the middle of its work (tests/faults.bats).

Usage: signal_job.py SIGNAL CMD...

Starts CMD in a session of its own, with SIGINT and SIGTERM at their
defaults (a shell started in the background would ignore SIGINT), waits
until sm-lattice runs as its child (every stage is then running), sends
SIGNAL to CMD, and waits for it (60 s at most).  Prints "exit N", the number
of bytes CMD wrote on stdout, CMD's stderr, and "left N": the processes of
the session, and the children CMD had when signalled (the stages run in
sessions of their own), still alive 10 s after CMD ended (0 as soon as
they are gone).
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


def ps(*select):
    out = subprocess.run(["ps", "-o", "pid=,stat=,comm=", *select],
                         capture_output=True, text=True).stdout
    # Zombies have ended; their new parent may not have reaped them yet.
    return [(p[0], p[2]) for p in (line.split() for line in out.splitlines())
            if len(p) == 3 and not p[1].startswith("Z")]


def children():
    return ps("--ppid", str(job.pid))


for _ in range(1200):
    if any(p[1] == "sm-lattice" for p in children()):
        break
    if job.poll() is not None:
        sys.exit("the job ended before sm-lattice started")
    time.sleep(0.05)
else:
    job.kill()
    sys.exit("sm-lattice never started")
kids = ",".join(p[0] for p in children())
os.kill(job.pid, sig)
out, err = job.communicate(timeout=60)
print("exit", job.returncode)
print("stdout", len(out))
sys.stdout.write(err.decode())


def session():
    return sorted(set(ps("-s", str(job.pid)) + (ps("-p", kids) if kids else [])))


for _ in range(200):
    left = session()
    if not left:
        break
    time.sleep(0.05)
print("left", len(left), " ".join(p[1] for p in left))
