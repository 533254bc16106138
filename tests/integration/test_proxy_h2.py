"""HTTP/2 from clients to `endhost proxy serve` (issue 10 §3): h2c with prior knowledge and h2 by ALPN on the
same ports as HTTP/1.1, with the cache behaving as it does for HTTP/1.1 — hits with Age and Cache-Status,
revalidation, Vary, no-store, request collapsing over concurrent streams, bodies (POST) through the proxy
within the flow-control windows, the forward form (:scheme and :authority naming the origin, RFC 9113
§8.3.1), Via's received-protocol "2" (RFC 9110 §7.6.3), a stream reset while its response is being stored,
CONNECT tunnels on a stream (§8.5: DATA both ways within the windows, END_STREAM and FIN, CONNECT_ERROR for a
TCP reset, a TCP reset for a reset stream, the HTTP/1.1 CONNECT's port and mode rules), a body the origin
cuts short reset, the access log and --trace. The clients are curl, nghttp and python-h2; the origin speaks
HTTP/1.1. Servers start once for the module."""

import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time

import h2.errors
import h2.events

from endhost_test import Server, TestCase
from h2_util import H2Client
from proxy_origins import Origin, RawOrigin, dies_mid_body


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


def slow(request):
    time.sleep(0.5)
    return 200, {"Cache-Control": "max-age=3600"}, b"slow and shared\n"


def revalidated(request):
    if request.headers.get("If-None-Match") == '"r1"':
        return 304, {"ETag": '"r1"', "Cache-Control": "max-age=0"}, b""
    return 200, {"ETag": '"r1"', "Cache-Control": "max-age=0"}, b"validated body\n"


BIG = os.urandom(300 * 1024)
TRICKLE = os.urandom(200 * 1024)


def trickles(conn):
    """A cacheable response whose body arrives in two halves a second apart."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: %d\r\n\r\n" % len(TRICKLE))
    conn.sendall(TRICKLE[:1024])
    time.sleep(1)
    conn.sendall(TRICKLE[1024:])
    time.sleep(0.5)


def resets(conn):
    """Answers with a TCP reset."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class Echo:
    """A TCP echo server: returns every byte, closes after the client's FIN; `open` counts live connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.open = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.open += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass
        finally:
            conn.close()
            with self.lock:
                self.open -= 1

    def stop(self):
        self.sock.close()


class ProxyHttp2(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="endhost-proxy-h2-")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=cls.dir)
        cls.cert = os.path.join(cls.dir, "cert.pem")
        fresh = lambda body: (lambda r: (200, {"Cache-Control": "max-age=3600"}, body))
        cls.origin = Origin({
            "/hit": fresh(b"cached over h2\n"),
            "/hit-h1": fresh(b"shared by both\n"),
            "/head": fresh(b"a body HEAD does not get\n"),
            "/big": fresh(BIG),
            "/tls": fresh(b"over tls\n"),
            "/forward": fresh(b"forwarded\n"),
            "/nghttp": fresh(b"many streams\n"),
            "/slow": slow,
            "/revalidate": revalidated,
            "/vary": lambda r: (200, {"Cache-Control": "max-age=3600", "Vary": "Accept-Language"},
                                ("for %s\n" % r.headers.get("Accept-Language")).encode()),
            "/no-store": lambda r: (200, {"Cache-Control": "no-store"}, b"never kept\n"),
            "/post": lambda r: (200, {"Content-Type": "text/plain"}, b"posted"),
            "/traced": fresh(b"traced\n"),
            "/via-h2": fresh(b"via\n"),
            "/via-h1": fresh(b"via\n"),
            "/tunneled": lambda r: (200, {}, b"through the tunnel\n"),
            "/after-tunnel": fresh(b"after the tunnel\n"),
        })
        cls.broken = RawOrigin(dies_mid_body)
        cls.trickle = RawOrigin(trickles)
        cls.resetter = RawOrigin(resets)
        cls.echo = Echo()
        common = ["--listen", "127.0.0.1:0", "--threads", "2", "--no-fsync"]
        cls.access_log = os.path.join(cls.dir, "access.log")
        cls.reverse = Server(["proxy", "serve", "--cache-dir", os.path.join(cls.dir, "reverse"),
                              "--origin", cls.origin.url("/").rstrip("/"), "--access-log", cls.access_log,
                              "--trace"] + common)
        cls.addr = cls.reverse.address("proxy")
        cls.tls = Server(["proxy", "serve", "--cache-dir", os.path.join(cls.dir, "tls"),
                          "--origin", cls.origin.url("/").rstrip("/"), "--tls-cert", cls.cert,
                          "--tls-key", os.path.join(cls.dir, "key.pem")] + common)
        cls.tls_port = cls.tls.address("proxy")[1]
        cls.forward = Server(["proxy", "serve", "--cache-dir", os.path.join(cls.dir, "forward"),
                              "--allow-destination", "127.0.0.0/8"] + common)
        cls.fwd_addr = cls.forward.address("proxy")
        cls.tunnels = Server(["proxy", "serve", "--cache-dir", os.path.join(cls.dir, "tunnels"),
                              "--allow-destination", "127.0.0.0/8", "--connect-port", str(cls.echo.port),
                              "--connect-port", str(cls.origin.port), "--connect-port", str(cls.resetter.port)]
                             + common)
        cls.tunnel_addr = cls.tunnels.address("proxy")
        cls.cut = Server(["proxy", "serve", "--cache-dir", os.path.join(cls.dir, "cut"),
                          "--origin", "http://127.0.0.1:%d" % cls.broken.port] + common)

    @classmethod
    def tearDownClass(cls):
        codes = []
        for s in (cls.reverse, cls.tls, cls.forward, cls.cut, cls.tunnels):
            codes.append(s.stop())
            s.__exit__()
        cls.origin.stop()
        cls.broken.stop()
        cls.trickle.stop()
        cls.resetter.stop()
        cls.echo.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert codes == [0, 0, 0, 0, 0], codes

    def url(self, path):
        return "http://%s:%d%s" % (self.addr[0], self.addr[1], path)

    def curl(self, *args):
        """(http version, status, {field: value}, body) of one curl request."""
        r = subprocess.run(["curl", "-sS", "-D", "-", "--cacert", self.cert, "--resolve",
                            "localhost:%d:127.0.0.1" % self.tls_port] + list(args),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        head, _, body = r.stdout.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ")[:2]
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        return version, int(status), fields, body

    def h2c(self, path, *args):
        return self.curl("--http2-prior-knowledge", *args, self.url(path))

    # ---- the cache over h2c ---------------------------------------------------------------------------

    def test_h2c_miss_then_hit_then_http11_on_the_same_port(self):
        version, status, fields, body = self.h2c("/hit")
        self.assertEqual((version, status, body), ("HTTP/2", 200, b"cached over h2\n"))
        self.assertIn("fwd=uri-miss", fields["cache-status"])
        self.assertIn("stored", fields["cache-status"])
        version, status, fields, body = self.h2c("/hit")
        self.assertEqual((version, status, body), ("HTTP/2", 200, b"cached over h2\n"))
        self.assertRegex(fields["cache-status"], r"endhost; hit")
        self.assertIn("age", fields)
        self.assertEqual(self.origin.count("/hit"), 1)
        # HTTP/1.1 on the same port, served from what the h2 request stored.
        version, status, fields, body = self.curl("--http1.1", self.url("/hit"))
        self.assertEqual((version, status, body), ("HTTP/1.1", 200, b"cached over h2\n"))
        self.assertRegex(fields["cache-status"], r"endhost; hit")
        self.assertEqual(self.origin.count("/hit"), 1)

    def test_http11_stores_and_h2_hits(self):
        self.curl("--http1.1", self.url("/hit-h1"))
        version, status, fields, body = self.h2c("/hit-h1")
        self.assertEqual((version, status, body), ("HTTP/2", 200, b"shared by both\n"))
        self.assertRegex(fields["cache-status"], r"endhost; hit")
        self.assertEqual(self.origin.count("/hit-h1"), 1)

    def test_head_has_the_length_and_no_body(self):
        self.h2c("/head")
        client = H2Client(self.addr)
        try:
            sid = client.request("HEAD", "/head", authority="%s:%d" % self.addr)  # curl's, the same key
            client.pump(lambda: sid in client.ended, timeout=20)
        finally:
            client.close()
        self.assertEqual(client.headers[sid][":status"], "200")
        self.assertIn("hit", client.headers[sid]["cache-status"])
        self.assertEqual(client.headers[sid]["content-length"], str(len(b"a body HEAD does not get\n")))
        self.assertEqual(client.bodies.get(sid, b""), b"")

    def test_a_large_object_whole_over_h2_twice(self):
        for expected in ("fwd=uri-miss", "hit"):
            version, status, fields, body = self.h2c("/big")
            self.assertEqual((version, status), ("HTTP/2", 200))
            self.assertEqual(body, BIG)
            self.assertIn(expected, fields["cache-status"])
        self.assertEqual(self.origin.count("/big"), 1)

    def test_revalidation_over_h2(self):
        self.h2c("/revalidate")
        version, status, fields, body = self.h2c("/revalidate")
        self.assertEqual((status, body), (200, b"validated body\n"))
        self.assertIn("fwd=stale", fields["cache-status"])
        self.assertIn("fwd-status=304", fields["cache-status"])
        self.assertEqual(self.origin.last_headers("/revalidate").get("If-None-Match"), '"r1"')
        self.assertEqual(self.origin.count("/revalidate"), 2)

    def test_vary_and_no_store_over_h2(self):
        for lang in ("de", "fr", "de", "fr"):
            _, status, _, body = self.h2c("/vary", "-H", "Accept-Language: " + lang)
            self.assertEqual(body, ("for %s\n" % lang).encode())
        self.assertEqual(self.origin.count("/vary"), 2)
        for _ in range(2):
            _, status, fields, body = self.h2c("/no-store")
            self.assertEqual(body, b"never kept\n")
            self.assertNotIn("hit", fields["cache-status"])
        self.assertEqual(self.origin.count("/no-store"), 2)

    def test_concurrent_streams_collapse_into_one_fetch(self):
        # Five streams for one URI on one connection, while the origin takes 0.5 s: one upstream request.
        client = H2Client(self.addr)
        try:
            sids = [client.get("/slow") for _ in range(5)]
            client.pump(lambda: all(s in client.ended for s in sids), timeout=20)
            for sid in sids:
                self.assertEqual(client.headers[sid][":status"], "200")
                self.assertEqual(client.bodies[sid], b"slow and shared\n")
        finally:
            client.close()
        self.assertEqual(self.origin.count("/slow"), 1)

    def test_nghttp_many_streams(self):
        r = subprocess.run(["nghttp", "-ns", "-m", "4", self.url("/nghttp")], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count(" 200 "), 4, r.stdout)
        r = subprocess.run(["nghttp", "-v", self.url("/nghttp")], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cache-status: endhost; hit", r.stdout)

    def test_post_body_larger_than_the_window_reaches_the_origin(self):
        body = os.urandom(200 * 1024)  # past the 64 KiB initial windows: the proxy must give credit back
        client = H2Client(self.addr)
        try:
            sid = client.request("POST", "/post", body=body, extra=[("content-type", "application/octet-stream")])
            client.pump(lambda: sid in client.ended, timeout=20)
            self.assertEqual(client.headers[sid][":status"], "200")
            self.assertEqual(client.bodies[sid], b"posted")
        finally:
            client.close()
        with self.origin.lock:
            got = [b for m, p, _, b in self.origin.requests if m == "POST" and p == "/post"]
        self.assertEqual(got[-1], body)

    def test_via_says_the_request_came_over_http2(self):
        # RFC 9110 §7.6.3: the received-protocol is that of the message forwarded: "2" on the request that
        # came over HTTP/2, "1.1" on the response, which came from the origin over HTTP/1.1.
        version, status, fields, body = self.h2c("/via-h2")
        self.assertEqual(self.origin.last_headers("/via-h2").get("Via"), "2 endhost")
        self.assertEqual(fields["via"], "1.1 endhost")
        self.curl("--http1.1", self.url("/via-h1"))
        self.assertEqual(self.origin.last_headers("/via-h1").get("Via"), "1.1 endhost")

    def test_a_stream_reset_while_the_body_arrives_still_fills_the_cache(self):
        # As over HTTP/1.1, where a client that leaves does not stop a download being stored: the stream's
        # RST_STREAM(CANCEL) stops the writes to it, the fetch goes on, the next request is a hit.
        authority = "127.0.0.1:%d" % self.trickle.port
        client = H2Client(self.fwd_addr)
        try:
            sid = client.request("GET", "/trickle", authority=authority)
            client.pump(lambda: sid in client.headers and client.bodies.get(sid), timeout=20)
            self.assertIn("stored", client.headers[sid]["cache-status"])
            client.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
            client.flush()
            # The connection goes on while the fetch finishes behind it.
            ok = client.get("/")
            client.pump(lambda: ok in client.ended, timeout=20)
            self.assertLess(len(client.bodies[sid]), len(TRICKLE))
        finally:
            client.close()
        deadline = time.monotonic() + 10
        while True:
            client = H2Client(self.fwd_addr)
            try:
                sid = client.request("GET", "/trickle", authority=authority)
                client.pump(lambda: sid in client.ended, timeout=20)
            finally:
                client.close()
            if "hit" in client.headers[sid]["cache-status"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertRegex(client.headers[sid]["cache-status"], r"endhost; hit")
        self.assertEqual(client.bodies[sid], TRICKLE)
        self.assertEqual(self.trickle.connections, 1)

    # ---- CONNECT on a stream (RFC 9113 §8.5) ----------------------------------------------------------

    def tunnel(self, port, addr=None):
        client = H2Client(addr or self.tunnel_addr)
        sid = client.request("CONNECT", None, authority="127.0.0.1:%d" % port, open_stream=True)
        client.pump(lambda: sid in client.headers or sid in client.ended, timeout=20)
        return client, sid

    def test_connect_tunnels_bytes_both_ways_within_the_windows(self):
        client, sid = self.tunnel(self.echo.port)
        try:
            self.assertEqual(client.headers[sid][":status"], "200")
            self.assertNotIn("content-length", client.headers[sid])
            client.conn.send_data(sid, b"hello")
            client.flush()
            client.pump(lambda: client.bodies.get(sid, b"") == b"hello", timeout=20)
            # Past every 64 KiB window both ways: the proxy returns credit as the origin takes the bytes.
            payload = os.urandom(300 * 1024)
            client.send_body(sid, payload)  # then END_STREAM: the echo sees EOF and closes
            client.pump(lambda: sid in client.ended, timeout=30)
            self.assertEqual(client.bodies[sid], b"hello" + payload)
            # The connection carries on.
            ok = client.request("GET", "/after-tunnel", authority="127.0.0.1:%d" % self.origin.port)
            client.pump(lambda: ok in client.ended, timeout=20)
            self.assertEqual(client.bodies[ok], b"after the tunnel\n")
        finally:
            client.close()

    def test_connect_to_an_http_origin_and_the_origin_closing_ends_the_stream(self):
        client, sid = self.tunnel(self.origin.port)
        try:
            self.assertEqual(client.headers[sid][":status"], "200")
            client.conn.send_data(sid, b"GET /tunneled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            client.flush()
            client.pump(lambda: sid in client.ended, timeout=20)  # no END_STREAM from us: the origin's FIN
            self.assertRegex(client.bodies[sid], rb"^HTTP/1\.[01] 200 ")
            self.assertTrue(client.bodies[sid].endswith(b"\r\n\r\nthrough the tunnel\n"))
            self.assertFalse(any(isinstance(e, h2.events.StreamReset) for e in client.events), client.events)
        finally:
            client.close()
        self.assertNotIn("Via", self.origin.last_headers("/tunneled"))  # the bytes went untouched

    def test_connect_follows_the_http11_rules(self):
        # Ports: only --connect-port ones (403); the mode: a reverse proxy has no tunnels (405 with Allow).
        client, sid = self.tunnel(self.origin.port, addr=self.fwd_addr)
        try:
            client.pump(lambda: sid in client.ended, timeout=20)
            self.assertEqual(client.headers[sid][":status"], "403")
            ok = client.get("/")  # the connection goes on
            client.pump(lambda: ok in client.ended, timeout=20)
        finally:
            client.close()
        client, sid = self.tunnel(self.origin.port, addr=self.addr)
        try:
            client.pump(lambda: sid in client.ended, timeout=20)
            self.assertEqual(client.headers[sid][":status"], "405")
            self.assertNotIn("CONNECT", client.headers[sid]["allow"])
        finally:
            client.close()

    def test_a_tcp_reset_resets_the_stream_with_connect_error(self):
        client, sid = self.tunnel(self.resetter.port)
        try:
            self.assertEqual(client.headers[sid][":status"], "200")
            client.conn.send_data(sid, b"reset me\r\n\r\n")
            client.flush()
            client.pump(lambda: any(isinstance(e, h2.events.StreamReset) and e.stream_id == sid
                                    for e in client.events), timeout=20)
            reset = [e for e in client.events if isinstance(e, h2.events.StreamReset)][0]
            self.assertEqual(reset.error_code, h2.errors.ErrorCodes.CONNECT_ERROR)
        finally:
            client.close()

    def test_a_stream_reset_resets_the_tcp_connection(self):
        client, sid = self.tunnel(self.echo.port)
        try:
            client.conn.send_data(sid, b"ping")
            client.flush()
            client.pump(lambda: client.bodies.get(sid) == b"ping", timeout=20)
            client.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
            client.flush()
            deadline = time.monotonic() + 10
            while self.echo.open > 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(self.echo.open, 0)
        finally:
            client.close()

    def test_curl_proxy_http2(self):
        helps = subprocess.run(["curl", "--help", "all"], capture_output=True, text=True).stdout
        if "--proxy-http2" not in helps:
            self.skipTest("this curl has no --proxy-http2 (curl 8.1 added it)")
        r = subprocess.run(["curl", "-sS", "--proxy-http2", "--proxytunnel", "-x",
                            "http://%s:%d" % self.tunnel_addr, self.origin.url("/forward")],
                           capture_output=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout), (0, b"forwarded\n"), r.stderr)

    def test_body_cut_by_the_origin_resets_the_stream(self):
        client = H2Client(self.cut.address("proxy"))
        try:
            sid = client.get("/cut")
            client.pump(lambda: any(isinstance(e, h2.events.StreamReset) and e.stream_id == sid
                                    for e in client.events), timeout=20)
            self.assertNotIn(sid, client.ended)
        finally:
            client.close()

    # ---- the forward form -----------------------------------------------------------------------------

    def test_forward_form_names_the_origin_in_authority(self):
        authority = "127.0.0.1:%d" % self.origin.port
        client = H2Client(self.fwd_addr)
        try:
            first = client.request("GET", "/forward", authority=authority)
            client.pump(lambda: first in client.ended, timeout=20)
            second = client.request("GET", "/forward", authority=authority)
            client.pump(lambda: second in client.ended, timeout=20)
            https = client.request("GET", "/forward", authority=authority, scheme="https")
            client.pump(lambda: https in client.ended, timeout=20)
        finally:
            client.close()
        self.assertEqual(client.bodies[first], b"forwarded\n")
        self.assertIn("fwd=uri-miss", client.headers[first]["cache-status"])
        self.assertEqual(client.bodies[second], b"forwarded\n")
        self.assertIn("hit", client.headers[second]["cache-status"])
        self.assertEqual(self.origin.count("/forward"), 1)
        # An https URI is not something a forward proxy fetches for its client (that is CONNECT's job): 501,
        # as over HTTP/1.1.
        self.assertEqual(client.headers[https][":status"], "501")

    # ---- TLS -------------------------------------------------------------------------------------------

    def test_h2_by_alpn_and_http11_over_tls(self):
        url = "https://localhost:%d/tls" % self.tls_port
        version, status, fields, body = self.curl("--http2", url)
        self.assertEqual((version, status, body), ("HTTP/2", 200, b"over tls\n"))
        version, status, fields, body = self.curl("--http2", url)
        self.assertEqual(version, "HTTP/2")
        self.assertRegex(fields["cache-status"], r"endhost; hit")
        version, status, fields, body = self.curl("--http1.1", url)
        self.assertEqual((version, body), ("HTTP/1.1", b"over tls\n"))
        self.assertEqual(self.origin.count("/tls"), 1)

    # ---- logs ------------------------------------------------------------------------------------------

    def test_access_log_and_trace(self):
        self.h2c("/traced")
        self.h2c("/traced")
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline:
            with open(self.access_log) as f:
                lines = [l for l in f if "/traced" in l]
            if len(lines) >= 2:
                break
            time.sleep(0.1)
        self.assertEqual(len(lines), 2, lines)
        self.assertIn(" MISS ", lines[0])
        self.assertIn(" HIT ", lines[1])
        trace = "\n".join(self.reverse.stdout_lines)
        self.assertRegex(trace, r"C: HEADERS stream=\d+ .*:path=/traced")
        self.assertRegex(trace, r"S: HEADERS stream=\d+ .*:status=200")
