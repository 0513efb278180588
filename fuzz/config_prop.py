#!/usr/bin/env python3
"""Property test of sm-transcribe's job-config validation.

Usage: config_prop.py N [SEED]

Generates N job configs from SEED (default 1) and runs sm-transcribe on each
with empty audio on stdin and the acoustic stages replaced by `cat`, so a
config that passes validation ends quickly at sm-decode ("empty input").
Three kinds of config, and what must hold for each:

  valid     a random valid config: not refused as a config (exit 65 from
            sm-decode's empty input), nothing on stdout;
  mutated   a valid config with one known fault at one key (a wrong type,
            a value out of range or not allowed, an unknown or a missing
            key): exit 78 and one stderr line naming exactly that key;
  junk      bytes that are not one JSON object (truncated JSON, two values,
            deep nesting, invalid UTF-8, ...): exit 78 and one line.

Never a crash, a hang (30 s per job) or output on stdout.  Prints one line
per failure and a summary; exits 1 on any failure.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

N = int(sys.argv[1])
R = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)

TC = "transcription_config"
# Optional fields of transcription_config: a generator of valid values and
# faults (key suffix or "", bad value) for each.
FIELDS = {
    "model": (lambda: R.choice(["standard", "enhanced"]),
              lambda: R.choice([("", "turbo"), ("", 3), ("", None), ("", ["standard"])])),
    "operating_point": (lambda: R.choice(["standard", "enhanced"]),
                        lambda: R.choice([("", "fast"), ("", True), ("", {})])),
    "output_locale": (lambda: R.choice(["en-US", "en-GB"]),
                      lambda: ("", R.choice([1, None, ["en-GB"]]))),
    "diarization": (lambda: R.choice(["none", "speaker", "channel"]),
                    lambda: ("", R.choice(["both", "", 0, None]))),
    "enable_entities": (lambda: R.choice([True, False]),
                        lambda: ("", R.choice(["true", 1, None]))),
    "channel_diarization_labels": (
        lambda: R.sample(["agent", "caller", "left.1", "x_y"], R.randint(0, 3)),
        lambda: R.choice([("", "agent"), ("[0]", "bad label"), ("[0]", 7)])),
    "speaker_diarization_config": (
        lambda: {"speaker_sensitivity": R.choice([0, 0.5, 1])},
        lambda: R.choice([(".speaker_sensitivity", 1.5), (".speaker_sensitivity", "high"),
                          (".prefer_current_speaker", "yes"), ("", [])])),
    "additional_vocab": (
        lambda: [R.choice(["gnocchi", {"content": "CEO", "sounds_like": ["C.E.O."]}])
                 for _ in range(R.randint(0, 3))],
        lambda: R.choice([("[0]", 5), ("[0].content", 5), ("[0].content", None),
                          ("[0].sounds_like[0]", 1), ("", "gnocchi")])),
    "punctuation_overrides": (
        lambda: {"permitted_marks": R.choice(["all", [".", ","], []]), "sensitivity": 0.4},
        lambda: R.choice([(".sensitivity", -0.1), (".sensitivity", "0.5"),
                          (".permitted_marks[0]", ".."), ("", "all")])),
    "transcript_filtering_config": (
        lambda: {"remove_disfluencies": R.choice([True, False])},
        lambda: R.choice([(".remove_disfluencies", "yes"), (".replacements[0].from", 3),
                          ("", 1)])),
    "audio_filtering_config": (
        lambda: {"volume_threshold": R.choice([0, 3.4, 100])},
        lambda: R.choice([(".volume_threshold", 101), (".volume_threshold", "3"), ("", [])])),
}


def valid():
    tc = {"language": "en"}
    for k in R.sample(sorted(FIELDS), R.randint(0, len(FIELDS))):
        tc[k] = FIELDS[k][0]()
    cfg = {"type": "transcription", TC: tc}
    if R.random() < 0.3:
        cfg["output_config"] = {"srt_overrides": {"max_line_length": R.randint(1, 1000),
                                                  "max_lines": R.randint(1, 100)}}
    if R.random() < 0.2:
        cfg["tracking"] = {"title": "t", "details": {"a": [1, 2]}}
    if R.random() < 0.2:
        cfg["notification_config"] = [{"url": "http://127.0.0.1:1/"}]
    return cfg


def put(obj, path, value):
    """Set obj at a path like '.a[0].b' (lists and dicts created)."""
    import re
    parts = re.findall(r"\.([A-Za-z_]+)|\[(\d+)\]", path)
    for i, (key, idx) in enumerate(parts):
        last = i == len(parts) - 1
        nxt = parts[i + 1] if not last else None
        empty = [] if nxt and nxt[1] else {}
        if key:
            if last:
                obj[key] = value
            else:
                if not isinstance(obj.get(key), (dict, list)) or \
                        isinstance(obj.get(key), list) != isinstance(empty, list):
                    obj[key] = empty
                obj = obj[key]
        else:
            n = int(idx)
            while len(obj) <= n:
                obj.append({} if isinstance(empty, dict) else [])
            if last:
                obj[n] = value
            else:
                if not isinstance(obj[n], (dict, list)) or isinstance(obj[n], list) != isinstance(empty, list):
                    obj[n] = empty
                obj = obj[n]


def mutated():
    cfg = valid()
    kind = R.randrange(6)
    if kind == 0:
        k = R.choice(sorted(FIELDS))
        suffix, bad = FIELDS[k][1]()
        # Valid siblings, so that the fault is the only problem.
        if k == "additional_vocab":
            cfg[TC][k] = [{"content": "CEO", "sounds_like": ["see"]}]
        elif k == "transcript_filtering_config":
            cfg[TC][k] = {"replacements": [{"from": "a", "to": "b"}]}
        put(cfg, "." + TC + "." + k + suffix, bad)
        return cfg, TC + "." + k + suffix
    if kind == 1:
        where = R.choice(["", "." + TC, ".output_config", ".output_config.srt_overrides"])
        put(cfg, where + ".surprise_key", 1) if where else cfg.__setitem__("surprise_key", 1)
        return cfg, (where[1:] if where else "config")
    if kind == 2:
        k = R.choice(["type", TC])
        del cfg[k]
        return cfg, k
    if kind == 3:
        del cfg[TC]["language"]
        return cfg, TC + ".language"
    if kind == 4:
        k = R.choice(["max_line_length", "max_lines"])
        put(cfg, ".output_config.srt_overrides." + k, R.choice([0, -1, 1.5, 100000, "2"]))
        return cfg, "output_config.srt_overrides." + k
    cfg["fetch_data"] = R.choice([{"url": "ftp://example.com/a.wav"}, {"url": 7}, {},
                                 {"url": "file:///x.wav", "auth_headers": ["no colon"]}])
    return cfg, "fetch_data." + ("auth_headers[0]" if "auth_headers" in cfg["fetch_data"] else "url")


def junk():
    text = json.dumps(valid())
    return R.choice([
        lambda: text[:R.randrange(len(text))].encode(),
        lambda: (text + text).encode(),
        lambda: b"",
        lambda: b"[" * 5000 + b"]" * 5000,
        lambda: ('{"type": "transcription", "%s": {"language": "\xff\xfe"}}' % TC).encode("latin-1"),
        lambda: bytes(R.randrange(256) for _ in range(R.randrange(1, 200))),
        lambda: b'{"a": 1e99999}',
        lambda: json.dumps([valid()]).encode(),
        lambda: b"null",
        lambda: ('{"type": "transcription", "%s": {"language": "en\\u0000x"}}' % TC).encode(),
    ])()


def tree(top):
    """The processes under pid TOP (its stages lead sessions of their own):
    pid, parent, state, what the kernel waits in, and the command line."""
    parent = {}
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError, IndexError):
            pass
    lines, todo = [], [top]
    while todo:
        pid = todo.pop()
        todo += sorted((k for k, v in parent.items() if v == pid), reverse=True)
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open("/proc/%d/wchan" % pid) as f:
                wchan = f.read() or "-"
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmd = " ".join(f.read().decode(errors="replace").replace("\0", " ").split())[:100]
        except OSError:
            continue
        lines.append("%d %d %s %s %s" % (pid, parent.get(pid, 0), state, wchan, cmd))
    return lines


env = dict(os.environ)
for s in ("AM", "LATTICE"):
    env["SM_STAGE_" + s] = "cat > /dev/null; exit 0;"
fails = 0
counts = {"valid": 0, "mutated": 0, "junk": 0}
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "config.json")
    for i in range(N):
        kind = ("valid", "mutated", "junk")[i % 3]
        counts[kind] += 1
        key = None
        if kind == "valid":
            data = json.dumps(valid()).encode()
        elif kind == "mutated":
            cfg, key = mutated()
            data = json.dumps(cfg).encode()
        else:
            data = junk()
        with open(path, "wb") as f:
            f.write(data)
        job = subprocess.Popen(["sm-transcribe", "--job-config", path], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            out, errb = job.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            print("HANG %s: %r" % (kind, data[:200]))
            # What each process of the job waits in, for a hang that
            # does not come back when the test is run again.
            for line in tree(job.pid):
                print("  " + line)
            job.kill()
            job.communicate()
            fails += 1
            continue
        p = subprocess.CompletedProcess(job.args, job.returncode, out, errb)
        err = p.stderr.decode(errors="replace").splitlines()
        why = None
        if p.stdout:
            why = "output on stdout"
        elif kind == "valid":
            if p.returncode != 65 or not err or err[-1] != "sm-decode: <stdin>: empty input":
                why = "expected sm-decode's empty input (65)"
        else:
            want = "sm-transcribe: %s: " % path
            if p.returncode != 78 or len(err) != 1 or not err[0].startswith(want):
                why = "expected exit 78 and one line"
            elif key is not None and not err[0][len(want):].startswith(key + ":"):
                why = "expected the message to name %s" % key
        if why:
            fails += 1
            print("FAIL %s (%s): exit %d, stderr %r, config %r"
                  % (kind, why, p.returncode, err[:3], data[:300]))
print("%d configs (%d valid, %d with one fault, %d junk), %d failures"
      % (N, counts["valid"], counts["mutated"], counts["junk"], fails))
sys.exit(1 if fails else 0)
