"""The upper-case echo servers over TCP and UDP, talked to by endhost's own client, python3's socket module,
and nc: concurrency, read timeouts, long lines, and graceful shutdown with clients connected."""

import signal
import socket
import subprocess
import threading
import time

from endhost_test import Server, TestCase, run


class TcpEcho(TestCase):
    def setUp(self):
        self.server = Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0", "--idle-timeout", "0.5"])
        self.addr = self.server.address("echo", "tcp")

    def tearDown(self):
        self.assertEqual(self.server.stop(), 0)
        self.server.__exit__()

    def test_endhost_client_with_message(self):
        r = run(["echo", "client", "--tcp", "%s:%d" % self.addr, "hello there"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "HELLO THERE\n")

    def test_endhost_client_reads_stdin_lines(self):
        r = run(["echo", "client", "--tcp", "%s:%d" % self.addr], input="one\ntwo words\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "ONE\nTWO WORDS\n")

    def test_python_socket_and_pipelined_lines(self):
        with socket.create_connection(self.addr, timeout=5) as s:
            s.sendall(b"a\r\nb\nc\n")
            data = b""
            while data.count(b"\n") < 3:
                data += s.recv(100)
        self.assertEqual(data, b"A\nB\nC\n")

    def test_nc_half_close_answers_last_unterminated_line(self):
        r = subprocess.run(["nc", "-N", self.addr[0], str(self.addr[1])], input=b"crepes.fr", capture_output=True,
                           timeout=10)
        self.assertEqual(r.stdout, b"CREPES.FR")

    def test_hundred_simultaneous_clients(self):
        results = [None] * 100
        barrier = threading.Barrier(100)

        def client(i):
            with socket.create_connection(self.addr, timeout=10) as s:
                barrier.wait()  # all 100 connected before anyone sends
                s.sendall(("client %d\n" % i).encode())
                data = b""
                while not data.endswith(b"\n"):
                    chunk = s.recv(100)
                    if not chunk:
                        break
                    data += chunk
                results[i] = data.decode()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(results, ["CLIENT %d\n" % i for i in range(100)])

    def test_idle_client_is_dropped_after_read_timeout(self):
        with socket.create_connection(self.addr, timeout=5) as s:
            start = time.monotonic()
            self.assertEqual(s.recv(10), b"")  # the server closes: EOF, not our 5 s timeout
            self.assertLess(time.monotonic() - start, 4.5)

    def test_timeout_resets_while_client_keeps_talking(self):
        with socket.create_connection(self.addr, timeout=5) as s:
            for i in range(4):  # 4 x 0.3 s > 0.5 s idle limit, but never 0.5 s silent
                time.sleep(0.3)
                s.sendall(b"ping\n")
                self.assertEqual(s.recv(10), b"PING\n")

    def test_too_long_line_gets_error_and_close(self):
        server = Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0", "--max-line", "16"])
        try:
            with socket.create_connection(server.address("echo", "tcp"), timeout=5) as s:
                s.sendall(b"x" * 100 + b"\n")
                data = b""
                while True:
                    chunk = s.recv(100)
                    if not chunk:
                        break
                    data += chunk
            self.assertTrue(data.startswith(b"ERROR line longer than 16 bytes"), data)
        finally:
            self.assertEqual(server.stop(), 0)
            server.__exit__()


class UdpEcho(TestCase):
    def test_datagrams_from_python_and_endhost(self):
        with Server(["echo", "serve", "--udp", "--listen", "127.0.0.1:0"]) as server:
            addr = server.address("echo", "udp")
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(5)
                s.sendto(b"hello udp", addr)
                data, src = s.recvfrom(100)
                self.assertEqual(data, b"HELLO UDP")
                self.assertEqual(src, addr)
            r = run(["echo", "client", "--udp", "%s:%d" % addr], input="x\ny\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "X\nY\n")
            self.assertEqual(server.stop(), 0)

    def test_client_reports_no_answer(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))  # bound but never answers
            r = run(["echo", "client", "--udp", "127.0.0.1:%d" % silent.getsockname()[1], "hi", "--timeout", "0.3"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("no answer", r.stderr)


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Ipv6(TestCase):
    def test_tcp_and_udp_on_ipv6_loopback(self):
        if not has_ipv6_loopback():
            self.skipTest("this machine has no IPv6 loopback")
        with Server(["echo", "serve", "--tcp", "--udp", "--listen", "[::1]:0", "--listen", "127.0.0.1:0"],
                    wait_for=4) as server:
            v6 = [r["address"] for r in server.listening if r["address"].startswith("[::1]:")]
            self.assertEqual(len(v6), 2, server.listening)
            tcp6 = next(r["address"] for r in server.listening if r["protocol"] == "tcp" and r["address"] in v6)
            r = run(["echo", "client", "--tcp", tcp6, "over ipv6"])
            self.assertEqual((r.returncode, r.stdout), (0, "OVER IPV6\n"), r.stderr)
            udp6 = next(r["address"] for r in server.listening if r["protocol"] == "udp" and r["address"] in v6)
            host, _, port = udp6.rpartition(":")
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.settimeout(5)
                s.sendto(b"v6 datagram", ("::1", int(port)))
                self.assertEqual(s.recvfrom(100)[0], b"V6 DATAGRAM")
            self.assertEqual(server.stop(), 0)


class Trace(TestCase):
    def test_trace_prints_textbook_transcript(self):
        with Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0", "--trace"]) as server:
            run(["echo", "client", "--tcp", "%s:%d" % server.address("echo", "tcp"), "HELO crepes.fr"])
            self.assertEqual(server.stop(), 0)
        time.sleep(0.1)
        lines = server.stdout_lines
        self.assertTrue(any(l.endswith("echo C: HELO crepes.fr") for l in lines), lines)
        self.assertTrue(any(l.endswith("echo S: HELO CREPES.FR") for l in lines), lines)


class GracefulShutdown(TestCase):
    def test_signal_right_after_listening_is_handled(self):
        # A SIGHUP between the "listening" line and the event loop's start used to kill the process.
        server = Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0"])
        try:
            server.proc.send_signal(signal.SIGHUP)
            server.wait_log(lambda r: r.get("msg") == "SIGHUP: reloading")
            self.assertIsNone(server.proc.poll())
            self.assertEqual(server.stop(), 0)
        finally:
            server.__exit__()

    def test_sigterm_with_clients_connected(self):
        server = Server(["echo", "serve", "--tcp", "--udp", "--listen", "127.0.0.1:0", "--grace", "5"], wait_for=2)
        try:
            addr = server.address("echo", "tcp")
            idle = [socket.create_connection(addr, timeout=5) for _ in range(10)]
            for s in idle:
                s.sendall(b"hi\n")
                self.assertEqual(s.recv(10), b"HI\n")
            start = time.monotonic()
            self.assertEqual(server.stop(), 0)
            self.assertLess(time.monotonic() - start, 4.0)  # idle clients do not hold shutdown for the grace
            for s in idle:
                self.assertEqual(s.recv(10), b"")  # each got a clean close
                s.close()
            self.assertTrue(any(r.get("msg") == "stopped cleanly" for r in server.log), server.log)
            with self.assertRaises(OSError):
                socket.create_connection(addr, timeout=1)  # no longer accepting
        finally:
            server.__exit__()
