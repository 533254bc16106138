"""TLS on every TCP listener (--tls-cert/--tls-key): the web server and the proxy with curl --cacert, the
versions and ALPN with openssl s_client, echo and DNS over TLS (RFC 7858 framing) with python's ssl, SNI
choosing between two certificates, SIGHUP picking up a renewed certificate while an old connection keeps
working, and one clear line for a bad certificate. Certificates come from a throwaway CA made here with the
openssl command."""

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

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from endhost_test import Server, TestCase, run

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = os.path.join(HERE, "..", "..", "examples", "zones")


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


class Pki:
    """A private CA and leaf certificates signed by it (EC P-256), in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="endhost-tls-")
        self.ca = os.path.join(self.dir, "ca.crt")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=endhost test CA", cwd=self.dir)

    def leaf(self, stem, names, subject=None):
        """(cert, key) paths for a certificate naming `names` (DNS names; 127.0.0.1 is added as an IP)."""
        ext = os.path.join(self.dir, stem + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=" + ",".join(["DNS:" + n for n in names] + ["IP:127.0.0.1"]) + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                stem + ".key", "-out", stem + ".csr", "-subj", "/CN=" + (subject or names[0]), cwd=self.dir)
        openssl("x509", "-req", "-in", stem + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", stem + ".crt", "-days", "2", "-extfile", ext, cwd=self.dir)
        return os.path.join(self.dir, stem + ".crt"), os.path.join(self.dir, stem + ".key")

    def client_context(self, alpn=None):
        ctx = ssl.create_default_context(cafile=self.ca)
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def tls_args(*pairs):
    out = []
    for cert, key in pairs:
        out += ["--tls-cert", cert, "--tls-key", key]
    return out


def peer_subject(sock):
    cert = sock.getpeercert()
    return dict(x[0] for x in cert["subject"])["commonName"]


def s_client(port, *args, data=b""):
    """openssl s_client to 127.0.0.1:port; (returncode, combined output)."""
    p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + list(args), input=data,
                       capture_output=True, timeout=30)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


class WebTls(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.a = cls.pki.leaf("a", ["a.test", "localhost"])
        cls.b = cls.pki.leaf("b", ["b.test"])
        cls.root = os.path.join(cls.pki.dir, "site")
        os.mkdir(cls.root)
        with open(os.path.join(cls.root, "index.html"), "w") as f:
            f.write("<h1>over TLS</h1>\n")
        cls.big = os.urandom(3 * 1024 * 1024 + 123)  # well past one sendfile chunk and many TLS records
        with open(os.path.join(cls.root, "big.bin"), "wb") as f:
            f.write(cls.big)
        cls.server = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "2"] +
                            tls_args(cls.a, cls.b))
        cls.port = cls.server.address("web")[1]

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__()
        cls.pki.close()
        assert code == 0, code

    def curl(self, *args, host="localhost"):
        return subprocess.run(["curl", "-sS", "--cacert", self.pki.ca, "--resolve",
                               "%s:%d:127.0.0.1" % (host, self.port)] + list(args),
                              capture_output=True, timeout=60)

    def url(self, path, host="localhost"):
        return "https://%s:%d%s" % (host, self.port, path)

    def test_curl_gets_a_page_with_alpn_h2_or_http11(self):
        # RFC 9113 §3.2: h2 when the client offers it (curl does by default), else HTTP/1.1.
        r = self.curl("-v", self.url("/"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"<h1>over TLS</h1>\n")
        self.assertRegex(r.stderr.decode(), r"ALPN[^\n]*server accepted h2")
        r = self.curl("-v", "--http1.1", self.url("/"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"<h1>over TLS</h1>\n")
        self.assertRegex(r.stderr.decode(), r"ALPN[^\n]*http/1\.1")

    def test_large_file_and_range_through_tls(self):
        for version in ("--http1.1", "--http2"):
            r = self.curl(version, self.url("/big.bin"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, self.big, version)
            r = self.curl(version, "-r", "1000000-1999999", self.url("/big.bin"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, self.big[1000000:2000000], version)

    def test_keep_alive_requests_on_one_connection(self):
        r = self.curl("-v", "--http1.1", self.url("/"), self.url("/big.bin"), "-o", "/dev/null", "-o", "/dev/null")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Re-using existing connection", r.stderr.decode())

    def test_sni_chooses_the_certificate(self):
        for host, cn in (("a.test", "a.test"), ("b.test", "b.test"), ("unknown.test", "a.test")):
            code, out = s_client(self.port, "-servername", host, data=b"")
            self.assertIn("subject=CN = " + cn, out, host)
        r = self.curl(self.url("/", "b.test"), host="b.test")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_s_client_alpn_and_versions(self):
        code, out = s_client(self.port, "-alpn", "h2,http/1.1", "-CAfile", self.pki.ca, data=b"")
        self.assertIn("ALPN protocol: h2", out)
        code, out = s_client(self.port, "-alpn", "http/1.1", "-CAfile", self.pki.ca, data=b"")
        self.assertIn("ALPN protocol: http/1.1", out)
        self.assertIn("Verify return code: 0 (ok)", out)
        code, out = s_client(self.port, "-tls1_2", data=b"")
        # "New, TLSvX, Cipher is …" ends every handshake; the SSL-Session block that also names the version comes
        # in TLS 1.3 only after the server's NewSessionTicket, which s_client may quit before reading.
        self.assertRegex(out, r"New, TLSv1\.2, Cipher is ")
        code, out = s_client(self.port, "-tls1_3", data=b"")
        self.assertRegex(out, r"New, TLSv1\.3, Cipher is ")
        # The client is allowed to offer TLS 1.1 (security level 0); the server must refuse it.
        code, out = s_client(self.port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", data=b"")
        self.assertNotEqual(code, 0, out)
        self.assertIn("Cipher is (NONE)", out)  # no session was established
        self.assertRegex(out, r"alert protocol version|unsupported protocol|no protocols available")

    def test_session_ticket_resumes(self):
        sess = os.path.join(self.pki.dir, "web.sess")
        code, out = s_client(self.port, "-tls1_2", "-sess_out", sess, data=b"")
        self.assertRegex(out, r"TLS session ticket")
        code, out = s_client(self.port, "-tls1_2", "-sess_in", sess, data=b"")
        self.assertIn("Reused, TLSv1.2", out)

    def test_sessions_resume_on_every_loop_with_tls13_tickets_tls12_tickets_and_session_ids(self):
        # A request and -ign_eof keep s_client reading until the server closes, so it takes TLS 1.3's
        # NewSessionTicket, which comes after the handshake (RFC 8446 §4.6.1). Each session is offered
        # several times: the server runs two loops, and a connection may land on either.
        get = b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"
        for name, args in (("TLSv1.3", ["-tls1_3"]), ("TLSv1.2", ["-tls1_2"]),
                           ("TLSv1.2", ["-tls1_2", "-no_ticket"])):  # the server's session-id cache
            sess = os.path.join(self.pki.dir, "resume.sess")
            code, out = s_client(self.port, *args, "-ign_eof", "-sess_out", sess, data=get)
            self.assertIn("New, " + name, out, args)
            self.assertIn("<h1>over TLS</h1>", out)
            for _ in range(4):
                code, out = s_client(self.port, *args, "-ign_eof", "-sess_in", sess, data=get)
                self.assertIn("Reused, " + name, out, args)
                self.assertIn("<h1>over TLS</h1>", out)

    def test_tickets_still_open_after_a_reload(self):
        # The ticket keys belong to the process, not to the contexts SIGHUP rebuilds.
        sess = os.path.join(self.pki.dir, "reload.sess")
        code, out = s_client(self.port, "-tls1_2", "-sess_out", sess, data=b"")
        self.assertIn("New, TLSv1.2", out)
        self.server.proc.send_signal(signal.SIGHUP)
        self.server.wait_log(lambda r: r.get("msg") == "TLS certificates reloaded")
        code, out = s_client(self.port, "-tls1_2", "-sess_in", sess, data=b"")
        self.assertIn("Reused, TLSv1.2", out)

    def test_plain_http_to_the_tls_port_is_not_served(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
        self.assertNotIn(b"HTTP/1.1 200", data)


class ProxyTls(TestCase):
    """A TLS proxy (curl --proxy https://) in front of a plain web origin: misses, and hits sent from the
    cache's files through TLS."""

    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.cert = cls.pki.leaf("proxy", ["localhost"])
        cls.root = os.path.join(cls.pki.dir, "origin")
        os.mkdir(cls.root)
        cls.body = os.urandom(600 * 1024)  # above --memory-object-max: hits come from the object file
        with open(os.path.join(cls.root, "obj.bin"), "wb") as f:
            f.write(cls.body)
        cls.origin = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "1"])
        cls.cache = os.path.join(cls.pki.dir, "cache")
        cls.proxy = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", cls.cache, "--threads",
                            "2", "--no-fsync"] + tls_args(cls.cert))
        cls.port = cls.proxy.address("proxy")[1]

    @classmethod
    def tearDownClass(cls):
        codes = [cls.proxy.stop(), cls.origin.stop()]
        cls.proxy.__exit__()
        cls.origin.__exit__()
        cls.pki.close()
        assert codes == [0, 0], codes

    def test_curl_through_an_https_proxy_miss_then_hit(self):
        url = "http://127.0.0.1:%d/obj.bin" % self.origin.address("web")[1]
        # The second answer comes from the stored object file (a hit, or revalidated with a 304: the origin
        # sends no Cache-Control), sent through TLS by pieces instead of sendfile.
        for expect in (r"endhost; fwd=uri-miss", r"endhost; (hit|fwd=stale; fwd-status=304)"):
            r = subprocess.run(["curl", "-sS", "-D", "-", "-o", os.path.join(self.pki.dir, "got"),
                                "--proxy", "https://localhost:%d" % self.port, "--proxy-cacert", self.pki.ca,
                                url], capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout.decode(), expect)
            with open(os.path.join(self.pki.dir, "got"), "rb") as f:
                self.assertEqual(f.read(), self.body)

    def test_s_client_alpn(self):
        code, out = s_client(self.port, "-alpn", "http/1.1", "-CAfile", self.pki.ca, data=b"")
        self.assertIn("ALPN protocol: http/1.1", out)
        self.assertIn("Verify return code: 0 (ok)", out)


def dns_over_tls(ctx, port, qname, qtype):
    """One query with RFC 7858 / RFC 1035 §4.2.2 framing (2-byte length) over TLS; the response and ALPN."""
    q = dns.message.make_query(qname, qtype)
    wire = q.to_wire()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(struct.pack("!H", len(wire)) + wire)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                chunk = s.recv(65535)
                if not chunk:
                    break
                data += chunk
            size = struct.unpack("!H", data[:2])[0]
            r = dns.message.from_wire(data[2:2 + size])
            return q, r, s.selected_alpn_protocol()


class DnsTls(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.cert = cls.pki.leaf("dns", ["localhost"])
        hints = os.path.join(cls.pki.dir, "root.hints")
        with open(hints, "w") as f:  # an unreachable root: the resolver is asked only what it refuses
            f.write(". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.1\n")
        cls.auth = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--threads", "2", "--zone",
                           os.path.join(ZONES, "networkutopia.com.zone")] + tls_args(cls.cert), wait_for=2)
        cls.resolver = Server(["resolver", "serve", "--listen", "127.0.0.1:0", "--root-hints", hints] +
                              tls_args(cls.cert), wait_for=2)

    @classmethod
    def tearDownClass(cls):
        codes = [cls.auth.stop(), cls.resolver.stop()]
        cls.auth.__exit__()
        cls.resolver.__exit__()
        cls.pki.close()
        assert codes == [0, 0], codes

    def test_authoritative_answer_over_tls(self):
        q, r, alpn = dns_over_tls(self.pki.client_context(["dot"]), self.auth.address("dns", "tcp")[1],
                                  "www.networkutopia.com", "A")
        self.assertEqual(r.id, q.id)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.answer)
        self.assertEqual(alpn, "dot")

    def test_udp_stays_plain(self):
        q = dns.message.make_query("www.networkutopia.com", "A")
        r = dns.query.udp(q, "127.0.0.1", port=self.auth.address("dns", "udp")[1], timeout=5)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)

    def test_resolver_answers_over_tls(self):
        # The resolver refuses zone transfers itself (no network needed): the reply proves the framing.
        q, r, alpn = dns_over_tls(self.pki.client_context(), self.resolver.address("resolver", "tcp")[1],
                                  "example.com", dns.rdatatype.AXFR)
        self.assertEqual(r.id, q.id)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)


class EchoTls(TestCase):
    """Echo over TLS with python's ssl, and SIGHUP: a renewed certificate for new connections while an old
    connection keeps its session."""

    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.cert = cls.pki.leaf("echo", ["localhost"], subject="first")
        cls.server = Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0"] + tls_args(cls.cert))
        cls.port = cls.server.address("echo", "tcp")[1]

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__()
        cls.pki.close()
        assert code == 0, code

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return self.pki.client_context().wrap_socket(raw, server_hostname="localhost")

    def echo(self, s, line):
        s.sendall(line + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(1000)
            if not chunk:
                break
            data += chunk
        return data

    def test_echo_over_tls(self):
        with self.connect() as s:
            self.assertEqual(self.echo(s, b"hello tls"), b"HELLO TLS\n")
            self.assertEqual(s.version(), "TLSv1.3")

    def test_sighup_reload_keeps_old_connections(self):
        old = self.connect()
        self.assertEqual(peer_subject(old), "first")
        self.assertEqual(self.echo(old, b"before"), b"BEFORE\n")
        # Renew in place (same paths, new key and subject), as certbot would, then SIGHUP.
        self.pki.leaf("echo", ["localhost"], subject="renewed")
        self.server.proc.send_signal(signal.SIGHUP)
        self.server.wait_log(lambda r: r.get("msg") == "TLS certificates reloaded")
        with self.connect() as new:
            self.assertEqual(peer_subject(new), "renewed")
            self.assertEqual(self.echo(new, b"new"), b"NEW\n")
        self.assertEqual(self.echo(old, b"after"), b"AFTER\n")  # the old session was not dropped
        old.close()
        # A broken file on the next SIGHUP: an error line, and the renewed certificate stays in use.
        with open(self.cert[0], "w") as f:
            f.write("not a certificate\n")
        self.server.proc.send_signal(signal.SIGHUP)
        rec = self.server.wait_log(lambda r: r.get("msg", "").startswith("TLS certificates not reloaded"))
        self.assertIn("is not a PEM certificate chain", rec.get("error", ""))
        with self.connect() as again:
            self.assertEqual(peer_subject(again), "renewed")
        self.pki.leaf("echo", ["localhost"], subject="renewed")


class TlsErrors(TestCase):
    """One line that names the file and the fault, and a non-zero exit, before anything listens."""

    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.a = cls.pki.leaf("a", ["a.test"])
        cls.b = cls.pki.leaf("b", ["b.test"])

    @classmethod
    def tearDownClass(cls):
        cls.pki.close()

    def start(self, *tls):
        return run(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0"] + list(tls), timeout=30)

    def assert_one_line(self, r, *parts):
        self.assertNotEqual(r.returncode, 0)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, r.stderr)
        for p in parts:
            self.assertIn(p, lines[0])

    def test_missing_certificate(self):
        missing = os.path.join(self.pki.dir, "missing.crt")
        r = self.start("--tls-cert", missing, "--tls-key", self.a[1])
        self.assert_one_line(r, missing, "cannot be read", "No such file")

    def test_key_of_another_certificate(self):
        r = self.start("--tls-cert", self.a[0], "--tls-key", self.b[1])
        self.assert_one_line(r, self.b[1], "does not match the certificate", self.a[0])

    def test_not_pem(self):
        r = self.start("--tls-cert", self.pki.ca.replace("ca.crt", "a.ext"), "--tls-key", self.a[1])
        self.assert_one_line(r, "is not a PEM certificate chain")

    def test_pairs_must_match(self):
        r = self.start("--tls-cert", self.a[0])
        self.assertEqual(r.returncode, 2)  # a usage error: the line, then the pointer to --help
        self.assertIn("--tls-cert and --tls-key go in pairs", r.stderr.splitlines()[0])
