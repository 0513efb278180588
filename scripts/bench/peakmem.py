#!/usr/bin/env python3
"""peakmem.py OUT CMD [ARG...]: run CMD (its stdin and stdout passed through)
and write "WALL_S CPU_S PEAK_PSS_KB PEAK_RSS_KB" to OUT.

Every 50 ms the Pss and Rss of CMD and of all its descendants are read from
/proc/PID/smaps_rollup and summed; the peaks of the sums are written.  Pss
(proportional set size) counts a page shared by k processes as 1/k in each,
so the peak Pss is the memory the whole process tree takes, with the
mapped language-pack images that several stages share counted once; the
Rss sum counts them once per process.  CPU is user + system of every
descendant that was waited for (RUSAGE_CHILDREN)."""
import os
import resource
import subprocess
import sys
import time


def tree(root):
    """root and its descendants, from the ppid field of /proc/PID/stat."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        ppid = int(s[s.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def mem(pids):
    pss = rss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.Popen(cmd)
    peak_pss = peak_rss = 0
    while p.poll() is None:
        pss, rss = mem(tree(p.pid))
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.05)
    wall = time.monotonic() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    with open(out, "w") as f:
        f.write(f"{wall:.2f} {cpu:.2f} {peak_pss} {peak_rss}\n")
    sys.exit(p.returncode)


main()
