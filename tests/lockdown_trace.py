#!/usr/bin/env python3
"""Check strace -ff logs of a job: nothing opened for writing outside TMPDIR
and no regular file created anywhere (tests/lockdown.bats).

Usage: lockdown_trace.py TMPDIR LOG_PREFIX [OUTPUT...]
OUTPUT: files the user asked for (--all-formats), which may be created, and
written first under a temporary name beside them (".sm-EXT.XXXXXX") then
renamed.
The logs are strace -ff -qq -y -e status=successful -e trace=%file,creat
output, one file per process (LOG_PREFIX.PID); -y shows the directory of
a dirfd, so that paths relative to it (rm -r uses them) are resolved.  Prints one line per violation and
exits 1 if there is any; prints a summary line on success.
"""
import glob
import os
import re
import sys

TMP = sys.argv[1].rstrip("/") + "/"
DEVICES = ("/dev/null", "/dev/tty")
OUTPUTS = set(sys.argv[3:])
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC")
CALL = re.compile(r'^(\w+)\((.*)\)\s+=\s+(-?\d+)')
# A path argument, with the directory descriptor before it if there is one.
PATH_ARG = re.compile(r'(?:(?:AT_FDCWD|\d+)<([^>]*)>,\s*)?"((?:[^"\\]|\\.)*)"')
# Calls that change the file system at their path arguments.
CHANGING = {"creat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
            "symlinkat", "unlink", "unlinkat", "truncate", "chmod", "fchmodat", "chown",
            "lchown", "fchownat", "mkdir", "mkdirat", "mknod", "mknodat", "rmdir", "utimensat"}


def output(path):
    """One of the OUTPUT files, or a temporary name of its extension in the
    same directory."""
    d, b = os.path.split(path)
    return path in OUTPUTS or any(
        d == os.path.dirname(o) and re.fullmatch(
            r"\.sm-" + re.escape(os.path.splitext(o)[1][1:]) + r"\.[A-Za-z0-9]{6}", b)
        for o in OUTPUTS)


def allowed(path):
    return (path.startswith(TMP) or path in DEVICES or path.startswith("/dev/pts/")
            or path.startswith("/proc/self/fd/"))


def paths_of(args):
    out = []
    for base, path in PATH_ARG.findall(args):
        if not path.startswith("/") and base:
            path = base.rstrip("/") + "/" + path
        out.append(path)
    return out


def main():
    calls = []
    for log in sorted(glob.glob(sys.argv[2] + ".*")):
        for line in open(log, encoding="utf-8", errors="replace"):
            m = CALL.match(line)
            if m:
                calls.append((m.group(1), m.group(2), line.strip()))
    # FIFOs, from any process: the mkfifo may run after its readers are traced.
    fifos = set()
    for name, args, _ in calls:
        if name in ("mknod", "mknodat") and "S_IFIFO" in args:
            fifos.update(paths_of(args))
    bad = []
    dirs = set()
    for name, args, line in calls:
        paths = paths_of(args)
        if name in ("open", "openat", "openat2"):
            if not any(f in args for f in WRITE_FLAGS) or not paths:
                continue
            path = paths[0]
            if output(path):
                continue
            if not path.startswith("/"):
                bad.append("relative path opened for writing: " + line)
            elif not allowed(path):
                bad.append("opened for writing outside TMPDIR: " + line)
            elif path.startswith(TMP) and "O_CREAT" in args and path not in fifos:
                bad.append("regular file created: " + line)
        elif name in CHANGING:
            for path in paths:
                if output(path):
                    continue
                if not path.startswith("/"):
                    bad.append("relative path changed: " + line)
                elif not allowed(path):
                    bad.append("changed outside TMPDIR: " + line)
            if name in ("mknod", "mknodat") and "S_IFIFO" not in args:
                bad.append("not a FIFO: " + line)
            elif name in ("mkdir", "mkdirat"):
                dirs.update(paths)
            elif name == "creat":
                bad.append("regular file created: " + line)
    for b in bad:
        print(b)
    if not calls:
        print("no system calls traced")
        return 1
    if not bad:
        print("%d calls, %d directories, %d FIFOs, no other writes" % (len(calls), len(dirs), len(fifos)))
    return 1 if bad else 0


sys.exit(main())
