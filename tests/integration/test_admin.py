"""The one admin listener every service shares: `web serve --admin` and `proxy serve --admin-listen` both
answer GET /metrics (Prometheus text) and GET /health — 200 while serving, 503 once the drain began, while
requests in flight still finish."""

import shutil
import signal
import socket
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from endhost_test import Server, TestCase, exchange
from web_util import make_site


def get(host, port, path):
    """(status, body) of GET path on the admin listener."""
    try:
        with urllib.request.urlopen("http://%s:%d%s" % (host, port, path), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Admin(TestCase):
    def setUp(self):
        self.root = make_site({"index.html": "<h1>hi</h1>\n"})
        self.addCleanup(shutil.rmtree, self.root, True)

    def test_pipelined_requests_keep_alive_and_close_policy(self):
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"],
                    wait_for=2) as server:
            admin = server.address("web-admin")
            # Three requests in one write: answered in order on one connection, which the last one closes.
            data = exchange(admin, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                                   b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"
                                   b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                   b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 2, data)
            self.assertEqual(data.count(b"serving\n"), 1, data)  # HEAD has no body
            self.assertEqual(data.count(b"HTTP/1.1 404"), 1, data)
            self.assertTrue(data.split(b"HTTP/1.1 404")[1].count(b"Connection: close"), data)
            # HTTP/1.0 without keep-alive: one answer, then close.
            data = exchange(admin, b"GET /health HTTP/1.0\r\n\r\nGET /health HTTP/1.0\r\n\r\n")
            self.assertEqual(data.count(b"serving\n"), 1, data)
            # A body the admin endpoint does not take: 413, and the connection closes (the body is not read).
            data = exchange(admin, b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                                   b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(data.startswith(b"HTTP/1.1 413"), data)
            self.assertEqual(data.count(b"HTTP/1.1 "), 1, data)

    def test_web_health_is_200_while_serving_and_503_while_draining(self):
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                     "--grace", "10", "--header-timeout", "10"], wait_for=2) as server:
            admin = server.address("web-admin")
            self.assertEqual(get(*admin, "/health"), (200, "serving\n"))
            status, body = get(*admin, "/metrics")
            self.assertEqual(status, 200)
            self.assertIn("endhost_web_requests_total", body)
            # A request in flight (its head half sent) keeps the drain going.
            slow = socket.create_connection(server.address("web"), timeout=10)
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            time.sleep(0.2)
            server.proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 5
            seen = None
            while time.monotonic() < deadline:
                seen = get(*admin, "/health")
                if seen[0] == 503:
                    break
                time.sleep(0.05)
            self.assertEqual(seen, (503, "draining\n"))
            # The request in flight still gets its answer.
            slow.sendall(b"\r\n")
            answer = slow.recv(4096)
            self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer)
            slow.close()
            # Drained cleanly once that request was answered (SIGTERM was sent already: a second one would
            # mean "stop at once").
            self.assertEqual(server.proc.wait(timeout=10), 0)

    def test_proxy_admin_listen_has_the_same_endpoints(self):
        cache = tempfile.mkdtemp(prefix="endhost-admin-cache-")
        self.addCleanup(shutil.rmtree, cache, True)
        with Server(["proxy", "serve", "--cache-dir", cache, "--listen", "127.0.0.1:0", "--admin-listen",
                     "127.0.0.1:0"], wait_for=2) as server:
            admin = server.address("proxy-admin")
            self.assertEqual(get(*admin, "/health"), (200, "serving\n"))
            status, body = get(*admin, "/metrics")
            self.assertEqual(status, 200)
            self.assertIn("endhost_proxy_requests_total", body)
            self.assertEqual(get(*admin, "/nothing")[0], 404)
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
