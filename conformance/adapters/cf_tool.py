"""cf_tool.py - shared plumbing for the adapters that run third-party AT software (ADAPTERS.md).

Each such adapter runs a Debian tool (gammu, gsmctl, comgt, chat) on a pty of its own that this
module relays to the module's device byte for byte, so that the adapter sees every exchange and
can say, when the tool fails, which side deviated: the module (a command the SIM800 manual
lists answered ERROR, or an answer of the wrong shape) or the tool (answers as the facts file
describes and the tool still failed).
"""
import json
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
import tty

# Commands the SIM800 manual (MAN V1.09, chapters 2-6) lists; a plain ERROR to one of them in
# the form a tool used is a module-side deviation, not a tool bug. +CME/+CMS errors carry a
# meaning (no SIM, no network) and are not counted here.
SIM800_COMMANDS = {
    "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+CIMI", "+CSCS", "+CMEE", "+CFUN", "+CPIN", "+CSQ",
    "+CREG", "+CGREG", "+COPS", "+CGATT", "+CBC", "+CMGF", "+CMGS", "+CMGR", "+CMGL", "+CMGD",
    "+CSMS", "+CPMS", "+CNMI", "+CSCA", "+CSMP", "+CSDH", "+CGDCONT", "+CPAS", "+CCLK",
}


def request():
    """(options, request) from argv (--device PATH --baud N) and stdin."""
    argv = sys.argv[1:]
    opts = dict(zip(argv[::2], argv[1::2]))
    return opts, json.loads(sys.stdin.read() or "{}")


def emit(outcome):
    print(json.dumps(outcome))
    sys.stdout.flush()


def unsupported(tool, action, why=""):
    emit({"ok": False, "error": {"code": "UNSUPPORTED_ACTION",
                                 "text": f"{tool} has no way to do {action!r}{why}"}})


class Relay:
    """A pty for the tool, relayed to the device; keeps both directions in order."""

    def __init__(self, device):
        self.dev = os.open(device, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.dev)
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)  # no echo from our side of the line discipline
        self.path = os.ttyname(self.slave)
        self.log = []           # [("host"|"module", bytes)]
        self.stop = False
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        while not self.stop:
            r, _, _ = select.select([self.master, self.dev], [], [], 0.05)
            for fd in r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    time.sleep(0.02)
                    continue
                if not data:
                    continue
                if fd == self.master:
                    self.log.append(("host", data))
                    os.write(self.dev, data)
                else:
                    self.log.append(("module", data))
                    os.write(self.master, data)

    def close(self):
        time.sleep(0.1)  # the module's last answer
        self.stop = True
        self.thread.join(1)
        for fd in (self.master, self.slave, self.dev):
            os.close(fd)

    def exchanges(self):
        """[(command line, answer text)] in order: what the tool sent and what came back."""
        out, line = [], b""
        for side, data in self.log:
            if side == "module":
                if out:
                    out[-1][1] += data.decode("latin-1")
                continue
            for b in data:
                if b in (13, 10):
                    if line.strip().upper().startswith(b"AT"):
                        out.append([shown(line.strip()), ""])
                    line = b""
                else:
                    line += bytes([b])
        return [(c, a) for c, a in out]

    def answer_to(self, prefix):
        """The module's last answer to a command starting with prefix (e.g. "AT+COPS?"), as
        its lines without the echo, joined by " / "; None if the tool never sent it."""
        hits = [(c, a) for c, a in self.exchanges() if c.upper().startswith(prefix.upper())]
        return " / ".join(answer_lines(*hits[-1])) if hits else None

    def last_exchange(self):
        """(command, answer lines) of the last command the tool sent, or None."""
        ex = self.exchanges()
        return (ex[-1][0], answer_lines(*ex[-1])) if ex else None

    def module_deviation(self):
        """The tool's last command, if it is one the SIM800 manual lists and the module answered
        it with a plain ERROR (the tool stopped on it): "AT+X? -> ERROR"."""
        last = self.last_exchange()
        if not last:
            return None
        cmd, lines = last
        name = cmd[2:].upper().split("=")[0].split("?")[0]
        if name not in SIM800_COMMANDS or "ERROR" not in lines or self.cmee_off():
            return None
        return f"{cmd} -> ERROR"

    def control_in_line(self):
        """The tool's last command, if it carried a control character inside the line (shown
        as \\xNN) and got ERROR: V.250 §5.2.1 has a DCE ignore such characters, the facts file
        does not say what a SIM800 does, so neither side is known to deviate."""
        last = self.last_exchange()
        if not last or "ERROR" not in last[1] or not re.search(r"\\x[01][0-9a-f]", last[0]):
            return None
        return f"{last[0]} -> ERROR"

    def cmee_off(self):
        """True unless the tool switched on +CME ERROR codes: with AT+CMEE=0 (the factory
        setting, sim800-facts.md §2.2) a module answers every failure with a plain ERROR."""
        on = False
        for cmd, ans in self.exchanges():
            m = re.match(r"AT\+CMEE=([0-2])", cmd.upper().replace(" ", ""))
            if m and "OK" in answer_lines(cmd, ans):
                on = m.group(1) != "0"
        return not on


def shown(raw):
    """A command line as text, control characters as \\xNN (a NUL would end a C string and
    is not allowed in the runner's JSON)."""
    return "".join(chr(b) if b >= 0x20 else f"\\x{b:02x}" for b in raw)


def answer_lines(cmd, answer):
    lines = [l.strip() for l in answer.replace("\r", "\n").split("\n") if l.strip()]
    return [l for l in lines if l != cmd]  # the module's echo of the command


def run(argv, timeout, env=None, stdin=None):
    """The tool's (exit status, stdout, stderr); stderr also goes to ours for the report."""
    print("adapter: " + " ".join(argv), file=sys.stderr)
    try:
        p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        err = (e.stderr or b"").decode("utf-8", "replace") + f"\n(killed after {timeout:.0f} s)"
        sys.stderr.write(out + err)
        return 124, out, err
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    sys.stderr.write(out + err)
    return p.returncode, out, err


def failure(tool, relay, err, code="TOOL", extra=None):
    """A failed outcome whose note says which side deviated."""
    dev = relay.module_deviation() if relay else None
    ctl = relay.control_in_line() if relay else None
    if ctl:
        note = (f"undecided: {tool} sent {ctl}, a control character inside the command line; "
                "V.250 §5.2.1 has a modem ignore it, the facts file does not say what a SIM800 "
                f"does; {tool} stopped there")
    elif dev:
        note = (f"module side: {dev}, a command the SIM800 manual lists; {tool} stopped there")
    elif extra:
        note = extra
    else:
        last = relay.last_exchange() if relay else None
        said = f" (its last command {last[0]} got {' / '.join(last[1]) or 'nothing'})" if last else ""
        note = (f"{tool} side: no module deviation in what {tool} sent{said}; {tool} failed: "
                f"{last_line(err)}")
    return {"ok": False, "error": {"code": code, "text": last_line(err)}, "note": note}


def last_line(text):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    return lines[-1] if lines else "(no message)"


def time_left(req, spent=0.0):
    return max(5.0, float(req.get("time_limit_s", 60)) * 0.85 - spent)
