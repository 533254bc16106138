"""A client of `endhost mail serve --webmail` for the integration and browser tests: http.client with the
session cookie kept, the CSRF token sent on every POST with the X-Webmail header, urlencoded and
multipart/form-data bodies, and an event-stream reader."""

import http.client
import json
import os
import socket
import time
import urllib.parse


class Web:
    def __init__(self, port, host="127.0.0.1", tls=None):
        """`tls`: an ssl.SSLContext to speak HTTPS with (the Origin of a POST then says https)."""
        self.host, self.port, self.tls = host, port, tls
        self.cookie = ""
        self.csrf = ""
        self.last_headers = {}

    def request(self, method, path, body=None, headers=None, json_reply=True):
        if self.tls:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=15, context=self.tls)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        h = {"Host": "%s:%d" % (self.host, self.port)}
        if self.cookie:
            h["Cookie"] = self.cookie
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        res = conn.getresponse()
        data = res.read()
        self.last_headers = {k.lower(): v for k, v in res.getheaders()}
        for k, v in res.getheaders():
            if k.lower() == "set-cookie":
                pair = v.split(";")[0]
                self.cookie = "" if pair.endswith("=") else pair
        conn.close()
        if json_reply and res.getheader("Content-Type", "").startswith("application/json"):
            return res.status, json.loads(data)
        return res.status, data

    def get(self, path, **params):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.request("GET", path)

    def get_raw(self, path, **params):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.request("GET", path, json_reply=False)

    def post(self, path, fields=None, csrf=True, extra=None):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Webmail": "1"}
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        headers.update(extra or {})
        return self.request("POST", path, body=urllib.parse.urlencode(fields or {}), headers=headers)

    def login(self, user, password):
        status, body = self.post("/api/login", {"user": user, "password": password}, csrf=False)
        if status == 200:
            self.csrf = body["csrf"]
        return status, body

    def send(self, fields, files=()):
        """POST /api/send as the page does: multipart/form-data with `fields` and (name, bytes, type) files."""
        boundary = "----endhosttest" + os.urandom(8).hex()
        parts = []
        for k, v in fields.items():
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, k)).encode()
                         + v.encode() + b"\r\n")
        for name, data, ctype in files:
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"%s\"\r\n"
                          "Content-Type: %s\r\n\r\n" % (boundary, name, ctype)).encode() + data + b"\r\n")
        body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
        headers = {"Content-Type": "multipart/form-data; boundary=" + boundary, "X-Webmail": "1",
                   "X-CSRF-Token": self.csrf}
        return self.request("POST", "/api/send", body=body, headers=headers)

    def open_events(self):
        """A socket with GET /api/events sent and the response head read; returns (socket, head, rest)."""
        s = socket.create_connection((self.host, self.port), timeout=15)
        s.sendall(("GET /api/events HTTP/1.1\r\nHost: %s:%d\r\nCookie: %s\r\nAccept: text/event-stream\r\n\r\n"
                   % (self.host, self.port, self.cookie)).encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        return s, head.decode(), rest


def read_until(sock, buf, needle, timeout):
    """Reads `sock` until `needle` is in what was read (after `buf`); returns all of it, or None at the
    deadline."""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf
