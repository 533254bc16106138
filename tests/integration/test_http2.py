"""HTTP/2 (RFC 9113) in `endhost web serve`, with independent clients: curl --http2 (ALPN h2 over TLS) and
--http2-prior-knowledge (h2c), nghttp, and the python h2 library for frame-level checks (SETTINGS, PING,
interleaving, RFC 9218 priorities, the attack limits ending a connection while another one is unaffected),
and `endhost fetch --http2` against our own server; then (Http2More) virtual hosts by :authority, a SIGTERM
drain while a stream is mid-body (nghttp -v), the SETTINGS ACK timeout, the SETTINGS, empty-DATA and
WINDOW_UPDATE floods and an HPACK table-size update over the wire, PRIORITY_UPDATE reordering, and the
trace's one "HTTP/2 in clear" note per connection. The servers start once per class."""

import base64
import gzip
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from endhost_test import ENDHOST, Server, TestCase, run, stop_all
from h2_util import H2Client
from web_util import make_site

USER, PASSWORD = "writer", "s3cret-pass"

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
BIG = os.urandom(2 * 1024 * 1024 + 77)
SMALL = b"small object\n" * 10
PAGE = ("<html><body>" + "".join('<img src="img%d.bin">' % i for i in range(4)) +
        '<img src="big.bin"></body></html>')


def site_files():
    files = {"index.html": PAGE, "big.bin": BIG, "text.txt": "compress me " * 2000,
             "dir/a.txt": "a\n", "dir/b.txt": "b\n"}
    for i in range(4):
        files["img%d.bin" % i] = SMALL
    return files


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


def frame(ftype, flags, stream, payload=b""):
    """One raw frame (RFC 9113 §4.1), for what the h2 library refuses to send."""
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


class RawH2:
    """Bytes straight onto a plain connection: the preface, SETTINGS, and whatever frames a test wants."""

    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=10)
        self.sock.sendall(PREFACE + frame(0x4, 0, 0))
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def frames(self, timeout=10):
        """Reads frames until the server closes; returns [(type, flags, stream, payload)]."""
        out = []
        deadline = time.monotonic() + timeout
        self.sock.settimeout(1)
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            if not data:
                break
            self.buf += data
        while len(self.buf) >= 9:
            length = int.from_bytes(self.buf[:3], "big")
            if len(self.buf) < 9 + length:
                break
            out.append((self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7fffffff,
                        self.buf[9:9 + length]))
            self.buf = self.buf[9 + length:]
        return out

    def goaway_code(self, timeout=10):
        for ftype, _, _, payload in self.frames(timeout):
            if ftype == 0x7:
                return int.from_bytes(payload[4:8], "big")
        return None


class Http2(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = make_site(site_files())
        cls.pki = tempfile.mkdtemp(prefix="endhost-h2-")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=cls.pki)
        cls.cert = os.path.join(cls.pki, "cert.pem")
        cls.plain = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "2",
                            "--compress", "--trace", "--push", "/index.html=/img0.bin,/img1.bin"])
        cls.addr = cls.plain.address("web")
        cls.auth = os.path.join(cls.pki, "users")
        subprocess.run(["htpasswd", "-B", "-b", "-c", cls.auth, USER, PASSWORD], check=True, capture_output=True)
        cls.tls = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "2",
                          "--tls-cert", cls.cert, "--tls-key", os.path.join(cls.pki, "key.pem"),
                          "--writable", "--auth", cls.auth])
        cls.tls_port = cls.tls.address("web")[1]

    @classmethod
    def tearDownClass(cls):
        stop_all([cls.plain, cls.tls], cls.root, cls.pki)

    def h2c_url(self, path):
        return "http://%s:%d%s" % (self.addr[0], self.addr[1], path)

    def tls_url(self, path):
        return "https://localhost:%d%s" % (self.tls_port, path)

    def curl(self, *args):
        return subprocess.run(["curl", "-sS", "--cacert", self.cert, "--resolve",
                               "localhost:%d:127.0.0.1" % self.tls_port] + list(args),
                              capture_output=True, timeout=60)

    def tls_context(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        ctx.set_alpn_protocols(["h2"])
        return ctx

    # ---- curl and nghttp ----------------------------------------------------------------------------

    def test_curl_h2c_prior_knowledge(self):
        r = self.curl("--http2-prior-knowledge", "-w", "%{http_version}", self.h2c_url("/big.bin"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout[:-1], BIG)
        self.assertEqual(r.stdout[-1:], b"2")

    def test_curl_h2_by_alpn_and_http11_still_works(self):
        r = self.curl("--http2", "-v", self.tls_url("/big.bin"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, BIG)
        self.assertIn(b"ALPN: server accepted h2", r.stderr)
        r = self.curl("--http1.1", self.tls_url("/big.bin"))
        self.assertEqual(r.stdout, BIG)
        r = subprocess.run(["curl", "-sS", self.h2c_url("/img0.bin")], capture_output=True, timeout=30)
        self.assertEqual(r.stdout, SMALL)  # HTTP/1.1 on the h2c port

    def test_tls_listen_beside_a_clear_listener(self):
        # --tls-listen: TLS (h2 and http/1.1 by ALPN) there, clear text (HTTP/1.1 and h2c) on --listen.
        server = Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
                         "--tls-cert", self.cert, "--tls-key", os.path.join(self.pki, "key.pem")])
        try:
            clear = server.address("web")
            rec = server.wait_log(lambda r: r.get("msg") == "listening" and r.get("protocol") == "https")
            tls = ("127.0.0.1", int(rec["address"].rpartition(":")[2]))
            self.assertNotEqual(clear[1], tls[1])
            r = subprocess.run(["curl", "-sS", "--cacert", self.cert, "--resolve", "localhost:%d:127.0.0.1" % tls[1],
                                "--http2", "-w", "%{http_version}", "-o", "/dev/null",
                                "https://localhost:%d/img0.bin" % tls[1]], capture_output=True, timeout=30)
            self.assertEqual((r.returncode, r.stdout), (0, b"2"), r.stderr)
            for flag, version in (("--http1.1", b"1.1"), ("--http2-prior-knowledge", b"2")):
                r = subprocess.run(["curl", "-sS", flag, "-w", "%{http_version}", "-o", "/dev/null",
                                    "http://127.0.0.1:%d/img0.bin" % clear[1]], capture_output=True, timeout=30)
                self.assertEqual((r.returncode, r.stdout), (0, version), r.stderr)
        finally:
            self.assertEqual(server.stop(), 0)
            server.__exit__()
        r = run(["web", "serve", "--root", self.root, "--tls-listen", "127.0.0.1:0"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--tls-listen needs --tls-cert and --tls-key", r.stderr)

    def test_static_semantics_over_h2(self):
        # HEAD, ranges, conditional GET, on-the-fly gzip and listings: the HTTP/1.1 handlers, framed as h2.
        r = self.curl("--http2-prior-knowledge", "-I", self.h2c_url("/big.bin"))
        self.assertIn(b"HTTP/2 200", r.stdout)
        self.assertIn(b"content-length: %d" % len(BIG), r.stdout.lower())
        etag = [l.split(b":", 1)[1].strip() for l in r.stdout.splitlines() if l.lower().startswith(b"etag:")][0]
        r = self.curl("--http2-prior-knowledge", "-r", "100-199", "-D", "-", "-o", "/dev/null",
                      self.h2c_url("/big.bin"))
        self.assertIn(b"HTTP/2 206", r.stdout)
        r = self.curl("--http2-prior-knowledge", "-r", "100-199", self.h2c_url("/big.bin"))
        self.assertEqual(r.stdout, BIG[100:200])
        r = self.curl("--http2-prior-knowledge", "-r", "0-9,20-29", self.h2c_url("/big.bin"))
        self.assertIn(BIG[0:10], r.stdout)
        self.assertIn(BIG[20:30], r.stdout)
        self.assertIn(b"Content-Range: bytes 20-29/", r.stdout)
        r = self.curl("--http2-prior-knowledge", "-H", b"If-None-Match: " + etag, "-w", "%{http_code}",
                      "-o", "/dev/null", self.h2c_url("/big.bin"))
        self.assertEqual(r.stdout, b"304")
        r = self.curl("--http2-prior-knowledge", "-H", "Accept-Encoding: gzip", self.h2c_url("/text.txt"))
        self.assertEqual(gzip.decompress(r.stdout), b"compress me " * 2000)
        r = self.curl("--http2-prior-knowledge", self.h2c_url("/dir/"))
        self.assertIn(b"a.txt", r.stdout)
        self.assertIn(b"b.txt", r.stdout)
        r = self.curl("--http2-prior-knowledge", "-w", "%{http_code}", "-o", "/dev/null",
                      self.h2c_url("/missing"))
        self.assertEqual(r.stdout, b"404")

    def test_nghttp_gets_a_page_and_its_assets(self):
        r = subprocess.run(["nghttp", "-ans", self.h2c_url("/index.html")], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        for path in ["/index.html", "/img0.bin", "/img3.bin", "/big.bin"]:
            self.assertRegex(out, r"200\s+\S+\s+%s" % path)
        r = subprocess.run(["nghttp", "-v", self.h2c_url("/img1.bin")], capture_output=True, timeout=60)
        self.assertIn(b"recv SETTINGS frame", r.stdout)
        self.assertIn(b":status: 200", r.stdout)

    def test_server_push_of_configured_objects(self):
        # RFC 9113 §8.4: PUSH_PROMISE for --push's objects, served on even streams; nghttp marks them '*'.
        r = subprocess.run(["nghttp", "-ns", self.h2c_url("/index.html")], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertRegex(out, r"\n\s*2\s+\S+ \*\s+.*200\s+\S+\s+/img0\.bin")
        self.assertRegex(out, r"\n\s*4\s+\S+ \*\s+.*200\s+\S+\s+/img1\.bin")
        # A client that says SETTINGS_ENABLE_PUSH=0 gets none.
        c = H2Client(self.addr, settings={h2.settings.SettingCodes.ENABLE_PUSH: 0})
        self.addCleanup(c.close)
        sid = c.get("/index.html")
        c.pump(lambda: sid in c.ended)
        self.assertFalse([e for e in c.events if isinstance(e, h2.events.PushedStreamReceived)])
        self.assertEqual(c.bodies[sid], PAGE.encode())
        # With push on, the promise carries the request and its response arrives on the promised stream.
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        sid = c.get("/index.html")
        c.pump(lambda: sid in c.ended and len(c.ended) >= 3)
        pushes = [e for e in c.events if isinstance(e, h2.events.PushedStreamReceived)]
        self.assertEqual(sorted(dict(e.headers)[b":path"] for e in pushes), [b"/img0.bin", b"/img1.bin"])
        for e in pushes:
            self.assertEqual(c.bodies[e.pushed_stream_id], SMALL)

    def test_push_of_link_preload_fields(self):
        # --add-header gives a path's responses extra fields, in both framings; over h2 the same-origin
        # targets of `Link: <…>; rel=preload` among them are pushed (not those with nopush, nor another
        # origin's), unless the client disabled push or already asked for them on the connection.
        server = Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--add-header",
                         "/index.html=Link: </img2.bin>; rel=preload; as=image, <img3.bin>; rel=preload",
                         "--add-header", "/index.html=Link: </dir/a.txt>; rel=preload; nopush, "
                         "<http://elsewhere.example/x.js>; rel=preload, </text.txt>; rel=prefetch",
                         "--add-header", "/text.txt=X-Extra: yes"])
        self.addCleanup(server.__exit__, None, None, None)
        addr = server.address("web")
        url = "http://%s:%d" % addr
        out = self.curl("--http1.1", "-sI", url + "/index.html").stdout.decode()
        self.assertIn("Link: </img2.bin>; rel=preload; as=image, <img3.bin>; rel=preload\r\n", out)
        self.assertIn("X-Extra: yes\r\n", self.curl("--http1.1", "-sI", url + "/text.txt").stdout.decode())
        self.assertNotIn("X-Extra", self.curl("-sI", url + "/missing").stdout.decode())  # not on errors
        r = subprocess.run(["nghttp", "-v", "-n", url + "/index.html"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        # nghttp prints a promise's request fields, then the frame's line.
        before = r.stdout.decode().split("recv PUSH_PROMISE frame")[:-1]
        paths = sorted(re.findall(r":path: (\S+)", chunk)[-1] for chunk in before)
        self.assertEqual(paths, ["/img2.bin", "/img3.bin"])
        r = subprocess.run(["nghttp", "-ns", url + "/index.html"], capture_output=True, timeout=60)
        self.assertRegex(r.stdout.decode(), r"\n\s*2\s+\S+ \*\s+.*200\s+\S+\s+/img2\.bin")
        # SETTINGS_ENABLE_PUSH=0: none.
        c = H2Client(addr, settings={h2.settings.SettingCodes.ENABLE_PUSH: 0})
        self.addCleanup(c.close)
        sid = c.get("/index.html")
        c.pump(lambda: sid in c.ended)
        self.assertFalse([e for e in c.events if isinstance(e, h2.events.PushedStreamReceived)])
        self.assertIn("rel=preload", c.headers[sid]["link"])
        # Asked for on the connection already: not pushed; and nothing is pushed twice.
        c = H2Client(addr)
        self.addCleanup(c.close)
        sid = c.get("/img2.bin")
        c.pump(lambda: sid in c.ended)
        sid = c.get("/index.html")
        c.pump(lambda: sid in c.ended and len(c.ended) >= 3)
        pushes = [e for e in c.events if isinstance(e, h2.events.PushedStreamReceived)]
        self.assertEqual([dict(e.headers)[b":path"] for e in pushes], [b"/img3.bin"])
        self.assertEqual(c.bodies[pushes[0].pushed_stream_id], SMALL)
        sid = c.get("/index.html")
        c.pump(lambda: sid in c.ended)
        self.assertEqual(len([e for e in c.events if isinstance(e, h2.events.PushedStreamReceived)]), 1)
        self.assertEqual(server.stop(), 0, server.log[-5:])

    # ---- writes (PUT, DELETE, POST) over h2 --------------------------------------------------------

    def write_server(self):
        """A writable plain server of its own (h2c by prior knowledge), its root, and a 4 MiB upload limit."""
        root = make_site({"keep.txt": "keep\n"})
        self.addCleanup(shutil.rmtree, root, True)
        self.access_log = root + ".log"
        self.addCleanup(lambda: os.path.exists(self.access_log) and os.unlink(self.access_log))
        server = Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--writable", "--auth",
                         self.auth, "--max-upload", str(4 * 1024 * 1024), "--access-log", self.access_log])
        self.addCleanup(server.__exit__, None, None, None)
        return server, root, "http://%s:%d" % server.address("web")

    def test_put_delete_and_auth_over_h2(self):
        upload = os.path.join(self.pki, "upload.bin")
        with open(upload, "wb") as f:
            f.write(BIG)
        creds = "%s:%s" % (USER, PASSWORD)
        # h2 by ALPN: a multi-megabyte PUT arrives whole (its DATA far beyond one stream window).
        r = self.curl("--http2", "-u", creds, "-T", upload, "-w", "%{http_code} %{http_version}", "-o", "/dev/null",
                      self.tls_url("/uploaded.bin"))
        self.assertEqual(r.stdout, b"201 2", r.stderr)
        with open(os.path.join(self.root, "uploaded.bin"), "rb") as f:
            self.assertEqual(f.read(), BIG)
        r = self.curl("--http2", "-u", creds, "-X", "DELETE", "-w", "%{http_code} %{http_version}", "-o",
                      "/dev/null", self.tls_url("/uploaded.bin"))
        self.assertEqual(r.stdout, b"204 2", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "uploaded.bin")))
        # h2c by prior knowledge: created, then replaced; without a length (from a pipe) too.
        server, root, url = self.write_server()
        for expected in [b"201 2", b"204 2"]:
            r = self.curl("--http2-prior-knowledge", "-u", creds, "-T", upload, "-w",
                          "%{http_code} %{http_version}", "-o", "/dev/null", url + "/up.bin")
            self.assertEqual(r.stdout, expected, r.stderr)
            with open(os.path.join(root, "up.bin"), "rb") as f:
                self.assertEqual(f.read(), BIG)
        r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-u", creds, "-T", "-", "-w",
                            "%{http_code} %{http_version}", "-o", "/dev/null", url + "/piped.bin"],
                           input=BIG[:3 * 1024 * 1024], capture_output=True, timeout=60)
        self.assertEqual(r.stdout, b"201 2", r.stderr)
        with open(os.path.join(root, "piped.bin"), "rb") as f:
            self.assertEqual(f.read(), BIG[:3 * 1024 * 1024])
        # A multipart POST to a directory stores the form's file.
        r = self.curl("--http2-prior-knowledge", "-u", creds, "-F", "file=@%s;filename=form.bin" % upload, "-w",
                      " %{http_code} %{http_version}", url + "/")
        self.assertEqual(r.stdout, b'{"stored":["form.bin"]}\n 201 2', r.stderr)
        with open(os.path.join(root, "form.bin"), "rb") as f:
            self.assertEqual(f.read(), BIG)
        r = self.curl("--http2-prior-knowledge", "-u", creds, "-X", "DELETE", "-w", "%{http_code}", "-o",
                      "/dev/null", url + "/up.bin")
        self.assertEqual(r.stdout, b"204", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(root, "up.bin")))
        r = self.curl("--http2-prior-knowledge", "-u", creds, "-X", "DELETE", "-w", "%{http_code}", "-o",
                      "/dev/null", url + "/up.bin")
        self.assertEqual(r.stdout, b"404", r.stderr)
        # Authentication fails the same way as over HTTP/1.1: 401 with the Basic challenge, nothing written.
        # (The refused body is small: it is read and dropped, and the stream ends as curl 7.88 expects.)
        small = os.path.join(self.pki, "small.txt")
        with open(small, "wb") as f:
            f.write(SMALL)
        for auth in [[], ["-u", USER + ":wrong"], ["-u", "nobody:" + PASSWORD]]:
            r = self.curl("--http2-prior-knowledge", *auth, "-T", small, "-D", "-", "-o", "/dev/null",
                          url + "/denied.bin")
            out = r.stdout.decode()
            self.assertIn("HTTP/2 401", out, r.stderr)
            self.assertIn('www-authenticate: Basic realm="endhost"', out)
            self.assertFalse(os.path.exists(os.path.join(root, "denied.bin")))
        r = self.curl("--http2-prior-knowledge", "-X", "DELETE", "-w", "%{http_code}", "-o", "/dev/null",
                      url + "/keep.txt")
        self.assertEqual(r.stdout, b"401", r.stderr)
        self.assertTrue(os.path.exists(os.path.join(root, "keep.txt")))
        self.assertEqual(sorted(os.listdir(root)), ["form.bin", "keep.txt", "piped.bin"])
        # On a read-only server the method is refused the same way in either framing; the small body that
        # comes after the HEADERS is read and dropped before the answer, whichever arrives first (curl 7.88
        # would fail on the RST_STREAM(NO_ERROR) of an answer that beat it).
        for _ in range(5):
            r = self.curl("--http2-prior-knowledge", "-X", "PUT", "-d", "x" * 50000, "-w", "%{http_code}", "-o",
                          "/dev/null", self.h2c_url("/new.txt"))
            self.assertEqual(r.stdout, b"405", r.stderr)
        self.assertEqual(server.stop(), 0, server.log[-5:])
        # The access log names who wrote, as over HTTP/1.1.
        with open(self.access_log) as f:
            log = f.read()
        self.assertRegex(log, r'127\.0\.0\.1 - writer \[[^]]+\] "PUT /up\.bin HTTP/2\.0" 201 ')
        self.assertRegex(log, r'127\.0\.0\.1 - - \[[^]]+\] "PUT /denied\.bin HTTP/2\.0" 401 ')

    @staticmethod
    def send_body(c, sid, data, end_stream):
        """Sends `data` on the stream as the flow-control windows allow, reading the server's updates."""
        def reset():
            return any(isinstance(e, h2.events.StreamReset) and e.stream_id == sid for e in c.events)

        sent = 0
        while sent < len(data) or end_stream:
            if reset():
                return False
            room = min(c.conn.local_flow_control_window(sid), c.conn.max_outbound_frame_size, len(data) - sent)
            if room == 0 and sent < len(data):
                c.pump(lambda: reset() or c.conn.local_flow_control_window(sid) > 0)
                continue
            last = sent + room == len(data)
            c.conn.send_data(sid, data[sent:sent + room], end_stream=end_stream and last)
            c.flush()
            sent += room
            if last:
                return True

    def start_upload(self, addr, path, size):
        """A python-h2 PUT that sends `size` bytes and stops, once the server has returned credit for them
        (so it has read and written them); returns the client and the stream."""
        c = H2Client(addr)
        self.addCleanup(c.close)
        token = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        sid = c.conn.get_next_available_stream_id()
        c.conn.send_headers(sid, [(":method", "PUT"), (":scheme", "http"), (":authority", "localhost"),
                                  (":path", path), ("authorization", "Basic " + token)])
        c.flush()
        self.send_body(c, sid, BIG[:size], end_stream=False)
        # The server returns credit as the body is consumed: wait for a WINDOW_UPDATE on the stream.
        c.pump(lambda: any(isinstance(e, h2.events.WindowUpdated) and e.stream_id == sid for e in c.events))
        return c, sid

    def test_reset_or_lost_connection_mid_upload_leaves_no_file(self):
        server, root, url = self.write_server()
        addr = server.address("web")
        c, sid = self.start_upload(addr, "/partial.bin", 1536 * 1024)
        c.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        c.flush()
        # The connection goes on: a later request on it is answered, and nothing was published.
        sid2 = c.get("/partial.bin")
        c.pump(lambda: sid2 in c.ended)
        self.assertEqual(c.headers[sid2][":status"], "404")
        self.assertEqual(os.listdir(root), ["keep.txt"])
        c, sid = self.start_upload(addr, "/lost.bin", 1536 * 1024)
        c.close()
        # A request on a new connection is served after the lost one's upload was given up.
        c = H2Client(addr)
        self.addCleanup(c.close)
        sid = c.get("/keep.txt")
        c.pump(lambda: sid in c.ended)
        self.assertEqual(c.bodies[sid], b"keep\n")
        time.sleep(0.5)
        self.assertEqual(os.listdir(root), ["keep.txt"])
        # Over the limit (4 MiB): 413 from the announced length before any DATA is read, or as a body without
        # one passes the limit; then RST_STREAM(NO_ERROR) stops the rest (RFC 9113 §8.1). Nothing is kept.
        token = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        for extra in [[("content-length", str(5 * 1024 * 1024))], []]:
            c = H2Client(addr)
            self.addCleanup(c.close)
            sid = c.conn.get_next_available_stream_id()
            c.conn.send_headers(sid, [(":method", "PUT"), (":scheme", "http"), (":authority", "localhost"),
                                      (":path", "/huge.bin"), ("authorization", "Basic " + token)] + extra)
            c.flush()
            if not extra:
                body = BIG * 5  # more than the limit, the drain and the window together
                self.assertFalse(self.send_body(c, sid, body, end_stream=False))  # stopped by the reset
            c.pump(lambda: sid in c.headers and any(
                isinstance(e, h2.events.StreamReset) and e.stream_id == sid for e in c.events))
            self.assertEqual(c.headers[sid][":status"], "413")
            reset = [e for e in c.events if isinstance(e, h2.events.StreamReset) and e.stream_id == sid]
            self.assertEqual(reset[0].error_code, h2.errors.ErrorCodes.NO_ERROR)
        self.assertEqual(os.listdir(root), ["keep.txt"])
        # A complete python-h2 upload on the same server arrives whole.
        c, sid = self.start_upload(addr, "/whole.bin", 1536 * 1024)
        self.send_body(c, sid, BIG[1536 * 1024:], end_stream=True)
        c.pump(lambda: sid in c.ended)
        self.assertEqual(c.headers[sid][":status"], "201")
        with open(os.path.join(root, "whole.bin"), "rb") as f:
            self.assertEqual(f.read(), BIG)
        self.assertEqual(server.stop(), 0, server.log[-5:])

    def test_expect_continue_over_h2(self):
        # RFC 9110 §10.1.1 in HTTP/2: a 100 as an interim HEADERS once the write is accepted, then the body.
        server, root, url = self.write_server()
        c = H2Client(server.address("web"))
        self.addCleanup(c.close)
        token = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        for path, auth, final in [("/e.txt", "Basic " + token, "201"), ("/no.txt", "Basic eDp5", "401")]:
            sid = c.conn.get_next_available_stream_id()
            c.conn.send_headers(sid, [(":method", "PUT"), (":scheme", "http"), (":authority", "localhost"),
                                      (":path", path), ("authorization", auth), ("expect", "100-continue"),
                                      ("content-length", "5")])
            c.flush()
            c.pump(lambda: sid in c.headers or any(
                isinstance(e, h2.events.InformationalResponseReceived) and e.stream_id == sid for e in c.events))
            interim = [e for e in c.events if isinstance(e, h2.events.InformationalResponseReceived)
                       and e.stream_id == sid]
            if final == "201":
                self.assertEqual(dict(interim[0].headers)[b":status"], b"100")
                c.conn.send_data(sid, b"hello", end_stream=True)
                c.flush()
            else:
                self.assertFalse(interim)  # refused before the body: no 100
            c.pump(lambda: sid in c.headers)
            self.assertEqual(c.headers[sid][":status"], final)
        with open(os.path.join(root, "e.txt"), "rb") as f:
            self.assertEqual(f.read(), b"hello")
        self.assertFalse(os.path.exists(os.path.join(root, "no.txt")))
        self.assertEqual(server.stop(), 0, server.log[-5:])

    def test_sessions_over_h2(self):
        state = tempfile.mkdtemp(prefix="endhost-h2-state-")
        self.addCleanup(shutil.rmtree, state, True)
        server = Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--sessions", "--state",
                         state])
        self.addCleanup(server.__exit__, None, None, None)
        url = "http://%s:%d" % server.address("web")
        jar = os.path.join(state, "jar")
        # A new visitor gets its cookie over h2 (no retry over HTTP/1.1), and the jar brings it back.
        r = self.curl("--http2-prior-knowledge", "-c", jar, "-b", jar, "-D", "-", "-o", "/dev/null",
                      url + "/index.html")
        out = r.stdout.decode()
        self.assertIn("HTTP/2 200", out, r.stderr)
        self.assertRegex(out, r"set-cookie: endhost_session=[0-9a-f]{32}; ")
        self.assertIn("cache-control: private", out)
        r = self.curl("--http2-prior-knowledge", "-c", jar, "-b", jar, url + "/_session")
        info = json.loads(r.stdout)
        self.assertEqual(info["visits"], 2)
        # RFC 9113 §8.2.3: the cookie split into crumbs, one field each, is the same cookie.
        c = H2Client(server.address("web"))
        self.addCleanup(c.close)
        sid = c.get("/_session", extra=[("cookie", "theme=dark"), ("cookie", "endhost_session=" + info["id"]),
                                        ("cookie", "lang=en")])
        c.pump(lambda: sid in c.ended)
        self.assertEqual(json.loads(c.bodies[sid]), {"id": info["id"], "visits": 3})
        self.assertNotIn("set-cookie", c.headers[sid])
        self.assertEqual(c.headers[sid]["cache-control"], "no-store")
        self.assertEqual(server.stop(), 0, server.log[-5:])

    # ---- frames ---------------------------------------------------------------------------------------

    def test_settings_ping_and_interleaving(self):
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        c.pump(lambda: any(isinstance(e, h2.events.RemoteSettingsChanged) for e in c.events))
        settings = [e for e in c.events if isinstance(e, h2.events.RemoteSettingsChanged)][0].changed_settings
        self.assertEqual(settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS].new_value, 100)
        c.conn.ping(b"12345678")
        c.flush()
        c.pump(lambda: any(isinstance(e, h2.events.PingAckReceived) for e in c.events))
        # The lecture's head-of-line blocking: the small objects, asked for after the big one, end first.
        big = c.get("/big.bin")
        small = [c.get("/img%d.bin" % i) for i in range(4)]
        c.pump(lambda: big in c.ended)
        self.assertEqual(c.bodies[big], BIG)
        for s in small:
            self.assertEqual(c.bodies[s], SMALL)
            self.assertLess(c.ended.index(s), c.ended.index(big))

    def test_priority_header_orders_responses(self):
        # RFC 9218: u=0 before the default u=3, whatever the order of the requests.
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        first = c.get("/big.bin", extra=[("priority", "u=5")])
        urgent = c.get("/big.bin", extra=[("priority", "u=0")])
        c.pump(lambda: first in c.ended and urgent in c.ended, timeout=20)
        self.assertLess(c.ended.index(urgent), c.ended.index(first))

    def test_h2_over_tls_with_python(self):
        c = H2Client(("127.0.0.1", self.tls_port), tls_context=self.tls_context())
        self.addCleanup(c.close)
        sid = c.get("/img2.bin")
        c.pump(lambda: sid in c.ended)
        self.assertEqual(c.headers[sid][":status"], "200")
        self.assertEqual(c.bodies[sid], SMALL)

    def test_tls_streams_share_the_gathered_writes(self):
        # Over TLS a turn's frames and file bytes go out as one buffer: the large file, a byteranges response
        # (file parts between memory parts) and small files, concurrent on one connection, each arrive whole,
        # and a small one is not held behind the large one's turns.
        c = H2Client(("127.0.0.1", self.tls_port), tls_context=self.tls_context())
        self.addCleanup(c.close)
        big = c.get("/big.bin")
        ranged = c.get("/big.bin", extra=[("range", "bytes=10-300000,1000000-1300000,2097000-")])
        c.pump(lambda: big in c.bodies and len(c.bodies[big]) > 0, timeout=20)
        small = [c.get("/img%d.bin" % i) for i in range(3)]
        c.pump(lambda: all(s in c.ended for s in small + [big, ranged]), timeout=30)
        self.assertEqual(c.bodies[big], BIG)
        for sid in small:
            self.assertEqual(c.bodies[sid], SMALL)
        self.assertLess(max(c.ended.index(s) for s in small), c.ended.index(big))
        self.assertEqual(c.headers[ranged][":status"], "206")
        body = c.bodies[ranged]
        for part in (BIG[10:300001], BIG[1000000:1300001], BIG[2097000:]):
            self.assertIn(part, body)

    def test_header_list_too_large_gets_431_and_the_connection_goes_on(self):
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        sid = c.get("/img0.bin", extra=[("x-big-%d" % i, "v" * 4000) for i in range(20)])
        c.pump(lambda: sid in c.ended or c.terminated is not None)
        self.assertEqual(c.headers[sid][":status"], "431")
        sid2 = c.get("/img1.bin")
        c.pump(lambda: sid2 in c.ended)
        self.assertEqual(c.bodies[sid2], SMALL)

    def test_protocol_errors_end_the_connection_with_goaway(self):
        # DATA on an idle stream (§5.1), a frame bigger than our SETTINGS_MAX_FRAME_SIZE (§4.2).
        raw = RawH2(self.addr)
        raw.send(frame(0x0, 0x1, 5, b"x"))
        self.assertEqual(raw.goaway_code(), 0x1)  # PROTOCOL_ERROR
        raw = RawH2(self.addr)
        raw.send(frame(0x6, 0, 0, b"x" * 20000))
        self.assertEqual(raw.goaway_code(), 0x6)  # FRAME_SIZE_ERROR

    def test_attacks_end_that_connection_only(self):
        bystander = H2Client(self.addr)
        self.addCleanup(bystander.close)
        enc = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        enc.initiate_connection()
        enc.data_to_send()
        # Rapid reset (CVE-2023-44487): open and cancel streams as fast as possible.
        raw = RawH2(self.addr)
        burst = b""
        for i in range(1000):
            sid = 1 + 2 * i
            enc.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":authority", "x"),
                                   (":path", "/big.bin")])
            enc.reset_stream(sid)
            burst += enc.data_to_send()
        raw.send(burst)
        self.assertEqual(raw.goaway_code(), 0xb)  # ENHANCE_YOUR_CALM
        # A PING flood, and a CONTINUATION flood that never ends its field block.
        raw = RawH2(self.addr)
        raw.send(b"".join(frame(0x6, 0, 0, b"%08d" % i) for i in range(5000)))
        self.assertEqual(raw.goaway_code(), 0xb)
        raw = RawH2(self.addr)
        raw.send(frame(0x1, 0, 1, b"\x82") + b"".join(frame(0x9, 0, 1, b"\x00" * 16000) for i in range(20)))
        self.assertEqual(raw.goaway_code(), 0xb)
        # The other connection still works.
        sid = bystander.get("/img3.bin")
        bystander.pump(lambda: sid in bystander.ended)
        self.assertEqual(bystander.bodies[sid], SMALL)

    def test_small_client_window_still_downloads(self):
        # RFC 9113 §6.9: any window is allowed; a client granting 100 bytes at a time is slow, not an attack.
        c = H2Client(self.addr, settings={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 100})
        self.addCleanup(c.close)
        sid = c.get("/text.txt")
        c.pump(lambda: sid in c.ended or c.terminated is not None, timeout=60)
        self.assertIsNone(c.terminated)
        self.assertEqual(c.bodies[sid], b"compress me " * 2000)

    def test_timeouts_close_idle_and_unfinished_connections(self):
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--keepalive-timeout", "1",
                     "--header-timeout", "1"]) as s:
            addr = s.address("web")
            started = time.monotonic()
            idle = RawH2(addr)  # the preface and SETTINGS, then nothing: GOAWAY(NO_ERROR) at the idle timeout
            self.assertEqual(idle.goaway_code(timeout=10), 0x0)
            self.assertLess(time.monotonic() - started, 8)
            half = RawH2(addr)  # a HEADERS frame that never gets its CONTINUATION
            half.send(frame(0x1, 0x1, 1, b"\x82"))
            self.assertEqual(half.goaway_code(timeout=10), 0x0)
            partial = socket.create_connection(addr, timeout=10)  # half a preface
            partial.sendall(PREFACE[:10])
            partial.settimeout(10)
            started = time.monotonic()
            try:
                while partial.recv(4096):
                    pass
            except ConnectionResetError:
                pass
            self.assertLess(time.monotonic() - started, 8)
            partial.close()
            s.stop()

    def test_trace_shows_decoded_frames(self):
        r = self.curl("--http2-prior-knowledge", "-o", "/dev/null", self.h2c_url("/img0.bin?traced"))
        self.assertEqual(r.returncode, 0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("traced" in l and "HEADERS" in l
                                                      for l in self.plain.stdout_lines):
            time.sleep(0.05)
        lines = "\n".join(self.plain.stdout_lines)
        self.assertRegex(lines, r"C: HEADERS stream=(\d+) .*:method=GET .*:path=/img0\.bin\?traced")
        self.assertRegex(lines, r"S: HEADERS stream=\d+ .*:status=200")
        self.assertRegex(lines, r"S: DATA stream=\d+ flags=END_STREAM len=%d" % len(SMALL))
        self.assertIn("S: SETTINGS stream=0 MAX_CONCURRENT_STREAMS=100", lines)

    # ---- endhost fetch --------------------------------------------------------------------------------

    def test_fetch_http2_against_our_server(self):
        out = os.path.join(self.pki, "got.bin")
        r = run(["fetch", "--http2", "--cacert", self.cert, "-s", "-o", out, "-w", "%{http_code}",
                 "--resolve", "localhost:%d:127.0.0.1" % self.tls_port, self.tls_url("/big.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), BIG)
        r = run(["fetch", "--http2-prior-knowledge", "-v", "-s", self.h2c_url("/img0.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, SMALL.decode())
        self.assertRegex(r.stderr, r"C: HEADERS stream=1 .*:path=/img0\.bin")
        self.assertRegex(r.stderr, r"S: DATA stream=1 flags=END_STREAM")

    def test_fetch_page_mode_h2_uses_one_connection(self):
        r = run(["fetch", "--page", self.h2c_url("/index.html"), "--mode", "h2", "--json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"connections":1', r.stdout.replace(" ", ""))
        self.assertIn('"requests":6', r.stdout.replace(" ", ""))


def priority_update(stream, value):
    """A PRIORITY_UPDATE frame (RFC 9218 §7.1: type 0x10 on stream 0, the prioritized stream id, the value)."""
    return frame(0x10, 0, 0, struct.pack(">I", stream) + value)


class Http2More(TestCase):
    """Virtual hosts over h2, the drain of a stream mid-body, the SETTINGS ACK timeout, the floods and an
    HPACK table-size update over the wire, PRIORITY_UPDATE, and the transcript's per-connection note. One
    traced server with two sites and a default; the drain test starts its own (it stops it)."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_site(site_files())
        cls.site_a = make_site({"who.txt": "site a\n"})
        cls.site_b = make_site({"who.txt": "site b\n"})
        cls.server = Server(["web", "serve", "--root", cls.root, "--vhost", "a.test=" + cls.site_a, "--vhost",
                             "b.test=" + cls.site_b, "--listen", "127.0.0.1:0", "--threads", "2", "--trace"])
        cls.addr = cls.server.address("web")

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__()
        for d in (cls.root, cls.site_a, cls.site_b):
            shutil.rmtree(d, True)
        assert code == 0, code

    def test_vhosts_over_h2_by_authority(self):
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        got = {}
        for authority in ("a.test", "b.test", "other.test"):
            got[authority] = c.request("GET", "/who.txt", authority=authority)
        c.pump(lambda: all(sid in c.ended for sid in got.values()))
        self.assertEqual(c.bodies[got["a.test"]], b"site a\n")
        self.assertEqual(c.bodies[got["b.test"]], b"site b\n")
        self.assertEqual(c.headers[got["other.test"]][":status"], "404")  # the default root has no who.txt
        # curl over h2c: its Host becomes :authority.
        r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--connect-to", "b.test:%d:%s:%d" %
                            (self.addr[1], self.addr[0], self.addr[1]), "http://b.test:%d/who.txt" % self.addr[1]],
                           capture_output=True, timeout=30)
        self.assertEqual(r.stdout, b"site b\n", r.stderr)

    def test_settings_ack_timeout_ends_the_connection(self):
        # RFC 9113 §6.5.3: our SETTINGS unacknowledged for 10 s (ConnectionConfig::settings_timeout, no option).
        raw = RawH2(self.addr)  # sends its preface and SETTINGS, never the ACK of ours
        self.addCleanup(raw.sock.close)
        started = time.monotonic()
        self.assertEqual(raw.goaway_code(timeout=20), 0x4)  # SETTINGS_TIMEOUT
        self.assertGreater(time.monotonic() - started, 8)

    def attack(self, data, code):
        bystander = H2Client(self.addr)
        self.addCleanup(bystander.close)
        raw = RawH2(self.addr)
        self.addCleanup(raw.sock.close)
        raw.send(frame(0x4, 0x1, 0) + data)  # ACK their SETTINGS, then the attack
        self.assertEqual(raw.goaway_code(), code)
        sid = bystander.get("/img3.bin")
        bystander.pump(lambda: sid in bystander.ended)
        self.assertEqual(bystander.bodies[sid], SMALL)

    def test_settings_flood_is_enhance_your_calm(self):
        self.attack(b"".join(frame(0x4, 0, 0) for _ in range(5000)), 0xb)

    def test_empty_data_flood_is_enhance_your_calm(self):
        enc = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        enc.initiate_connection()
        enc.data_to_send()
        enc.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":authority", "x"), (":path", "/up")])
        self.attack(enc.data_to_send() + b"".join(frame(0x0, 0, 1) for _ in range(5000)), 0xb)

    def test_window_update_flood_is_enhance_your_calm(self):
        # On a stream whose response waits for window (2 MiB against the client's 65,535).
        enc = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        enc.initiate_connection()
        enc.data_to_send()
        enc.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "x"), (":path", "/big.bin")],
                         end_stream=True)
        self.attack(enc.data_to_send() + b"".join(frame(0x8, 0, 1, struct.pack(">I", 1)) for _ in range(5000)),
                    0xb)

    def test_hpack_table_size_update_above_the_setting_is_compression_error(self):
        # RFC 7541 §6.3, §4.2: a dynamic table size update to 65,536, above our SETTINGS_HEADER_TABLE_SIZE 4,096.
        block = b"\x3f\xe1\xff\x03" + b"\x82\x86\x84\x41\x01x"
        self.attack(frame(0x1, 0x5, 1, block), 0x9)  # COMPRESSION_ERROR

    def test_priority_update_over_the_wire_reorders(self):
        # RFC 9218 §7.1: the later request asks for u=7 and would end last; a PRIORITY_UPDATE to u=0 sent with
        # it puts it first.
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        head = [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/big.bin")]
        first = c.conn.get_next_available_stream_id()
        c.conn.send_headers(first, head, end_stream=True)
        later = c.conn.get_next_available_stream_id()
        c.conn.send_headers(later, head + [("priority", "u=7")], end_stream=True)
        c.sock.sendall(c.conn.data_to_send() + priority_update(later, b"u=0"))
        c.pump(lambda: first in c.ended and later in c.ended, timeout=30)
        self.assertEqual(c.bodies[later], BIG)
        self.assertLess(c.ended.index(later), c.ended.index(first))

    def test_transcript_notes_h2c_once_per_connection(self):
        c = H2Client(self.addr)
        self.addCleanup(c.close)
        port = c.sock.getsockname()[1]
        sid = c.get("/img0.bin?noted")
        c.pump(lambda: sid in c.ended)
        deadline = time.monotonic() + 10
        mine = []
        while time.monotonic() < deadline:
            mine = [l for l in self.server.stdout_lines if ":%d" % port in l]
            if any("noted" in l for l in mine):
                break
            time.sleep(0.05)
        self.assertEqual(len([l for l in mine if "HTTP/2 in clear" in l]), 1, "\n".join(mine[:5]))

    def test_sigterm_drain_lets_a_stream_mid_body_finish(self):
        # RFC 9113 §6.8: GOAWAY names the last stream we act on; that stream still completes. --limit-rate
        # keeps the 2 MiB body going for about 4 s, and nghttp -v prints the frames.
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--limit-rate", "512k",
                     "--grace", "30"]) as s:
            addr = s.address("web")
            client = subprocess.Popen(["nghttp", "-v", "-n", "http://%s:%d/big.bin" % addr],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            time.sleep(1.5)
            s.proc.send_signal(signal.SIGTERM)
            out, _ = client.communicate(timeout=60)
            out = out.decode("utf-8", "replace")
            self.assertEqual(client.returncode, 0, out[-2000:])
            sid = int(re.search(r"send HEADERS frame <[^>]*stream_id=(\d+)>", out).group(1))
            goaway = re.search(r"recv GOAWAY frame <[^>]*>\s*\(last_stream_id=(\d+), error_code=(\w+)", out)
            self.assertIsNotNone(goaway, out[-2000:])
            self.assertEqual(int(goaway.group(1)), sid)
            self.assertEqual(goaway.group(2), "NO_ERROR")
            # The GOAWAY came while the body was still flowing: DATA after it, ending the stream.
            after = out[goaway.end():]
            self.assertRegex(after, r"recv DATA frame <length=\d+, flags=0x01, stream_id=%d>" % sid)
            # The drain ends by itself once the stream is done (a second SIGTERM would be "stop at once").
            self.assertEqual(s.proc.wait(timeout=30), 0, s.log[-5:])


if __name__ == "__main__":
    import unittest
    unittest.main()
