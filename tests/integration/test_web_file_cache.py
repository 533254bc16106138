"""`endhost web serve`'s open-file cache (--file-cache, on by default): a file changed on disk — written in
place, replaced by a rename, deleted, given a precompressed sibling or an index.html, or written by our own
PUT and DELETE — is seen by the very next request on the same connection, over HTTP/1.1 and over h2, with
the validators of the new file. One thread, so every connection shares the one loop's cache."""

import base64
import http.client
import os
import shutil
import subprocess
import tempfile

from endhost_test import Server, TestCase, stop_all
from h2_util import H2Client
from web_util import RawClient, make_site

USER, PASSWORD = "cache", "cache-pass"


def auth():
    return "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()


class FileCache(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = make_site({"a.txt": "first\n", "style.css": "body { color: red }\n" * 20,
                              "d/x.txt": "x\n", "big.bin": os.urandom(100 * 1024)})
        cls.auth_dir = tempfile.mkdtemp(prefix="endhost-web-cache-")
        cls.auth_file = os.path.join(cls.auth_dir, "users")
        subprocess.run(["htpasswd", "-B", "-C", "5", "-b", "-c", cls.auth_file, USER, PASSWORD], check=True,
                       capture_output=True)
        cls.server = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "1",
                             "--writable", "--auth", cls.auth_file])
        cls.addr = cls.server.address("web")

    @classmethod
    def tearDownClass(cls):
        stop_all([cls.server], cls.root, cls.auth_dir)

    def setUp(self):
        self.conn = http.client.HTTPConnection(*self.addr, timeout=10)

    def tearDown(self):
        self.conn.close()

    def path(self, rel):
        return os.path.join(self.root, rel)

    def get(self, target, headers=None):
        """A GET on the test's one keep-alive connection: (status, headers, body)."""
        self.conn.request("GET", target, headers=headers or {})
        resp = self.conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def write(self, rel, data):
        with open(self.path(rel), "wb") as f:
            f.write(data)

    def warm(self, target):
        """Asks twice, so the second answer came from the cache."""
        first = self.get(target)
        self.assertEqual(self.get(target), first)
        return first

    def test_a_file_written_in_place_is_served_new_at_once(self):
        self.write("a.txt", b"first\n")
        _, h, body = self.warm("/a.txt")
        self.assertEqual(body, b"first\n")
        with open(self.path("a.txt"), "r+b") as f:  # same size, same inode: only the change event tells
            f.write(b"SECOND")
        status, h2, body = self.get("/a.txt")
        self.assertEqual((status, body), (200, b"SECOND"))
        self.assertNotEqual(h2["etag"], h["etag"])
        # And a conditional request with the old tag gets the new file, not 304.
        status, _, body = self.get("/a.txt", {"If-None-Match": h["etag"]})
        self.assertEqual((status, body), (200, b"SECOND"))

    def test_a_file_replaced_by_rename_is_served_new_at_once(self):
        self.write("r.txt", b"old version")
        self.assertEqual(self.warm("/r.txt")[2], b"old version")
        self.write(".r.tmp", b"new version")
        os.rename(self.path(".r.tmp"), self.path("r.txt"))
        self.assertEqual(self.get("/r.txt")[2], b"new version")

    def test_a_deleted_file_is_404_at_once(self):
        self.write("gone.txt", b"here")
        self.assertEqual(self.warm("/gone.txt")[0], 200)
        os.remove(self.path("gone.txt"))
        self.assertEqual(self.get("/gone.txt")[0], 404)
        self.write("gone.txt", b"back")
        self.assertEqual(self.get("/gone.txt")[2], b"back")

    def test_a_large_file_sent_with_sendfile_is_served_new_at_once(self):
        self.write("large.bin", b"a" * 70000)
        self.assertEqual(self.warm("/large.bin")[2], b"a" * 70000)
        self.write("large.bin", b"b" * 50000)
        status, h, body = self.get("/large.bin")
        self.assertEqual((status, h["content-length"], body), (200, "50000", b"b" * 50000))
        # Ranges of a cached file.
        status, _, body = self.get("/large.bin", {"Range": "bytes=10-19"})
        self.assertEqual((status, body), (206, b"b" * 10))

    def test_a_new_precompressed_sibling_is_used_at_once(self):
        accept = {"Accept-Encoding": "gzip"}
        self.assertNotIn("content-encoding", self.get("/style.css", accept)[1])
        self.assertNotIn("content-encoding", self.get("/style.css", accept)[1])
        self.write("style.css.gz", b"\x1f\x8b pretend")
        try:
            status, h, body = self.get("/style.css", accept)
            self.assertEqual((status, h.get("content-encoding"), body), (200, "gzip", b"\x1f\x8b pretend"))
        finally:
            os.remove(self.path("style.css.gz"))
        self.assertNotIn("content-encoding", self.get("/style.css", accept)[1])

    def test_a_new_index_html_replaces_the_listing_at_once(self):
        os.makedirs(self.path("site"), exist_ok=True)
        status, _, body = self.warm("/site/")
        self.assertEqual(status, 200)
        self.assertIn(b"<html", body.lower())
        self.write("site/index.html", b"<p>index</p>")
        self.assertEqual(self.get("/site/")[2], b"<p>index</p>")
        os.remove(self.path("site/index.html"))
        self.assertNotEqual(self.get("/site/")[2], b"<p>index</p>")

    def test_a_renamed_directory_on_the_path_is_seen_at_once(self):
        os.makedirs(self.path("old/inner"), exist_ok=True)
        self.write("old/inner/f.txt", b"f")
        self.assertEqual(self.warm("/old/inner/f.txt")[0], 200)
        os.rename(self.path("old"), self.path("new"))
        self.assertEqual(self.get("/old/inner/f.txt")[0], 404)
        self.assertEqual(self.get("/new/inner/f.txt")[2], b"f")

    def test_a_symlink_swapped_in_is_refused_as_without_the_cache(self):
        self.write("victim.txt", b"plain")
        self.assertEqual(self.warm("/victim.txt")[2], b"plain")
        os.remove(self.path("victim.txt"))
        os.symlink("/etc/hostname", self.path("victim.txt"))
        try:
            self.assertEqual(self.get("/victim.txt")[0], 403)
        finally:
            os.remove(self.path("victim.txt"))

    def test_our_own_put_and_delete_are_seen_by_the_next_get(self):
        self.write("mine.txt", b"before")
        self.assertEqual(self.warm("/mine.txt")[2], b"before")
        headers = {"Authorization": auth()}
        self.conn.request("PUT", "/mine.txt", body=b"after PUT", headers=headers)
        resp = self.conn.getresponse()
        resp.read()
        self.assertIn(resp.status, (200, 204))
        self.assertEqual(self.get("/mine.txt")[2], b"after PUT")
        self.conn.request("DELETE", "/mine.txt", headers=headers)
        resp = self.conn.getresponse()
        resp.read()
        self.assertIn(resp.status, (200, 204))
        self.assertEqual(self.get("/mine.txt")[0], 404)

    def test_a_get_pipelined_behind_our_put_sees_it(self):
        # GET, PUT, GET in one segment: the second GET is read with the first, before the PUT changed the
        # file, and must still see the PUT (RFC 9112 §9.3.2: PUT is idempotent, so it may be pipelined).
        self.write("piped.txt", b"before")
        self.assertEqual(self.warm("/piped.txt")[2], b"before")
        c = RawClient(self.addr)
        try:
            body = b"after the PUT"
            c.send(b"GET /piped.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                   b"PUT /piped.txt HTTP/1.1\r\nHost: t\r\nAuthorization: " + auth().encode() +
                   b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body +
                   b"GET /piped.txt HTTP/1.1\r\nHost: t\r\n\r\n")
            first, put, second = c.read_response(), c.read_response(), c.read_response()
            self.assertEqual(first.body, b"before")
            self.assertIn(put.status, (200, 204))
            self.assertEqual(second.body, body)
        finally:
            c.close()

    def test_over_h2_a_changed_file_is_served_new_on_the_same_connection(self):
        self.write("h2.txt", b"h2 old")
        client = H2Client(self.addr)
        try:
            def fetch(path):
                sid = client.get(path)
                client.pump(lambda: sid in client.ended)
                return client.headers[sid][":status"], client.bodies.get(sid, b"")

            self.assertEqual(fetch("/h2.txt"), ("200", b"h2 old"))
            self.assertEqual(fetch("/h2.txt"), ("200", b"h2 old"))
            with open(self.path("h2.txt"), "r+b") as f:
                f.write(b"H2 NEW")
            self.assertEqual(fetch("/h2.txt"), ("200", b"H2 NEW"))
            self.write(".h2.tmp", b"renamed in")
            os.rename(self.path(".h2.tmp"), self.path("h2.txt"))
            self.assertEqual(fetch("/h2.txt"), ("200", b"renamed in"))
            os.remove(self.path("h2.txt"))
            self.assertEqual(fetch("/h2.txt")[0], "404")
        finally:
            client.close()


class FileCacheOff(TestCase):
    def test_file_cache_0_serves_every_file_from_disk(self):
        root = make_site({"a.txt": "one"})
        try:
            with Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--file-cache", "0"]) as s:
                conn = http.client.HTTPConnection(*s.address("web"), timeout=10)
                for expected in (b"one", b"two"):
                    with open(os.path.join(root, "a.txt"), "wb") as f:
                        f.write(expected)
                    conn.request("GET", "/a.txt")
                    self.assertEqual(conn.getresponse().read(), expected)
                conn.close()
                self.assertEqual(s.stop(), 0)
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    import unittest
    unittest.main()
