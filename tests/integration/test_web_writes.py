"""`endhost web serve --writable --auth FILE`: PUT, DELETE and multipart POST with HTTP Basic, 100-continue,
atomicity when the upload is killed halfway, and path safety."""

import base64
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

from endhost_test import Server, TestCase, run, stop_all
from web_util import RawClient, curl, make_site

USER, PASSWORD = "alice", "s3cret pass"


def auth(user=USER, password=PASSWORD):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def htpasswd(path, user, password):
    subprocess.run(["htpasswd", "-B", "-C", "5", "-b", "-c", path, user, password], check=True,
                   capture_output=True)


def leftovers(directory):
    """Temporary files the server may have left behind (it must not)."""
    return [n for n in os.listdir(directory) if ".endhost-" in n]


class Writes(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = make_site({"existing.txt": "old content\n", "dir/keep.txt": "keep\n", "empty/.keep": ""})
        os.remove(os.path.join(cls.root, "empty/.keep"))
        cls.auth_dir = tempfile.mkdtemp(prefix="endhost-web-auth-")
        cls.auth_file = os.path.join(cls.auth_dir, "users")
        htpasswd(cls.auth_file, USER, PASSWORD)
        cls.access_log = os.path.join(cls.auth_dir, "access.log")
        cls.server = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "2",
                             "--writable", "--auth", cls.auth_file, "--max-upload", "4000000",
                             "--access-log", cls.access_log])
        cls.host, cls.port = cls.server.address("web")
        cls.url = "http://%s:%d" % (cls.host, cls.port)

    @classmethod
    def tearDownClass(cls):
        stop_all([cls.server], cls.root, cls.auth_dir)

    def request(self, method, path, body=None, headers=None, authorized=True):
        h = dict(headers or {})
        if authorized:
            h["Authorization"] = auth()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp, data

    def path(self, rel):
        return os.path.join(self.root, rel)

    def test_put_needs_valid_credentials(self):
        resp, _ = self.request("PUT", "/new.txt", b"x", authorized=False)
        self.assertEqual(resp.status, 401)
        self.assertEqual(resp.getheader("WWW-Authenticate"), 'Basic realm="endhost", charset="UTF-8"')
        resp, _ = self.request("PUT", "/new.txt", b"x", headers={"Authorization": auth(password="wrong")},
                               authorized=False)
        self.assertEqual(resp.status, 401)
        resp, _ = self.request("PUT", "/new.txt", b"x", headers={"Authorization": auth(user="mallory")},
                               authorized=False)
        self.assertEqual(resp.status, 401)
        self.assertFalse(os.path.exists(self.path("new.txt")))

    def test_put_creates_then_replaces(self):
        name = "put-%s.txt" % uuid.uuid4().hex
        resp, _ = self.request("PUT", "/" + name, b"first\n")
        self.assertEqual(resp.status, 201)
        with open(self.path(name), "rb") as f:
            self.assertEqual(f.read(), b"first\n")
        resp, _ = self.request("PUT", "/" + name, b"second\n")
        self.assertEqual(resp.status, 204)
        self.assertIsNone(resp.getheader("Content-Length"))  # RFC 9110 §8.6: never in a 204
        self.assertEqual(self.request("GET", "/" + name)[1], b"second\n")
        self.assertEqual(leftovers(self.root), [])

    def test_put_with_curl_and_chunked(self):
        data = os.urandom(1500000)
        src = os.path.join(self.auth_dir, "upload.bin")
        with open(src, "wb") as f:
            f.write(data)
        out = curl("-u", "%s:%s" % (USER, PASSWORD), "-T", src, "-w", "%{http_code}", "-o", "/dev/null",
                   self.url + "/curl.bin")
        self.assertEqual(out.stdout, b"201")
        out = curl("-u", "%s:%s" % (USER, PASSWORD), "-H", "Transfer-Encoding: chunked", "-T", src,
                   "-w", "%{http_code}", "-o", "/dev/null", self.url + "/chunked.bin")
        self.assertEqual(out.stdout, b"201")
        for name in ("curl.bin", "chunked.bin"):
            with open(self.path(name), "rb") as f:
                self.assertEqual(f.read(), data)

    def test_expect_100_continue(self):
        raw = RawClient((self.host, self.port))
        raw.send("PUT /continued.txt HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: 5\r\n"
                 "Expect: 100-continue\r\n\r\n" % auth())
        interim = raw.read_response()
        self.assertEqual(interim.status, 100)
        raw.send("hello")
        final = raw.read_response()
        self.assertEqual(final.status, 201)
        raw.close()
        with open(self.path("continued.txt"), "rb") as f:
            self.assertEqual(f.read(), b"hello")

    def test_expect_100_refused_without_credentials(self):
        raw = RawClient((self.host, self.port))
        raw.send("PUT /refused.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        r = raw.read_response()
        self.assertEqual(r.status, 401)  # no 100 first: the body is not wanted
        self.assertEqual(r.header("connection"), "close")
        raw.close()
        self.assertFalse(os.path.exists(self.path("refused.txt")))

    def test_upload_killed_halfway_leaves_nothing(self):
        # A new file: nothing may appear. An existing file: the old content must stay whole.
        for target, before in (("killed-new.bin", None), ("existing.txt", b"old content\n")):
            raw = RawClient((self.host, self.port))
            raw.send("PUT /%s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: 2000000\r\n\r\n"
                     % (target, auth()))
            raw.send(os.urandom(700000))
            # While the upload is in flight, readers see the old state.
            resp, data = self.request("GET", "/" + target, authorized=False)
            if before is None:
                self.assertEqual(resp.status, 404)
            else:
                self.assertEqual(data, before)
            raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            raw.close()  # reset: the client vanished
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and leftovers(self.root):
                time.sleep(0.05)
            self.assertEqual(leftovers(self.root), [])
            if before is None:
                self.assertFalse(os.path.exists(self.path(target)))
            else:
                with open(self.path(target), "rb") as f:
                    self.assertEqual(f.read(), before)

    def test_put_that_is_too_large_is_413(self):
        resp, _ = self.request("PUT", "/huge.bin", b"x" * 10, headers={"Content-Length": "5000000"})
        self.assertEqual(resp.status, 413)
        self.assertFalse(os.path.exists(self.path("huge.bin")))

    def test_put_path_safety(self):
        raw = RawClient((self.host, self.port))
        raw.send("PUT /../outside.txt HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: 1\r\n\r\nx" % auth())
        self.assertEqual(raw.read_response().status, 400)
        raw.close()
        self.assertEqual(self.request("PUT", "/.htaccess", b"x")[0].status, 403)
        self.assertEqual(self.request("PUT", "/dir/%2e%2e/%2e%2e/x", b"x")[0].status, 400)
        self.assertEqual(self.request("PUT", "/no/such/dir/x.txt", b"x")[0].status, 409)
        self.assertEqual(self.request("PUT", "/dir/", b"x")[0].status, 409)
        self.assertEqual(self.request("PUT", "/dir", b"x")[0].status, 409)
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.root), "outside.txt")))

    def test_conditional_writes(self):
        name = "cond-%s.txt" % uuid.uuid4().hex
        self.assertEqual(self.request("PUT", "/" + name, b"v1", {"If-None-Match": "*"})[0].status, 201)
        self.assertEqual(self.request("PUT", "/" + name, b"v2", {"If-None-Match": "*"})[0].status, 412)
        etag = self.request("HEAD", "/" + name)[0].getheader("ETag")
        self.assertEqual(self.request("PUT", "/" + name, b"v3", {"If-Match": '"stale"'})[0].status, 412)
        self.assertEqual(self.request("PUT", "/" + name, b"v3", {"If-Match": etag})[0].status, 204)
        self.assertEqual(self.request("GET", "/" + name)[1], b"v3")
        self.assertEqual(self.request("DELETE", "/" + name, headers={"If-Match": etag})[0].status, 412)

    def test_delete(self):
        name = "del-%s.txt" % uuid.uuid4().hex
        self.request("PUT", "/" + name, b"bye")
        self.assertEqual(self.request("DELETE", "/" + name, authorized=False)[0].status, 401)
        self.assertEqual(self.request("DELETE", "/" + name)[0].status, 204)
        self.assertFalse(os.path.exists(self.path(name)))
        self.assertEqual(self.request("DELETE", "/" + name)[0].status, 404)
        self.assertEqual(self.request("DELETE", "/dir")[0].status, 409)  # not empty
        os.mkdir(self.path("gone-dir"))
        self.assertEqual(self.request("DELETE", "/gone-dir/")[0].status, 204)
        self.assertEqual(self.request("DELETE", "/")[0].status, 403)

    def form(self, files, fields=None):
        boundary = "----endhost" + uuid.uuid4().hex
        parts = []
        for name, value in (fields or {}).items():
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, name)).encode()
                         + value + b"\r\n")
        for filename, content in files:
            parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n" % (boundary, filename)).encode()
                         + content + b"\r\n")
        body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
        return body, "multipart/form-data; boundary=" + boundary

    def test_multipart_post_stores_every_file(self):
        big = os.urandom(300000)
        body, ctype = self.form([("one.txt", b"1\n"), ("C:\\Users\\me\\two.bin", big)], {"note": b"ignored"})
        resp, data = self.request("POST", "/dir/", body, {"Content-Type": ctype})
        self.assertEqual(resp.status, 201, data)
        self.assertEqual(resp.getheader("Content-Type"), "application/json")
        self.assertEqual(data, b'{"stored":["one.txt","two.bin"]}\n')
        with open(self.path("dir/two.bin"), "rb") as f:
            self.assertEqual(f.read(), big)
        # curl -F is a real browser-like client.
        src = os.path.join(self.auth_dir, "three.txt")
        with open(src, "wb") as f:
            f.write(b"three\n")
        out = curl("-u", "%s:%s" % (USER, PASSWORD), "-F", "upload=@" + src, self.url + "/dir/")
        self.assertIn(b"three.txt", out.stdout)
        with open(self.path("dir/three.txt"), "rb") as f:
            self.assertEqual(f.read(), b"three\n")

    def test_multipart_post_errors(self):
        body, ctype = self.form([(".hidden", b"x")])
        self.assertEqual(self.request("POST", "/dir/", body, {"Content-Type": ctype})[0].status, 400)
        self.assertEqual(self.request("POST", "/dir/", b"a=b",
                                      {"Content-Type": "application/x-www-form-urlencoded"})[0].status, 415)
        self.assertEqual(self.request("POST", "/existing.txt", body, {"Content-Type": ctype})[0].status, 405)
        body, ctype = self.form([], {"only": b"field"})
        self.assertEqual(self.request("POST", "/dir/", body, {"Content-Type": ctype})[0].status, 400)
        self.assertEqual(leftovers(self.path("dir")), [])

    def test_malformed_chunked_upload_is_answered(self):
        # Broken framing: 400; a chunk beyond the upload limit (4,000,000 here): 413. Then the connection
        # closes, and nothing is published.
        form, ctype = self.form([("never.txt", b"x")])
        for method, path, extra, body, status in (
                ("PUT", "/never.txt", "", "zz\r\n", 400),
                ("PUT", "/never.txt", "", "5\r\nhelloXX", 400),
                ("PUT", "/never.txt", "", "ffffffffff\r\n", 413),
                ("POST", "/dir/", "Content-Type: %s\r\n" % ctype, "%x\r\n%sXX" % (len(form), form.decode()), 400)):
            raw = RawClient((self.host, self.port))
            raw.send("%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n%sTransfer-Encoding: chunked\r\n\r\n%s"
                     % (method, path, auth(), extra, body))
            r = raw.read_response()
            self.assertEqual(r.status, status, body)
            self.assertEqual(r.header("connection"), "close", body)
            self.assertLess(len(r.body), 512)
            self.assertTrue(raw.at_eof(), body)
            raw.close()
        self.assertFalse(os.path.exists(self.path("never.txt")))
        self.assertFalse(os.path.exists(self.path("dir/never.txt")))
        self.assertEqual(leftovers(self.root), [])
        self.assertEqual(leftovers(self.path("dir")), [])

    def test_multipart_killed_halfway_publishes_nothing(self):
        body, ctype = self.form([("first-of-two.txt", b"complete\n"), ("second-of-two.bin", os.urandom(800000))])
        raw = RawClient((self.host, self.port))
        raw.send("POST /empty/ HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: %s\r\n"
                 "Content-Length: %d\r\n\r\n" % (auth(), ctype, len(body)))
        raw.send(body[: len(body) // 2])  # the first file is complete, the second is not
        raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        raw.close()
        time.sleep(0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.listdir(self.path("empty")):
            time.sleep(0.05)
        self.assertEqual(os.listdir(self.path("empty")), [])

    def test_access_log_names_the_writer(self):
        name = "logged-%s.txt" % uuid.uuid4().hex
        self.request("PUT", "/" + name, b"x")
        self.request("PUT", "/" + name, b"x", authorized=False)
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline and len(lines) < 2:
            with open(self.access_log) as f:
                lines = [l for l in f if name in l]
            time.sleep(0.05)
        self.assertEqual(len(lines), 2, lines)
        # Each event loop writes its own lines: two requests served by different loops may reach the file in
        # either order, so each line is looked for by its status.
        written = [l for l in lines if '" 201 ' in l]
        refused = [l for l in lines if '" 401 ' in l]
        self.assertEqual((len(written), len(refused)), (1, 1), lines)
        self.assertRegex(written[0], r'^127\.0\.0\.1 - alice \[.*\] "PUT /%s HTTP/1\.1" 201 - ' % name)
        self.assertRegex(refused[0], r'^127\.0\.0\.1 - - \[.*\] "PUT /%s HTTP/1\.1" 401 ' % name)

    def test_options_lists_write_methods(self):
        resp, _ = self.request("OPTIONS", "/", authorized=False)
        self.assertEqual(resp.getheader("Allow"), "GET, HEAD, OPTIONS, PUT, DELETE, POST")


class WriteOptions(TestCase):
    def test_writable_needs_auth(self):
        r = run(["web", "serve", "--root", "/tmp", "--writable"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--auth", r.stderr)

    def test_bad_htpasswd_names_the_line(self):
        d = tempfile.mkdtemp(prefix="endhost-web-auth-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "users")
        with open(path, "w") as f:
            f.write("# comment\nbob:$apr1$x$y\n")
        r = run(["web", "serve", "--root", d, "--writable", "--auth", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn(path + ":2:", r.stderr)
        self.assertIn("bcrypt", r.stderr)

    def test_warning_when_listening_beyond_loopback(self):
        d = tempfile.mkdtemp(prefix="endhost-web-auth-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "users")
        htpasswd(path, USER, PASSWORD)
        with Server(["web", "serve", "--root", d, "--listen", "0.0.0.0:0", "--writable", "--auth", path]) as s:
            rec = s.wait_log(lambda r: r.get("level") == "warn" and "clear text" in r.get("msg", ""))
            self.assertEqual(rec.get("service"), "web")
            # One answered request: the event loops (and the signal handler) are surely running.
            _, port = s.address("web")
            self.assertEqual(curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:%d/" % port).stdout,
                             b"200")
            self.assertEqual(s.stop(), 0)

    def test_stalled_upload_gets_408(self):
        d = tempfile.mkdtemp(prefix="endhost-web-auth-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "users")
        htpasswd(path, USER, PASSWORD)
        with Server(["web", "serve", "--root", d, "--listen", "127.0.0.1:0", "--writable", "--auth", path,
                     "--body-timeout", "1"]) as s:
            raw = RawClient(s.address("web"), timeout=30)
            raw.send("PUT /stalled.txt HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: 100\r\n\r\nabc"
                     % auth())
            r = raw.read_response()  # the client says nothing more
            self.assertEqual(r.status, 408)
            self.assertEqual(r.header("connection"), "close")
            self.assertTrue(raw.at_eof(timeout=30))
            raw.close()
            self.assertEqual(s.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(d, "stalled.txt")))
        self.assertEqual(leftovers(d), [])

    def test_read_only_server_refuses_writes(self):
        d = make_site({"a.txt": "a"})
        self.addCleanup(shutil.rmtree, d, True)
        with Server(["web", "serve", "--root", d, "--listen", "127.0.0.1:0"]) as s:
            host, port = s.address("web")
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("PUT", "/a.txt", body=b"x", headers={"Authorization": auth()})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 405)
            self.assertEqual(r.getheader("Allow"), "GET, HEAD, OPTIONS")
            self.assertEqual(s.stop(), 0)
        with open(os.path.join(d, "a.txt")) as f:
            self.assertEqual(f.read(), "a")


if __name__ == "__main__":
    unittest.main()
