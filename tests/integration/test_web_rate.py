"""`endhost web serve --limit-rate`: each connection's output is paced (a token bucket, like nginx's
limit_rate) over HTTP/1.1 and HTTP/2, in clear and over TLS, without holding up other connections. Timing
checks are lower bounds only: a loaded machine may be slower, never faster than the rate."""

import os
import subprocess
import tempfile
import time
import unittest

from endhost_test import ENDHOST, Server, TestCase, stop_all
from web_util import make_site

TWO_MB = os.urandom(2 * 1024 * 1024)


class LimitRate(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = make_site({"2m.bin": TWO_MB, "small.txt": "small\n"})
        cls.pki = tempfile.mkdtemp(prefix="endhost-rate-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       cwd=cls.pki, check=True, capture_output=True)
        cls.cert = os.path.join(cls.pki, "cert.pem")
        cls.plain = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "1",
                            "--limit-rate", "1M"])
        cls.tls = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "1",
                          "--limit-rate", "1M", "--tls-cert", cls.cert, "--tls-key",
                          os.path.join(cls.pki, "key.pem")])
        cls.plain_port = cls.plain.address("web")[1]
        cls.tls_port = cls.tls.address("web")[1]

    @classmethod
    def tearDownClass(cls):
        stop_all([cls.plain, cls.tls], cls.root, cls.pki)

    def curl(self, *args):
        return subprocess.Popen(["curl", "-sS", "--cacert", self.cert, "-w", "%{http_version}"] + list(args),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def test_two_megabytes_at_one_megabyte_a_second_take_over_a_second_and_a_half(self):
        # The four framings at once: the limit is per connection, so they do not slow each other down.
        plain = "http://127.0.0.1:%d/2m.bin" % self.plain_port
        tls = "https://localhost:%d/2m.bin" % self.tls_port
        resolve = ["--resolve", "localhost:%d:127.0.0.1" % self.tls_port]
        start = time.monotonic()
        runs = {
            "http/1.1": self.curl("--http1.1", plain),
            "h2c": self.curl("--http2-prior-knowledge", plain),
            "https/1.1": self.curl(*resolve, "--http1.1", tls),
            "h2": self.curl(*resolve, "--http2", tls),
        }
        versions = {"http/1.1": b"1.1", "h2c": b"2", "https/1.1": b"1.1", "h2": b"2"}
        for name, p in runs.items():
            out, err = p.communicate(timeout=60)
            elapsed = time.monotonic() - start
            self.assertEqual(p.returncode, 0, (name, err))
            self.assertEqual(out[-len(versions[name]):], versions[name], name)
            self.assertTrue(out[:-len(versions[name])] == TWO_MB, name)
            self.assertGreaterEqual(elapsed, 1.5, name)

    def test_small_responses_are_not_held_back(self):
        # The bucket starts with a quarter of its burst: a response smaller than that goes out at once.
        p = self.curl("http://127.0.0.1:%d/small.txt" % self.plain_port)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(out, b"small\n1.1")

    def test_a_bad_rate_is_refused(self):
        r = subprocess.run([ENDHOST, "web", "serve", "--root", self.root,
                            "--limit-rate", "fast"], capture_output=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"--limit-rate", r.stderr)


if __name__ == "__main__":
    unittest.main()
