"""`endhost web serve --sessions --state DIR`: the textbook's cookie example — a Set-Cookie for each new
visitor, visits counted in a SQLite back-end database, GET /_session as JSON — with curl's cookie jar and
python's http.cookiejar, and the count surviving a restart."""

import http.client
import http.cookiejar
import json
import os
import shutil
import tempfile
import unittest
import urllib.request

from endhost_test import Server, TestCase, run
from web_util import curl, make_site


class Sessions(TestCase):
    def setUp(self):
        self.root = make_site({"index.html": "<h1>shop</h1>\n", "item.html": "<p>item</p>\n"})
        self.state = tempfile.mkdtemp(prefix="endhost-web-state-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.addCleanup(shutil.rmtree, self.state, True)

    def start(self):
        server = Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0", "--sessions",
                         "--state", self.state])
        self.addCleanup(server.__exit__, None, None, None)
        host, port = server.address("web")
        return server, "http://%s:%d" % (host, port)

    def test_new_visitor_gets_a_cookie_with_the_right_attributes(self):
        server, url = self.start()
        conn = http.client.HTTPConnection(url[7:].split(":")[0], int(url.rsplit(":", 1)[1]), timeout=10)
        conn.request("GET", "/")
        r = conn.getresponse()
        r.read()
        cookie = r.getheader("Set-Cookie")
        self.assertRegex(cookie, r"^endhost_session=[0-9a-f]{32}; ")
        attrs = [a.strip() for a in cookie.split(";")[1:]]
        self.assertIn("Path=/", attrs)
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Lax", attrs)
        self.assertTrue(any(a.startswith("Max-Age=") and int(a[8:]) > 0 for a in attrs), attrs)
        # A returning visitor is not given a new cookie.
        conn.request("GET", "/item.html", headers={"Cookie": cookie.split(";")[0]})
        r = conn.getresponse()
        r.read()
        self.assertIsNone(r.getheader("Set-Cookie"))
        conn.close()
        self.assertEqual(server.stop(), 0)

    def test_visits_are_counted_with_a_cookie_jar(self):
        server, url = self.start()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(url + "/").read()
        opener.open(url + "/item.html").read()
        info = json.loads(opener.open(url + "/_session").read())
        self.assertEqual(info["visits"], 3)
        (cookie,) = list(jar)
        self.assertEqual(cookie.name, "endhost_session")
        self.assertEqual(info["id"], cookie.value)
        again = json.loads(opener.open(url + "/_session").read())
        self.assertEqual(again, {"id": cookie.value, "visits": 4})
        # Another visitor (no cookie) is someone else.
        other = json.loads(urllib.request.urlopen(url + "/_session").read())
        self.assertNotEqual(other["id"], cookie.value)
        self.assertEqual(other["visits"], 1)
        self.assertEqual(server.stop(), 0)

    def test_curl_cookie_jar_and_restart(self):
        jar = os.path.join(self.state, "curl.jar")
        server, url = self.start()
        for _ in range(3):
            curl("-c", jar, "-b", jar, "-o", "/dev/null", url + "/")
        before = json.loads(curl("-c", jar, "-b", jar, url + "/_session").stdout)
        self.assertEqual(before["visits"], 4)
        self.assertEqual(server.stop(), 0)
        # The back-end database outlives the process: the same visitor is recognised after a restart.
        server, url = self.start()
        after = json.loads(curl("-c", jar, "-b", jar, url + "/_session").stdout)
        self.assertEqual(after, {"id": before["id"], "visits": 5})
        self.assertTrue(os.path.exists(os.path.join(self.state, "visitors.sqlite3")))
        self.assertEqual(server.stop(), 0)

    def test_forged_or_unknown_ids_get_a_new_visitor(self):
        server, url = self.start()
        for forged in ("nothex' OR 1=1 --", "0" * 32, "ABCDEF" * 6):
            out = curl("-D", "-", "-H", "Cookie: endhost_session=" + forged, url + "/_session").stdout.decode()
            self.assertIn("Set-Cookie: endhost_session=", out)
            body = json.loads(out.split("\r\n\r\n", 1)[1])
            self.assertNotEqual(body["id"], forged)
            self.assertEqual(body["visits"], 1)
        self.assertEqual(server.stop(), 0)

    def test_a_fresh_cookie_is_private_to_shared_caches(self):
        # RFC 9111 §5.2.2.7: a response that mints a visitor's id must not be stored by a shared cache, which
        # would hand that id to everyone else. Once the visitor is known there is no cookie and no need.
        server, url = self.start()
        host, port = url[7:].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        for path, status in (("/", 200), ("/item.html", 200), ("/missing", 404)):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, status, path)
            self.assertIsNotNone(r.getheader("Set-Cookie"), path)
            self.assertEqual(r.getheader("Cache-Control"), "private", path)
        cookie = r.getheader("Set-Cookie").split(";")[0]
        conn.request("GET", "/", headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        self.assertIsNone(r.getheader("Set-Cookie"))
        self.assertIsNone(r.getheader("Cache-Control"))
        # The stricter no-store of /_session stays as it is.
        conn.request("GET", "/_session")
        r = conn.getresponse()
        r.read()
        self.assertIsNotNone(r.getheader("Set-Cookie"))
        self.assertEqual(r.getheader("Cache-Control"), "no-store")
        conn.close()
        self.assertEqual(server.stop(), 0)

    def test_session_endpoint_methods(self):
        server, url = self.start()
        out = curl("-I", url + "/_session").stdout.decode()
        self.assertIn("HTTP/1.1 200", out)
        self.assertIn("Cache-Control: no-store", out)
        out = curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "x", url + "/_session").stdout
        self.assertEqual(out, b"405")
        self.assertEqual(server.stop(), 0)

    def test_options_must_come_together(self):
        r = run(["web", "serve", "--root", self.root, "--sessions"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--state", r.stderr)
        r = run(["web", "serve", "--root", self.root, "--sessions", "--state", "/proc/no/such/dir"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/proc/no/such/dir", r.stderr)

    def test_without_sessions_there_is_no_cookie_and_no_endpoint(self):
        with Server(["web", "serve", "--root", self.root, "--listen", "127.0.0.1:0"]) as server:
            host, port = server.address("web")
            out = curl("-D", "-", "-o", "/dev/null", "http://%s:%d/" % (host, port)).stdout.decode()
            self.assertNotIn("Set-Cookie", out)
            code = curl("-o", "/dev/null", "-w", "%{http_code}", "http://%s:%d/_session" % (host, port)).stdout
            self.assertEqual(code, b"404")
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
