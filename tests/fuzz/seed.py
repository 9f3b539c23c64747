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


def fcs16(data):
    """RFC 1662 frame check sequence."""
    fcs = 0xFFFF
    for b in data:
        fcs ^= b
        for _ in range(8):
            fcs = (fcs >> 1) ^ 0x8408 if fcs & 1 else fcs >> 1
    return fcs ^ 0xFFFF


def hdlc(proto, payload):
    """One PPP frame: address/control, protocol, payload, FCS; escaped with the default ACCM."""
    body = bytes([0xFF, 0x03]) + proto.to_bytes(2, "big") + payload
    fcs = fcs16(body)
    body += bytes([fcs & 0xFF, fcs >> 8])
    out = bytearray([0x7E])
    for b in body:
        if b < 0x20 or b in (0x7D, 0x7E):
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out + b"\x7e")


def ppp_seeds():
    def cp(code, ident, opts):
        return bytes([code, ident]) + (4 + len(opts)).to_bytes(2, "big") + opts
    lcp_req = cp(1, 1, bytes([1, 4, 0x05, 0xDC, 2, 6, 0, 0, 0, 0, 5, 6, 0x12, 0x34, 0x56, 0x78,
                             7, 2, 8, 2]))
    lcp_ack = cp(2, 1, bytes([2, 6, 0, 0, 0, 0, 5, 6, 0xAB, 0xCD, 0xEF, 0x01]))
    ipcp_req = cp(1, 1, bytes([3, 6, 0, 0, 0, 0, 0x81, 6, 0, 0, 0, 0, 0x83, 6, 0, 0, 0, 0]))
    pap = cp(1, 1, b"\x04user\x04pass")
    echo = cp(9, 2, bytes([0x12, 0x34, 0x56, 0x78]))
    term = cp(5, 3, b"")
    # An IPv4/UDP DNS query for web.test to 10.64.0.1 (checksums zero: the relay decides).
    dns = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03web\x04test\x00"
           b"\x00\x01\x00\x01")
    udp = (40000).to_bytes(2, "big") + (53).to_bytes(2, "big") + (8 + len(dns)).to_bytes(2, "big") \
        + b"\x00\x00" + dns
    ip = bytes([0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 10, 64, 0, 2, 10, 64, 0, 1]) + udp
    ip = ip[:2] + len(ip).to_bytes(2, "big") + ip[4:]
    return [
        [hdlc(0xC021, lcp_req)],
        [hdlc(0xC021, lcp_req), hdlc(0xC021, lcp_ack)],
        [hdlc(0xC021, lcp_req), hdlc(0xC021, lcp_ack), hdlc(0xC023, pap), hdlc(0x8021, ipcp_req)],
        [hdlc(0xC021, lcp_req), hdlc(0xC021, lcp_ack), hdlc(0x8021, ipcp_req), hdlc(0x0021, ip)],
        [hdlc(0xC021, echo), hdlc(0xC021, term)],
        [b"+++", hdlc(0xC021, lcp_req), b"\x7e\x7e\x7d\x7e"],
    ]


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

    # control: the JSON Lines requests of the control-socket tests, a few per seed.
    reqs = []
    for f in sorted((ROOT / "tests/sim").glob("test_*.c")):
        reqs += [b for b in literals(f) if b.startswith(b"{") and b.endswith(b"\n")]
    reqs = list(dict.fromkeys(reqs))
    write("control", [bytes([i % 2]) + SEP.join(g) for i, g in enumerate(chunks(reqs, 4))])

    # ppp: HDLC-framed LCP/IPCP/PAP/IP frames as a PPP client sends them after CONNECT.
    write("ppp", [bytes([i * 7 % 32]) + b"".join(fr) for i, fr in enumerate(ppp_seeds())])

    # profile: the bundled profiles and the loader tests' files, good and broken.
    files = sorted((ROOT / "profiles").glob("*.yaml")) + sorted((ROOT / "tests/sim/profiles").glob("*.yaml"))
    write("profile", [f.read_bytes() for f in files if f.stat().st_size <= 8192])


if __name__ == "__main__":
    main()
