"""python_uart_example.py - a tiny SIM800 driver written for MicroPython's machine.UART.

It uses only what a MicroPython UART object has (write, read, readline, any) and
time.sleep_ms/ticks_ms (utime on a board), so the same file runs on a board and, through the
python-uart adapter's pyserial shim, on a host against sim800-sim. It is the example the
python-uart adapter runs when no other driver is named; see ADAPTERS.md.

    drv = SIM800(uart)
    drv.sync(); drv.info(); drv.status()

Errors are raised as Sim800Error(code, text, module) with the suite's codes.
"""
try:
    import utime as time  # MicroPython
except ImportError:
    import time

    def _sleep_ms(ms):
        time.sleep(ms / 1000)

    def _ticks_ms():
        return int(time.monotonic() * 1000)
else:
    _sleep_ms = time.sleep_ms
    _ticks_ms = time.ticks_ms

# Lines the module may send at any time (sim800-facts.md §3.1): never a command's answer.
URCS = (b"RDY", b"Call Ready", b"SMS Ready", b"+CFUN:", b"+CPIN: NOT READY", b"UNDER-VOLTAGE",
        b"OVER-VOLTAGE", b"NORMAL POWER DOWN", b"DST:", b"*PSUTTZ", b"+CTZV", b"+CIEV",
        b"+CMTI:", b"RING", b"+CLIP", b"+PDP: DEACT", b"+CIPRXGET: 1", b"+SAPBR", b"+CREG: ")


class Sim800Error(Exception):
    def __init__(self, code, text, module=""):
        super().__init__(text)
        self.code, self.text, self.module = code, text, module


class SIM800:
    def __init__(self, uart, timeout_ms=5000):
        self.uart = uart
        self.timeout_ms = timeout_ms
        self.urcs = []  # URC lines seen while waiting for answers

    def _readline(self, deadline):
        while _ticks_ms() < deadline:
            if self.uart.any():
                line = self.uart.readline()
                if line:
                    return line.strip()
            else:
                _sleep_ms(5)
        return None

    def cmd(self, command, prefix=None, timeout_ms=None):
        """Send one command; return its information lines (those starting with prefix, or all)
        once OK arrives; raise on ERROR/+CME ERROR or timeout. URCs are set aside."""
        # No flushing of "stale" input first: it can cut a URC in half and leave its tail
        # (",0" of "+CIPRXGET: 1,0") to be read as this command's answer. Unexpected lines
        # are set aside as URCs below instead.
        self.uart.write(command + b"\r")
        deadline = _ticks_ms() + (timeout_ms or self.timeout_ms)
        info = []
        while True:
            line = self._readline(deadline)
            if line is None:
                raise Sim800Error("TIMEOUT", "no answer to " + command.decode(), "")
            if not line or line == command:
                continue  # blank line, or our own echo
            if line == b"OK":
                return info
            if line == b"ERROR" or line.startswith(b"+CME ERROR:"):
                raise Sim800Error("ERROR", command.decode() + ": " + line.decode(), line.decode())
            if prefix and line.startswith(prefix):
                info.append(line)
            elif not prefix and not line.startswith(URCS):
                info.append(line)
            else:
                self.urcs.append(line)

    def sync(self, tries=20):
        """AT until OK (a module that just booted, or autobaud), then echo off, numeric errors."""
        for _ in range(tries):
            try:
                self.cmd(b"AT", timeout_ms=500)
                break
            except Sim800Error:
                _sleep_ms(100)
        else:
            raise Sim800Error("TIMEOUT", "the module never answered AT")
        self.cmd(b"ATE0")
        self.cmd(b"AT+CMEE=1")

    def info(self):
        ati = self.cmd(b"ATI")[0].decode()
        rev = self.cmd(b"AT+CGMR")[0].decode()
        ssl = "no"
        try:
            if self.cmd(b"AT+CIPSSL=?", b"+CIPSSL:"):
                ssl = "yes"
        except Sim800Error:
            pass
        httpssl = "no"
        try:
            self.cmd(b"AT+HTTPSSL=?")
            httpssl = "listed"
        except Sim800Error:
            pass
        major = minor = None
        if " R" in ati:
            ver = ati.split(" R", 1)[1].split(".")
            major, minor = int(ver[0]), int(ver[1][:2])
        return {"ati": ati, "revision": rev, "major": major, "minor": minor,
                "ssl": ssl, "httpssl": httpssl}

    def status(self, wait_ms=10000):
        try:
            cpin = self.cmd(b"AT+CPIN?", b"+CPIN:")[0].decode()
        except Sim800Error as e:
            if "+CME ERROR: 10" in e.module:
                raise Sim800Error("SIM_NOT_INSERTED", "no SIM", e.module)
            raise
        if "READY" not in cpin:
            raise Sim800Error("SIM_NOT_INSERTED", cpin, cpin)
        deadline = _ticks_ms() + wait_ms
        while True:
            line = self.cmd(b"AT+CREG?", b"+CREG:")[0].decode()
            stat = int(line.split(",")[1])
            if stat in (1, 5):
                break
            if stat == 3:
                raise Sim800Error("REG_DENIED", "registration denied", line)
            if _ticks_ms() > deadline:
                raise Sim800Error("NOT_REGISTERED", "not registered", line)
            _sleep_ms(500)
        csq = self.cmd(b"AT+CSQ", b"+CSQ:")[0].decode()
        cops = self.cmd(b"AT+COPS?", b"+COPS:")[0].decode()
        op = cops.split('"')[1] if '"' in cops else None
        return {"sim": "ready", "registered": True, "creg": stat,
                "rssi": int(csq.split(":")[1].split(",")[0]), "operator": op}
