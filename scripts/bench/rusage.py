#!/usr/bin/env python3
"""Run a command and report what GNU time reports, to the microsecond.

    rusage.py [-a] -o FILE -f FORMAT COMMAND [ARG...]

FORMAT takes %e (wall seconds), %U and %S (user and system CPU seconds of the
command and every descendant it waited for), as /usr/bin/time's -f does; -a
appends to FILE.  No %M: the peak resident set of the children would be this
interpreter's, which the child has until it runs the command.  GNU
time prints %U and %S cut down to hundredths of a second: over hundreds of
jobs of a few tenths of a second each, that is a bias of several per cent
against the job.  The command keeps this process's standard input, output
and error; its exit status is this one's.
"""
import resource
import subprocess
import sys
import time


def main(argv):
    out, fmt, mode = None, None, "w"
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "-a":
            mode = "a"
        elif argv[i] == "-o" and i + 1 < len(argv):
            i += 1
            out = argv[i]
        elif argv[i] == "-f" and i + 1 < len(argv):
            i += 1
            fmt = argv[i]
        else:
            break
        i += 1
    cmd = argv[i:]
    if out is None or fmt is None or not cmd:
        sys.stderr.write("usage: rusage.py [-a] -o FILE -f FORMAT COMMAND [ARG...]\n")
        return 64
    # The children's times so far are not the command's: those of whatever
    # ran before this interpreter in this process (a launcher script's
    # own commands, say) are counted there too.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        status = subprocess.call(cmd)
    except OSError as e:
        sys.stderr.write("rusage.py: %s: %s\n" % (cmd[0], e.strerror))
        return 127
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    fields = {"e": "%.6f" % wall, "U": "%.6f" % (ru.ru_utime - before.ru_utime),
              "S": "%.6f" % (ru.ru_stime - before.ru_stime), "%": "%"}
    line, k = [], 0
    while k < len(fmt):
        if fmt[k] == "%" and k + 1 < len(fmt) and fmt[k + 1] in fields:
            line.append(fields[fmt[k + 1]])
            k += 2
        else:
            line.append(fmt[k])
            k += 1
    with open(out, mode) as f:
        f.write("".join(line) + "\n")
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
