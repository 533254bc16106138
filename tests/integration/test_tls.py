"""`endhost tls ca` and `endhost tls cert`: a private CA and leaf certificates that third-party tools accept.
openssl verify checks the chain and the names; curl and `endhost fetch` trust the CA with --cacert and talk
to a TLS server (python's ssl) that presents the leaf; the keys are private files; mistakes are one line.
"""

import http.server
import os
import shutil
import ssl
import stat
import subprocess
import tempfile
import threading
import unittest

import endhost_test
from endhost_test import ENDHOST, Server

ZONE = """$ORIGIN example.test.
$TTL 300
@       SOA ns1 hostmaster 1 3600 600 86400 60
@       NS  ns1
ns1     A   127.0.0.1
www     A   127.0.0.1
alias   CNAME www
"""


def endhost(*args, timeout=60):
    return subprocess.run([ENDHOST] + list(args), capture_output=True, timeout=timeout)


class HelloServer:
    """python's http.server over TLS on 127.0.0.1:0, answering every GET with a fixed body."""

    def __init__(self, cert, key):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                body = b"hello from a private CA\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class TlsCommandTest(endhost_test.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="endhost-tls-")
        self.ca_dir = os.path.join(self.dir, "ca")
        self.certs = os.path.join(self.dir, "certs")
        r = endhost("tls", "ca", "--out", self.ca_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.ca = os.path.join(self.ca_dir, "ca.pem")
        self.assertIn(self.ca.encode(), r.stdout)
        r = endhost("tls", "cert", "--ca", self.ca_dir, "localhost", "127.0.0.1", "www.example.test",
                    "--out", self.certs)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.cert = os.path.join(self.certs, "localhost.pem")
        self.key = os.path.join(self.certs, "localhost-key.pem")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def openssl(self, *args):
        return subprocess.run(["openssl"] + list(args), capture_output=True, timeout=60)

    def test_openssl_verifies_the_chain_and_the_names(self):
        for check in (["-verify_hostname", "localhost"], ["-verify_hostname", "www.example.test"],
                      ["-verify_ip", "127.0.0.1"]):
            r = self.openssl("verify", "-CAfile", self.ca, "-purpose", "sslserver", *check, self.cert)
            self.assertEqual(r.returncode, 0, (check, r.stdout, r.stderr))
            self.assertIn(b": OK", r.stdout)
        r = self.openssl("verify", "-CAfile", self.ca, "-verify_hostname", "other.test", self.cert)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        text = self.openssl("x509", "-in", self.ca, "-noout", "-text").stdout.decode()
        self.assertIn("CA:TRUE", text)
        self.assertIn("Certificate Sign", text)
        text = self.openssl("x509", "-in", self.cert, "-noout", "-text").stdout.decode()
        self.assertIn("DNS:localhost, IP Address:127.0.0.1, DNS:www.example.test", text)
        self.assertIn("TLS Web Server Authentication", text)
        self.assertIn("CA:FALSE", text)
        # The key files are private; the certificates are not.
        for key in (os.path.join(self.ca_dir, "ca-key.pem"), self.key):
            self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600, key)
        self.assertEqual(stat.S_IMODE(os.stat(self.cert).st_mode), 0o644)

    def test_curl_and_fetch_trust_the_ca(self):
        server = HelloServer(self.cert, self.key)
        try:
            for host in ("localhost", "127.0.0.1"):
                url = "https://%s:%d/" % (host, server.port)
                r = subprocess.run(["curl", "-sS", "--noproxy", "*", "--cacert", self.ca, url], capture_output=True,
                                   timeout=30)
                self.assertEqual((r.returncode, r.stdout), (0, b"hello from a private CA\n"), r.stderr)
                r = endhost("fetch", "--noproxy", "*", "--cacert", self.ca, url)
                self.assertEqual((r.returncode, r.stdout), (0, b"hello from a private CA\n"), r.stderr)
            # Without the CA the same server is not trusted (60: certificate does not verify, as curl).
            other = os.path.join(self.dir, "other")
            self.assertEqual(endhost("tls", "ca", "--out", other).returncode, 0)
            r = endhost("fetch", "--noproxy", "*", "--cacert", os.path.join(other, "ca.pem"),
                        "https://localhost:%d/" % server.port)
            self.assertEqual(r.returncode, 60, r.stderr)
        finally:
            server.stop()

    def test_fetch_resolves_through_a_dns_server_and_checks_the_name(self):
        zone = os.path.join(self.dir, "example.test.zone")
        with open(zone, "w") as f:
            f.write(ZONE)
        dns_server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", zone], wait_for=2)
        server = HelloServer(self.cert, self.key)
        try:
            host, port = dns_server.address("dns", "udp")
            via = ["--noproxy", "*", "--cacert", self.ca, "--dns-servers", "%s:%d" % (host, port)]
            r = endhost("fetch", *via, "https://www.example.test:%d/" % server.port)
            self.assertEqual((r.returncode, r.stdout), (0, b"hello from a private CA\n"), r.stderr)
            # The CNAME leads to the same address, but the certificate is not for the alias (RFC 6125).
            r = endhost("fetch", *via, "https://alias.example.test:%d/" % server.port)
            self.assertEqual(r.returncode, 60, r.stderr)
            r = endhost("fetch", *via, "https://nothere.example.test:%d/" % server.port)
            self.assertEqual(r.returncode, 6, r.stderr)
            self.assertIn(b"nothere.example.test", r.stderr)
            r = endhost("fetch", "--dns-servers", "dns.example.test", "https://www.example.test/")
            self.assertEqual(r.returncode, 2, r.stderr)
        finally:
            server.stop()
            self.assertEqual(dns_server.stop(), 0)
            dns_server.__exit__(None, None, None)

    def test_mistakes_are_one_line(self):
        r = endhost("tls", "ca", "--out", self.ca_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"already holds a CA", r.stderr)
        self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
        r = endhost("tls", "cert", "--ca", self.dir, "localhost")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"endhost tls ca --out", r.stderr)
        r = endhost("tls", "cert", "--ca", self.ca_dir, "bad_name!")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"bad_name!", r.stderr)
        r = endhost("tls", "cert", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"Examples:", r.stdout)


if __name__ == "__main__":
    unittest.main()
