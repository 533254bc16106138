"""Shared harness for the integration tests: start the real `endhost` on 127.0.0.1 ephemeral ports, find the
addresses it bound from its JSON log, and stop it the way an operator would (SIGTERM), checking its exit code.

Each test file is run by ctest as `python3 -m unittest -v test_<name>.py` with ENDHOST_BIN set to the program.
"""

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

ENDHOST = os.environ.get("ENDHOST_BIN", os.path.join(os.path.dirname(__file__), "../../build/release/endhost"))


class Server:
    """A running `endhost … serve` process. Use as a context manager, or call stop()."""

    def __init__(self, args, wait_for=1, env=None, stdin=subprocess.DEVNULL):
        self.args = [ENDHOST] + list(args) + ["--log-format", "json"]
        self.proc = subprocess.Popen(self.args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env)
        self.log = []            # every JSON log record, in order
        self.stdout_lines = []   # transcript and other stdout lines
        self._events = queue.Queue()
        self._lock = threading.Lock()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self.listening = []
        deadline = time.monotonic() + 15
        while len(self.listening) < wait_for:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                self.proc.kill()
                raise RuntimeError("endhost did not start: %s\nlog: %s" % (" ".join(self.args), self.log))
            try:
                rec = self._events.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                continue
            if rec.get("msg") == "listening":
                self.listening.append(rec)

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            try:
                rec = json.loads(line)
            except ValueError:
                rec = {"msg": "(not json)", "line": line}
            with self._lock:
                self.log.append(rec)
            self._events.put(rec)

    def _read_stdout(self):
        for raw in self.proc.stdout:
            with self._lock:
                self.stdout_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def address(self, service=None, protocol="tcp"):
        """(host, port) of the first listener of that service and protocol."""
        for rec in self.listening:
            if (service is None or rec.get("service") == service) and rec.get("protocol") == protocol:
                host, _, port = rec["address"].rpartition(":")
                return host.strip("[]"), int(port)
        raise KeyError("no %s listener for %s in %s" % (protocol, service, self.listening))

    def wait_log(self, predicate, timeout=10):
        """Waits until a log record satisfies predicate; returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for rec in self.log:
                    if predicate(rec):
                        return rec
            time.sleep(0.02)
        raise AssertionError("no matching log record within %ss; log: %s" % (timeout, self.log))

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends sig and returns the exit code (kills and fails after timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("endhost did not stop within %ss after signal %s" % (timeout, sig))
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except Exception:
                pass


def run(args, input=None, timeout=60):
    """Runs `endhost args…` to completion; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([ENDHOST] + list(args), input=input, capture_output=True, text=True, timeout=timeout)


def exchange(address, wire, timeout=10):
    """Sends raw bytes on a new connection and reads until the peer closes: the whole answer."""
    with socket.create_connection(address, timeout=timeout) as s:
        s.sendall(wire)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def stop_all(servers, *dirs):
    """Ends a module's servers and removes its directories; fails unless every server exited cleanly (0)."""
    codes = [server.stop() for server in servers]
    for server in servers:
        server.__exit__(None, None, None)
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    assert codes == [0] * len(servers), codes


def free_port():
    """A port that was free a moment ago (for tests that need a known-unused port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestCase(unittest.TestCase):
    maxDiff = None
