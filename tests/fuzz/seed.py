#!/usr/bin/env python3
# tests/fuzz/seed.py - regenerate the seed corpora in tests/fuzz/corpus/ from the unit tests.
"""Seeds are what the tests already send and answer, so fuzzing starts from real traffic:
host lines from tests/sim/*.c, module replies from tests/driver/*.c, profiles from profiles/
and tests/sim/profiles/. Run from anywhere; it rewrites tests/fuzz/corpus/<target>/seed-*."""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fuzz/corpus"
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
SEP = b"\xfe"


def unescape(s):
    """C string literal body -> bytes (the escapes the tests use)."""
    out, i = bytearray(), 0
    simple = {"r": 13, "n": 10, "t": 9, "\\": 92, '"': 34, "'": 39, "a": 7, "b": 8, "0": 0,
              "e": 27}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("latin-1", "replace")
            i += 1
            continue
        n = s[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", s[i + 2:])
            out.append(int(m.group(0), 16))
            i += 2 + len(m.group(0))
        elif n in "01234567" and re.match(r"[0-7]{2,3}", s[i + 1:]):
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out.append(simple.get(n, ord(n)))
            i += 2
    return bytes(out)


def literals(path):
    return [unescape(m.group(1)) for m in LIT.finditer(path.read_text(errors="replace"))]


def write(target, seeds):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("seed-*"):
        old.unlink()
    for s in seeds:
        (d / ("seed-" + hashlib.sha1(s).hexdigest()[:16])).write_bytes(s)
    print(f"{target}: {len(set(seeds))} seeds")


def chunks(items, k):
    return [items[i:i + k] for i in range(0, len(items), k)]


def main():
    # Host input: literals that are AT command lines.
    host = []
    for f in sorted((ROOT / "tests/sim").glob("test_*.c")):
        host += [b for b in literals(f) if re.match(rb"(?i)^(at|a/|\+\+\+)", b) and len(b) < 600]
    host = list(dict.fromkeys(host))
    groups = chunks(host, 8)
    # at_parse: config byte (limit 557ish, strict case, varied fragment) + lines.
    write("at_parse", [bytes([0x22 + 0x20 * (i % 4)]) + b"".join(g) for i, g in enumerate(groups)])
    # at_engine: profile/limit byte, flags byte, then one segment per line.
    write("at_engine", [bytes([i % 8 + 0x20 * (i % 8), i % 16]) + SEP.join(g)
                        for i, g in enumerate(groups)])

    # Module replies: the reply side of mock_port_expect and everything pushed.
    replies = []
    for f in sorted((ROOT / "tests/driver").glob("test_*.c")):
        text = f.read_text(errors="replace")
        for m in re.finditer(r"mock_port_(expect\w*|push\w*)\s*\(([^;]*)\)\s*;", text, re.S):
            lits = [unescape(x.group(1)) for x in LIT.finditer(m.group(2))]
            if lits:
                replies.append(lits[-1])
    replies = [r for r in dict.fromkeys(replies) if r]
    write("drv_response", [bytes([i % 16, i % 8, 0, 1, 2, 3]) + SEP.join(g)
                           for i, g in enumerate(chunks(replies, 6))])

    # at_tok: parameter lists after "+XXX: " in replies, and after '=' in host lines.
    params = set()
    for r in replies + host:
        for line in re.split(rb"[\r\n]+", r):
            m = re.match(rb"^\+[A-Z]+: ?(.*)$", line) or re.match(rb"(?i)^at\+[A-Z]+=(.*)$", line)
            if m and m.group(1):
                params.add(m.group(1))
    ops = bytes([7, 0, 2, 3, 4, 5, 6, 1, 0x83])
    write("at_tok", [ops + p for p in sorted(params)])

    # profile: the bundled profiles and the loader tests' files, good and broken.
    files = sorted((ROOT / "profiles").glob("*.yaml")) + sorted((ROOT / "tests/sim/profiles").glob("*.yaml"))
    write("profile", [f.read_bytes() for f in files if f.stat().st_size <= 8192])


if __name__ == "__main__":
    main()
