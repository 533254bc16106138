"""`endhost web serve` operations: the Combined Log Format access log (file and stdout) and its re-opening
on SIGHUP, --admin metrics in Prometheus format, slowloris resistance with 1,000 slow clients, and the
polite connection cap."""

import http.client
import os
import re
import resource
import shutil
import signal
import socket
import tempfile
import time
import unittest

from endhost_test import Server, TestCase
from web_util import RawClient, curl, make_site


def wait_for(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def read_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


CLF = re.compile(r'^(\S+) - (\S+) \[(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\] "(.*)" (\d{3}) (\d+|-) '
                 r'"(.*)" "(.*)"$')


class AccessLog(TestCase):
    def setUp(self):
        self.root = make_site({"a.txt": "a" * 100})
        self.logs = tempfile.mkdtemp(prefix="endhost-web-logs-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.addCleanup(shutil.rmtree, self.logs, True)

    def test_combined_log_format_and_sighup_reopen(self):
        log = os.path.join(self.logs, "access.log")
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--threads", "2",
                     "--access-log", log]) as server:
            host, port = server.address("web")
            url = "http://%s:%d" % (host, port)
            curl("-o", "/dev/null", "-e", "http://ref.test/x", "-A", 'agent "with quotes"', url + "/a.txt")
            curl("-o", "/dev/null", url + "/missing")
            raw = RawClient((host, port))
            raw.send("BAD\x01LINE\r\n\r\n")
            raw.read_response()
            raw.close()
            self.assertTrue(wait_for(lambda: len(read_lines(log)) >= 3), read_lines(log))
            lines = read_lines(log)
            m = CLF.match(lines[0])
            self.assertIsNotNone(m, lines[0])
            self.assertEqual(m.group(1), "127.0.0.1")
            self.assertEqual(m.group(9), "GET /a.txt HTTP/1.1")
            self.assertEqual((m.group(10), m.group(11)), ("200", "100"))
            self.assertEqual(m.group(12), "http://ref.test/x")
            self.assertEqual(m.group(13), 'agent \\"with quotes\\"')
            self.assertEqual(CLF.match(lines[1]).group(10), "404")
            bad = CLF.match(lines[2])
            self.assertEqual(bad.group(10), "400")
            self.assertEqual(bad.group(9), "BAD\\x01LINE")  # control bytes never reach the log raw

            # Log rotation: move the file away, SIGHUP, and new lines go to a new file.
            os.rename(log, log + ".1")
            server.proc.send_signal(signal.SIGHUP)
            server.wait_log(lambda r: "SIGHUP" in r.get("msg", ""))
            self.assertTrue(wait_for(lambda: os.path.exists(log)))
            curl("-o", "/dev/null", url + "/a.txt?after-rotation")
            self.assertTrue(wait_for(lambda: any("after-rotation" in l for l in read_lines(log))))
            self.assertFalse(any("after-rotation" in l for l in read_lines(log + ".1")))
            self.assertEqual(len(read_lines(log + ".1")), 3)
            self.assertEqual(server.stop(), 0)

    def test_a_body_fault_is_logged_and_counted_as_its_status(self):
        # The 200 built for the GET is replaced by the 400: the log and the metrics must say 400, never 200.
        log = os.path.join(self.logs, "access.log")
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--access-log", log,
                     "--admin", "127.0.0.1:0"], wait_for=2) as server:
            host, port = server.address("web")
            raw = RawClient((host, port))
            raw.send("GET /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            r = raw.read_response()
            self.assertEqual(r.status, 400)
            raw.close()
            self.assertTrue(wait_for(lambda: len(read_lines(log)) >= 1), read_lines(log))
            m = CLF.match(read_lines(log)[0])
            self.assertEqual((m.group(9), m.group(10), m.group(11)), ("GET /a.txt HTTP/1.1", "400", str(len(r.body))))
            text = curl("http://%s:%d/metrics" % server.address("web-admin")).stdout.decode()
            self.assertRegex(text, r'(?m)^endhost_web_requests_total\{status="400"\} 1$')
            self.assertRegex(text, r'(?m)^endhost_web_requests_total\{status="200"\} 0$')
            self.assertEqual(server.stop(), 0)

    def test_log_to_stdout(self):
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--access-log", "-"]) as server:
            host, port = server.address("web")
            curl("-o", "/dev/null", "http://%s:%d/a.txt?to-stdout" % (host, port))
            self.assertTrue(wait_for(lambda: any("to-stdout" in l for l in server.stdout_lines)))
            line = next(l for l in server.stdout_lines if "to-stdout" in l)
            self.assertIsNotNone(CLF.match(line), line)
            self.assertEqual(server.stop(), 0)

    def test_unwritable_log_is_a_startup_error(self):
        from endhost_test import run
        r = run(["web", "serve", "--root", self.root, "--access-log", "/proc/no/such/access.log"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/proc/no/such/access.log", r.stderr)


class Metrics(TestCase):
    def test_prometheus_metrics(self):
        root = make_site({"a.txt": "a" * 100})
        self.addCleanup(shutil.rmtree, root, True)
        with Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"],
                    wait_for=2) as server:
            host, port = server.address("web")
            admin_host, admin_port = server.address("web-admin")
            held = RawClient((host, port))  # one connection kept open
            held.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            held.read_response()
            for path in ("/a.txt", "/a.txt", "/nope"):
                curl("-o", "/dev/null", "http://%s:%d%s" % (host, port, path))
            conn = http.client.HTTPConnection(admin_host, admin_port, timeout=10)
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            text = r.read().decode()
            self.assertEqual(r.status, 200)
            self.assertTrue(r.getheader("Content-Type").startswith("text/plain; version=0.0.4"))

            def value(name):
                m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
                self.assertIsNotNone(m, name)
                return float(m.group(1))

            self.assertEqual(value('endhost_web_requests_total{status="200"}'), 3)
            self.assertEqual(value('endhost_web_requests_total{status="404"}'), 1)
            self.assertGreaterEqual(value("endhost_web_open_connections"), 1)
            self.assertGreater(value("endhost_web_sent_bytes_total"), 300)
            self.assertGreater(value("endhost_web_received_bytes_total"), 0)
            self.assertEqual(value("endhost_web_request_duration_seconds_count"), 4)
            self.assertIn("# TYPE endhost_web_request_duration_seconds histogram", text)
            self.assertIn('endhost_web_request_duration_seconds_bucket{le="+Inf"} 4', text)
            conn.request("GET", "/elsewhere")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 404)
            conn.request("POST", "/metrics", body=b"")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 405)
            conn.close()
            held.close()
            self.assertEqual(server.stop(), 0)


class Limits(TestCase):
    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 4096 and hard > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))

    def test_slowloris_does_not_block_others(self):
        # 1,000 clients each trickle a request head that never ends. They must not keep anyone else waiting,
        # and each is cut off with 408 when its header timeout runs out.
        root = make_site({"a.txt": "served\n"})
        self.addCleanup(shutil.rmtree, root, True)
        with Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--threads", "2",
                     "--header-timeout", "3", "--max-connections", "5000"]) as server:
            host, port = server.address("web")
            slow = []
            for i in range(1000):
                s = socket.create_connection((host, port), timeout=30)
                s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n")
                slow.append(s)
            served = 0
            for round_ in range(3):
                for s in slow:
                    try:
                        s.sendall(b"X-Slow-%d: y\r\n" % round_)
                    except OSError:
                        pass
                out = curl("--max-time", "10", "http://%s:%d/a.txt" % (host, port))
                if out.stdout == b"served\n":
                    served += 1
            self.assertEqual(served, 3)
            # Every slow client gets 408 and a closed connection once its head timed out.
            answered = 0
            for s in slow:
                s.settimeout(30)
                data = b""
                try:
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                if data.startswith(b"HTTP/1.1 408 "):
                    answered += 1
                s.close()
            self.assertEqual(answered, 1000)
            self.assertEqual(server.stop(), 0)

    def test_connection_cap_refuses_politely(self):
        root = make_site({"a.txt": "a\n"})
        self.addCleanup(shutil.rmtree, root, True)
        with Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--threads", "1",
                     "--max-connections", "2"]) as server:
            host, port = server.address("web")
            held = []
            for _ in range(2):
                c = RawClient((host, port))
                c.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(c.read_response().status, 200)
                held.append(c)
            extra = RawClient((host, port))
            extra.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            r = extra.read_response()
            self.assertEqual(r.status, 503)
            self.assertEqual(r.header("retry-after"), "1")
            self.assertEqual(r.header("connection"), "close")
            self.assertTrue(extra.at_eof())
            extra.close()
            held.pop().close()
            # A slot is free again (the server notices the close first).
            def served():
                c = RawClient((host, port))
                try:
                    c.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                    return c.read_response().status == 200
                except (OSError, EOFError):
                    return False
                finally:
                    c.close()
            self.assertTrue(wait_for(served))
            for c in held:
                c.close()
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
