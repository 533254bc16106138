"""Helpers for the web server's integration tests: a site directory to serve, a raw HTTP/1.1 response reader
for pipelining and framing checks (independent of http.client), and curl."""

import os
import socket
import subprocess
import tempfile


def make_site(files):
    """Creates a temporary directory holding `files` ({relative path: bytes or str}); returns its path."""
    root = tempfile.mkdtemp(prefix="endhost-web-")
    os.chmod(root, 0o755)
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
    return root


class RawResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return default


class RawClient:
    """Reads HTTP/1.1 responses off a socket by hand (Content-Length and chunked framing), so tests can send
    exactly the bytes they want and check exactly what comes back."""

    def __init__(self, address, timeout=10):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self, head_request=False):
        line = self._line().decode("latin-1")
        version, status, reason = (line.split(" ", 2) + [""])[:3]
        assert version == "HTTP/1.1", line
        headers = []
        while True:
            h = self._line().decode("latin-1")
            if not h:
                break
            name, _, value = h.partition(":")
            headers.append((name.strip().lower(), value.strip()))
        resp = RawResponse(int(status), reason, headers, b"")
        code = int(status)
        if head_request or code in (204, 304) or 100 <= code < 200:
            return resp
        te = resp.header("transfer-encoding")
        if te and te.lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                body += self._exact(size)
                assert self._exact(2) == b"\r\n"
            resp.body = body
        elif resp.header("content-length") is not None:
            resp.body = self._exact(int(resp.header("content-length")))
        else:
            while True:
                try:
                    self._fill()
                except EOFError:
                    break
            resp.body, self.buf = self.buf, b""
        return resp

    def at_eof(self, timeout=5):
        """True when the server closed the connection (after any buffered bytes)."""
        if self.buf:
            return False
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def curl(*args):
    """Runs curl (silent, with errors shown); returns CompletedProcess with bytes stdout."""
    return subprocess.run(["curl", "-sS", "--max-time", "20"] + list(args), capture_output=True, timeout=30)
