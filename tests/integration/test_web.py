"""`endhost web serve`: static files over HTTP/1.1 with curl, python's http.client and raw sockets —
headers, conditional GET, ranges, directories, pipelining, connection reuse and close rules, bad input."""

import email.utils
import gzip
import http.client
import os
import re
import shutil
import socket
import time
import unittest

from endhost_test import Server, TestCase, run
from web_util import RawClient, curl, make_site

ONE_K = (b"0123456789abcdef" * 64)
BIG = os.urandom(3 * 1024 * 1024 + 17)
TEXT = ("All the world's a stage, and all the men and women merely players.\n" * 200)


def site_files():
    return {
        "index.html": "<h1>home</h1>\n",
        "1k.txt": ONE_K,
        "big.bin": BIG,
        "docs/index.html": "<p>docs</p>\n",
        "files/a.txt": "a\n",
        "files/b c.txt": "b\n",
        "files/sub/x.css": "body{}\n",
        "text.txt": TEXT,
        "pre.txt": TEXT,
        "pre.txt.gz": gzip.compress(TEXT.encode()),
        "multi.css": "body{color:red}\n" * 50,
        "multi.css.gz": b"gzip-bytes",
        "multi.css.br": b"brotli-bytes",
        "multi.css.zst": b"zstd-bytes",
        ".secret": "hidden\n",
        ".git/config": "[core]\n",
        ".well-known/security.txt": "Contact: mailto:x@example.test\n",
    }


class StaticFiles(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = make_site(site_files())
        cls.outside = make_site({"outside.txt": "outside\n"})
        os.symlink(os.path.join(cls.outside, "outside.txt"), os.path.join(cls.root, "escape.txt"))
        os.symlink("1k.txt", os.path.join(cls.root, "inside-link.txt"))
        cls.server = Server(["web", "serve", "--root", cls.root, "--listen", "127.0.0.1:0", "--threads", "2"])
        cls.host, cls.port = cls.server.address("web")
        cls.url = "http://%s:%d" % (cls.host, cls.port)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.root, ignore_errors=True)
        shutil.rmtree(cls.outside, ignore_errors=True)
        assert code == 0, code

    def request(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp, data

    def test_get_file_has_the_representation_fields(self):
        resp, data = self.request("GET", "/1k.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(data, ONE_K)
        self.assertEqual(resp.getheader("Content-Length"), "1024")
        self.assertEqual(resp.getheader("Content-Type"), "text/plain; charset=utf-8")
        self.assertEqual(resp.getheader("Server"), "endhost")
        self.assertEqual(resp.getheader("Accept-Ranges"), "bytes")
        self.assertIsNotNone(email.utils.parsedate_to_datetime(resp.getheader("Date")))
        mtime = int(os.stat(os.path.join(self.root, "1k.txt")).st_mtime)
        self.assertEqual(email.utils.parsedate_to_datetime(resp.getheader("Last-Modified")).timestamp(), mtime)
        etag = resp.getheader("ETag")
        self.assertRegex(etag, r'^"[0-9a-f]+-[0-9a-f]+-400"$')  # strong: no W/ prefix

    def test_head_has_no_body_but_the_same_length(self):
        resp, data = self.request("HEAD", "/1k.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(data, b"")
        self.assertEqual(resp.getheader("Content-Length"), "1024")

    def test_large_file_with_curl(self):
        out = curl(self.url + "/big.bin")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, BIG)

    def test_mime_types(self):
        self.assertEqual(self.request("GET", "/")[0].getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(self.request("GET", "/files/sub/x.css")[0].getheader("Content-Type"),
                         "text/css; charset=utf-8")
        self.assertEqual(self.request("GET", "/big.bin")[0].getheader("Content-Type"), "application/octet-stream")

    def test_if_none_match_gives_304_without_body(self):
        etag = self.request("HEAD", "/1k.txt")[0].getheader("ETag")
        resp, data = self.request("GET", "/1k.txt", {"If-None-Match": etag})
        self.assertEqual(resp.status, 304)
        self.assertEqual(data, b"")
        self.assertEqual(resp.getheader("ETag"), etag)
        self.assertIsNone(resp.getheader("Content-Length"))
        resp, _ = self.request("GET", "/1k.txt", {"If-None-Match": '"something-else"'})
        self.assertEqual(resp.status, 200)

    def test_if_modified_since_with_curl(self):
        # curl -z sends If-Modified-Since with the file's own time: the server says 304.
        local = os.path.join(self.root, "1k.txt")
        out = curl("-o", "/dev/null", "-w", "%{http_code}", "-z", local, self.url + "/1k.txt")
        self.assertEqual(out.stdout, b"304")
        old = email.utils.formatdate(os.stat(local).st_mtime - 3600, usegmt=True)
        self.assertEqual(self.request("GET", "/1k.txt", {"If-Modified-Since": old})[0].status, 200)

    def test_if_none_match_wins_over_if_modified_since(self):
        lm = self.request("HEAD", "/1k.txt")[0].getheader("Last-Modified")
        resp, _ = self.request("GET", "/1k.txt", {"If-None-Match": '"nope"', "If-Modified-Since": lm})
        self.assertEqual(resp.status, 200)

    def test_if_match_and_if_unmodified_since_give_412(self):
        resp, _ = self.request("GET", "/1k.txt", {"If-Match": '"nope"'})
        self.assertEqual(resp.status, 412)
        resp, _ = self.request("GET", "/1k.txt", {"If-Unmodified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"})
        self.assertEqual(resp.status, 412)
        etag = self.request("HEAD", "/1k.txt")[0].getheader("ETag")
        self.assertEqual(self.request("GET", "/1k.txt", {"If-Match": etag})[0].status, 200)

    def test_single_range(self):
        resp, data = self.request("GET", "/1k.txt", {"Range": "bytes=16-31"})
        self.assertEqual(resp.status, 206)
        self.assertEqual(data, ONE_K[16:32])
        self.assertEqual(resp.getheader("Content-Range"), "bytes 16-31/1024")
        out = curl("-r", "-100", self.url + "/big.bin")
        self.assertEqual(out.stdout, BIG[-100:])
        out = curl("-r", "1000000-1999999", self.url + "/big.bin")  # large: goes out by sendfile
        self.assertEqual(out.stdout, BIG[1000000:2000000])

    def test_multiple_ranges_are_multipart_byteranges(self):
        resp, data = self.request("GET", "/1k.txt", {"Range": "bytes=0-3,100-103"})
        self.assertEqual(resp.status, 206)
        ctype = resp.getheader("Content-Type")
        m = re.match(r"multipart/byteranges; boundary=(\S+)$", ctype)
        self.assertIsNotNone(m, ctype)
        boundary = m.group(1).encode()
        parts = data.split(b"--" + boundary)
        self.assertEqual(parts[-1], b"--\r\n")
        bodies = []
        for part in parts[1:-1]:
            head, _, body = part.partition(b"\r\n\r\n")
            self.assertIn(b"Content-Range: bytes ", head)
            bodies.append(body[:-2])  # the CRLF before the next delimiter
        self.assertEqual(bodies, [ONE_K[0:4], ONE_K[100:104]])

    def test_unsatisfiable_range_is_416(self):
        resp, _ = self.request("GET", "/1k.txt", {"Range": "bytes=5000-"})
        self.assertEqual(resp.status, 416)
        self.assertEqual(resp.getheader("Content-Range"), "bytes */1024")

    def test_if_range_mismatch_sends_everything(self):
        resp, data = self.request("GET", "/1k.txt", {"Range": "bytes=0-3", "If-Range": '"old"'})
        self.assertEqual(resp.status, 200)
        self.assertEqual(data, ONE_K)
        etag = self.request("HEAD", "/1k.txt")[0].getheader("ETag")
        resp, data = self.request("GET", "/1k.txt", {"Range": "bytes=0-3", "If-Range": etag})
        self.assertEqual((resp.status, data), (206, ONE_K[:4]))

    def test_directory_redirect_index_and_listing(self):
        resp, _ = self.request("GET", "/docs?x=1")
        self.assertEqual(resp.status, 301)
        self.assertEqual(resp.getheader("Location"), "/docs/?x=1")
        resp, data = self.request("GET", "/docs/")
        self.assertEqual((resp.status, data), (200, b"<p>docs</p>\n"))
        resp, data = self.request("GET", "/files/")
        self.assertEqual(resp.status, 200)
        html = data.decode()
        self.assertIn('href="./a.txt"', html)
        self.assertIn('href="./b%20c.txt"', html)
        self.assertIn('href="./sub/"', html)
        # The listing's links work.
        self.assertEqual(self.request("GET", "/files/b%20c.txt")[1], b"b\n")

    def test_404_is_a_small_html_page(self):
        resp, data = self.request("GET", "/no/such/file")
        self.assertEqual(resp.status, 404)
        self.assertEqual(resp.getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertIn(b"404 Not Found", data)
        self.assertLess(len(data), 512)

    def test_options_and_method_errors(self):
        resp, _ = self.request("OPTIONS", "/1k.txt")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Allow"), "GET, HEAD, OPTIONS")
        raw = RawClient((self.host, self.port))
        raw.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(raw.read_response().header("allow"), "GET, HEAD, OPTIONS")
        raw.close()
        resp, _ = self.request("POST", "/1k.txt", body=b"x")
        self.assertEqual(resp.status, 405)
        self.assertEqual(resp.getheader("Allow"), "GET, HEAD, OPTIONS")
        resp, _ = self.request("BREW", "/1k.txt")
        self.assertEqual(resp.status, 501)

    def test_dotfiles_are_hidden_but_well_known_is_served(self):
        for path in ("/.secret", "/.git/config", "/%2egit/config"):
            self.assertEqual(self.request("GET", path)[0].status, 404, path)
        self.assertEqual(self.request("GET", "/.well-known/security.txt")[0].status, 200)
        self.assertNotIn(b".secret", self.request("GET", "/")[1])

    def test_path_traversal_is_refused(self):
        for path in ("/../etc/passwd", "/%2e%2e/etc/passwd", "/files/..%2f..%2fetc%2fpasswd", "/a/%2E%2E/%2E%2E/x"):
            raw = RawClient((self.host, self.port))
            raw.send("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path)
            self.assertEqual(raw.read_response().status, 400, path)
            raw.close()
        raw = RawClient((self.host, self.port))
        raw.send("GET /1k.txt%00.html HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(raw.read_response().status, 400)
        raw.close()

    def test_symlink_leaving_the_root_is_refused(self):
        self.assertEqual(self.request("GET", "/escape.txt")[0].status, 403)
        resp, data = self.request("GET", "/inside-link.txt")
        self.assertEqual((resp.status, data), (200, ONE_K))

    def test_precompressed_sibling(self):
        resp, data = self.request("GET", "/pre.txt", {"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Encoding"), "gzip")
        self.assertEqual(resp.getheader("Vary"), "Accept-Encoding")
        self.assertEqual(gzip.decompress(data).decode(), TEXT)
        resp, data = self.request("GET", "/pre.txt")
        self.assertIsNone(resp.getheader("Content-Encoding"))
        self.assertEqual(resp.getheader("Vary"), "Accept-Encoding")
        self.assertEqual(data.decode(), TEXT)
        resp, data = self.request("GET", "/pre.txt", {"Accept-Encoding": "gzip;q=0"})
        self.assertIsNone(resp.getheader("Content-Encoding"))
        # curl --compressed decodes it back to the original.
        self.assertEqual(curl("--compressed", self.url + "/pre.txt").stdout.decode(), TEXT)

    def test_precompressed_sibling_preference(self):
        # br, then zstd, then gzip, among those the client accepts (q=0 refuses one).
        for accept, coding, body in (("gzip, br, zstd", "br", b"brotli-bytes"),
                                     ("gzip, zstd", "zstd", b"zstd-bytes"),
                                     ("br;q=0, zstd;q=0, gzip", "gzip", b"gzip-bytes"),
                                     ("*", "br", b"brotli-bytes"),
                                     ("identity", None, ("body{color:red}\n" * 50).encode())):
            resp, data = self.request("GET", "/multi.css", {"Accept-Encoding": accept})
            self.assertEqual(resp.getheader("Content-Encoding"), coding, accept)
            self.assertEqual(data, body, accept)
            self.assertEqual(resp.getheader("Vary"), "Accept-Encoding")
        # Each variant has its own validator, so caches never mix them up.
        tags = {self.request("HEAD", "/multi.css", {"Accept-Encoding": a})[0].getheader("ETag")
                for a in ("br", "zstd", "gzip", "identity")}
        self.assertEqual(len(tags), 4)

    def test_pipelined_requests_are_answered_in_order(self):
        raw = RawClient((self.host, self.port))
        raw.send("GET /1k.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                 "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /files/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        r1 = raw.read_response()
        r2 = raw.read_response(head_request=True)
        r3 = raw.read_response()
        r4 = raw.read_response()
        r5 = raw.read_response()
        self.assertEqual((r1.status, r1.body), (200, ONE_K))
        self.assertEqual((r2.status, r2.body, r2.header("content-length")), (200, b"", "14"))
        self.assertEqual(r3.status, 404)
        self.assertEqual((r4.status, r4.body), (200, BIG))
        self.assertEqual((r5.status, r5.body), (200, b"a\n"))
        self.assertEqual(r5.header("connection"), "close")
        self.assertTrue(raw.at_eof())
        raw.close()

    def test_pipelined_requests_byte_by_byte(self):
        raw = RawClient((self.host, self.port))
        wire = b"GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /1k.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        for i in range(len(wire)):
            raw.send(wire[i:i + 1])
        self.assertEqual(raw.read_response().body, b"a\n")
        self.assertEqual(raw.read_response().body, ONE_K)
        raw.close()

    def test_http_client_reuses_the_connection(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.request("GET", "/1k.txt")
        r = conn.getresponse()
        self.assertEqual(r.read(), ONE_K)
        sock = conn.sock
        local = sock.getsockname()
        for path in ("/index.html", "/nope", "/1k.txt"):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            self.assertIs(conn.sock, sock)
        self.assertEqual(conn.sock.getsockname(), local)
        conn.close()

    def test_http10_closes_unless_keep_alive(self):
        raw = RawClient((self.host, self.port))
        raw.send("GET /files/a.txt HTTP/1.0\r\n\r\n")
        r = raw.read_response()
        self.assertEqual((r.status, r.body), (200, b"a\n"))
        self.assertTrue(raw.at_eof())
        raw.close()
        raw = RawClient((self.host, self.port))
        raw.send("GET /files/a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        r = raw.read_response()
        self.assertEqual(r.header("connection"), "keep-alive")
        raw.send("GET /files/a.txt HTTP/1.0\r\n\r\n")
        self.assertEqual(raw.read_response().body, b"a\n")
        self.assertTrue(raw.at_eof())
        raw.close()

    def test_connection_close_is_honoured(self):
        raw = RawClient((self.host, self.port))
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        r = raw.read_response()
        self.assertEqual(r.header("connection"), "close")
        self.assertTrue(raw.at_eof())
        raw.close()

    def test_half_close_still_gets_every_answer(self):
        raw = RawClient((self.host, self.port))
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /1k.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(raw.read_response().body, b"a\n")
        self.assertEqual(raw.read_response().body, ONE_K)
        self.assertTrue(raw.at_eof())
        raw.close()

    def test_absolute_form_target(self):
        raw = RawClient((self.host, self.port))
        raw.send("GET http://example.test/files/a.txt HTTP/1.1\r\nHost: other\r\n\r\n")
        self.assertEqual(raw.read_response().body, b"a\n")
        raw.close()

    def bad(self, wire, status, closes=True):
        raw = RawClient((self.host, self.port))
        raw.send(wire)
        r = raw.read_response()
        self.assertEqual(r.status, status, wire)
        self.assertLess(len(r.body), 512)
        if closes:
            self.assertEqual(r.header("connection"), "close", wire)
            self.assertTrue(raw.at_eof(), wire)
        raw.close()
        return r

    def test_bad_requests_get_their_status_and_a_short_body(self):
        self.bad("GET / HTTP/1.1\r\n\r\n", 400, closes=False)  # no Host
        self.bad("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505)
        self.bad("GET /" + "a" * 10000 + " HTTP/1.1\r\nHost: x\r\n\r\n", 414)
        self.bad("GET / HTTP/1.1\r\nHost: x\r\n" + "X-Filler: " + "b" * 40000 + "\r\n\r\n", 431)
        self.bad("GET / HTTP/1.1\r\nHost: x\r\n" + "".join("X-%d: y\r\n" % i for i in range(150)) + "\r\n", 431)
        self.bad("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400)
        self.bad("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n  folded\r\n\r\n", 400)
        self.bad("GARBAGE\r\n\r\n", 400)

    def test_smuggling_vectors_close_the_connection(self):
        self.bad("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400)
        self.bad("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400)
        self.bad("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400)
        r = self.bad("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501)

    def test_get_with_a_body_keeps_the_framing(self):
        raw = RawClient((self.host, self.port))
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
                 "GET /1k.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                 "GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(raw.read_response().body, b"a\n")
        self.assertEqual(raw.read_response().body, ONE_K)
        self.assertEqual(raw.read_response().body, b"a\n")
        raw.close()

    def test_malformed_chunked_body_gets_its_status(self):
        # The response a GET had ready is replaced by the codec's answer: 400 for broken framing, 413 for a
        # chunk larger than the body limit (1 MiB by default). Small (copied) and large (sendfile) files alike.
        head = "%s %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        cases = [("zz\r\n", 400), ("5\r\nhelloXX", 400), ("1" * 40 + "\r\n", 400), ("ffffffff\r\n", 413)]
        for body, status in cases:
            for method, path in (("GET", "/1k.txt"), ("GET", "/big.bin"), ("HEAD", "/1k.txt")):
                wire = head % (method, path) + body
                raw = RawClient((self.host, self.port))
                raw.send(wire + "GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                r = raw.read_response(head_request=method == "HEAD")
                self.assertEqual(r.status, status, wire)
                self.assertEqual(r.header("connection"), "close", wire)
                self.assertLess(int(r.header("content-length")), 512, wire)
                if method == "GET":
                    self.assertIn(b"%d" % status, r.body)
                self.assertTrue(raw.at_eof(), wire)  # the pipelined request is not answered
                raw.close()

    def test_file_with_a_trailing_slash_is_404(self):
        self.assertEqual(self.request("GET", "/files/a.txt/")[0].status, 404)
        self.assertEqual(self.request("HEAD", "/1k.txt/")[0].status, 404)
        self.assertEqual(self.request("GET", "/inside-link.txt/")[0].status, 404)
        self.assertEqual(self.request("GET", "/files/")[0].status, 200)

    def test_options_of_a_missing_path_is_404(self):
        for path in ("/nonexistent", "/files/a.txt/", "/.secret", "/files/nope/"):
            self.assertEqual(self.request("OPTIONS", path)[0].status, 404, path)
        self.assertEqual(self.request("OPTIONS", "/escape.txt")[0].status, 403)
        for path in ("/files/", "/files/a.txt", "/inside-link.txt", "/"):
            resp, _ = self.request("OPTIONS", path)
            self.assertEqual(resp.status, 200, path)
            self.assertEqual(resp.getheader("Allow"), "GET, HEAD, OPTIONS")

    def test_clean_shutdown_is_logged(self):
        self.assertTrue(any(r.get("msg") == "serving" for r in self.server.log))


class ServerOptions(TestCase):
    def start(self, *extra, files=None):
        root = make_site(files or site_files())
        self.addCleanup(shutil.rmtree, root, True)
        server = Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:0", "--threads", "1"] + list(extra))
        self.addCleanup(server.__exit__, None, None, None)
        self.addCleanup(server.stop)
        host, port = server.address("web")
        return server, root, (host, port)

    def test_no_listing(self):
        _, _, addr = self.start("--no-listing")
        raw = RawClient(addr)
        raw.send("GET /files/ HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(raw.read_response().status, 403)
        raw.send("GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n")  # index.html still served
        self.assertEqual(raw.read_response().status, 200)
        raw.close()

    def test_show_dotfiles_and_follow_symlinks(self):
        outside = make_site({"o.txt": "outside\n"})
        self.addCleanup(shutil.rmtree, outside, True)
        server, root, addr = self.start("--show-dotfiles", "--follow-symlinks")
        os.symlink(os.path.join(outside, "o.txt"), os.path.join(root, "link.txt"))
        raw = RawClient(addr)
        raw.send("GET /.secret HTTP/1.1\r\nHost: x\r\n\r\nGET /link.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(raw.read_response().body, b"hidden\n")
        self.assertEqual(raw.read_response().body, b"outside\n")
        raw.close()

    def test_listing_of_symlinks(self):
        outside = make_site({"o.txt": "outside\n"})
        self.addCleanup(shutil.rmtree, outside, True)
        for follow in (False, True):
            _, root, addr = self.start(*(["--follow-symlinks"] if follow else []),
                                       files={"d/a.txt": "twelve bytes"})
            os.symlink("/etc/passwd", os.path.join(root, "d", "escape"))
            os.symlink(os.path.join(outside, "o.txt"), os.path.join(root, "d", "outside.txt"))
            os.symlink(outside, os.path.join(root, "d", "outside-dir"))
            os.symlink("a.txt", os.path.join(root, "d", "inside.txt"))
            os.symlink("../d", os.path.join(root, "d", "loop-free-dir"))
            os.symlink("nowhere", os.path.join(root, "d", "dangling"))
            os.symlink("self", os.path.join(root, "d", "self"))
            page = curl("http://%s:%d/d/" % addr).stdout.decode()
            self.assertRegex(page, r'>inside\.txt</a></td><td>12<')
            self.assertRegex(page, r'>loop-free-dir/</a></td><td>-<')
            self.assertRegex(page, r'>dangling</a></td><td>0<')
            if follow:
                self.assertRegex(page, r'>outside\.txt</a></td><td>8<')
                self.assertRegex(page, r'>outside-dir/</a></td><td>-<')
                self.assertIn(">escape</a>", page)
            else:
                # Out of reach (outside the root, or a loop): not listed at all.
                for name in ("escape", "outside.txt", "outside-dir", "self"):
                    self.assertNotIn(">%s" % name, page, name)

    def test_body_timeout_after_the_response_closes(self):
        # A GET whose unused body stalls was answered already (nothing more can be said): the connection closes.
        _, _, addr = self.start("--body-timeout", "1")
        raw = RawClient(addr, timeout=30)
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        r = raw.read_response()
        self.assertEqual((r.status, r.body), (200, b"a\n"))
        self.assertTrue(raw.at_eof(timeout=30))
        raw.close()

    def test_compress_gzips_on_the_fly(self):
        _, _, addr = self.start("--compress")
        conn = http.client.HTTPConnection(*addr, timeout=10)
        conn.request("GET", "/text.txt", headers={"Accept-Encoding": "gzip"})
        r = conn.getresponse()
        data = r.read()
        self.assertEqual(r.getheader("Content-Encoding"), "gzip")
        self.assertEqual(r.getheader("Transfer-Encoding"), "chunked")
        self.assertTrue(r.getheader("ETag").startswith('W/"'))
        self.assertEqual(gzip.decompress(data).decode(), TEXT)
        # Not for clients that do not ask, nor for incompressible types.
        conn.request("GET", "/text.txt")
        r = conn.getresponse()
        self.assertEqual(r.read().decode(), TEXT)
        self.assertIsNone(r.getheader("Content-Encoding"))
        conn.request("GET", "/big.bin", headers={"Accept-Encoding": "gzip"})
        r = conn.getresponse()
        self.assertEqual(r.read(), BIG)
        self.assertIsNone(r.getheader("Content-Encoding"))
        conn.close()
        out = curl("--compressed", "http://%s:%d/text.txt" % addr)
        self.assertEqual(out.stdout.decode(), TEXT)

    def test_vhosts_choose_the_root_by_host(self):
        a = make_site({"who.txt": "a\n"})
        b = make_site({"who.txt": "b\n"})
        self.addCleanup(shutil.rmtree, a, True)
        self.addCleanup(shutil.rmtree, b, True)
        _, _, addr = self.start("--vhost", "A.test=" + a, "--vhost", "b.test=" + b, files={"who.txt": "default\n"})
        url = "http://%s:%d/who.txt" % addr
        self.assertEqual(curl("-H", "Host: a.test", url).stdout, b"a\n")
        self.assertEqual(curl("-H", "Host: B.TEST:8080", url).stdout, b"b\n")
        self.assertEqual(curl("-H", "Host: a.test.", url).stdout, b"a\n")
        self.assertEqual(curl("-H", "Host: c.test", url).stdout, b"default\n")

    def test_header_timeout_answers_408(self):
        _, _, addr = self.start("--header-timeout", "1")
        raw = RawClient(addr)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        r = raw.read_response()
        self.assertEqual(r.status, 408)
        self.assertTrue(raw.at_eof())
        raw.close()

    def test_idle_keepalive_timeout_closes(self):
        _, _, addr = self.start("--keepalive-timeout", "1")
        raw = RawClient(addr, timeout=30)
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(raw.read_response().status, 200)
        self.assertTrue(raw.at_eof(timeout=30))
        raw.close()

    def test_max_requests_per_connection(self):
        _, _, addr = self.start("--max-requests", "2")
        raw = RawClient(addr)
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /files/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIsNone(raw.read_response().header("connection"))
        self.assertEqual(raw.read_response().header("connection"), "close")
        self.assertTrue(raw.at_eof())
        raw.close()

    def test_trace_prints_heads(self):
        server, _, addr = self.start("--trace")
        raw = RawClient(addr)
        raw.send("GET /files/a.txt HTTP/1.1\r\nHost: traced\r\n\r\n")
        raw.read_response()
        raw.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("S: HTTP/1.1 200 OK" in l for l in server.stdout_lines):
            time.sleep(0.05)
        lines = "\n".join(server.stdout_lines)
        self.assertIn("C: GET /files/a.txt HTTP/1.1", lines)
        self.assertIn("C: Host: traced", lines)
        self.assertIn("S: HTTP/1.1 200 OK", lines)

    def test_usage_errors(self):
        r = run(["web", "serve"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--root", r.stderr)
        r = run(["web", "serve", "--root", "/nonexistent/dir/x"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/dir/x", r.stderr)
        r = run(["web", "serve", "--vhost", "novalue"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("NAME=DIR", r.stderr)


if __name__ == "__main__":
    unittest.main()


class Terminal(TestCase):
    """`python3 -m http.server`'s habits: the directory as the argument, and each request logged on the
    terminal (stderr a pty), unless --quiet or stderr is not a terminal."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_site({"index.html": "<p>hi</p>\n"})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def serve_on_a_pty(self, *extra):
        import json
        import pty
        import select
        import signal as sig
        import subprocess
        from endhost_test import ENDHOST
        master, slave = pty.openpty()
        p = subprocess.Popen([ENDHOST, "web", "serve", self.root, "--listen", "127.0.0.1:0", "--threads", "1",
                              "--log-format", "json"] + list(extra),
                             stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        text = b""
        port = None
        seen = ""
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        break
                    text += chunk
                    for line in text.decode("utf-8", "replace").splitlines():
                        if '"listening"' in line and port is None:
                            port = int(json.loads(line)["address"].rpartition(":")[2])
                if port is not None and not seen:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    conn.request("GET", "/index.html")
                    self.assertEqual(conn.getresponse().status, 200)
                    conn.close()
                    seen = "asked"
                    # What the server writes about that request comes within the next moments.
                    deadline = min(deadline, time.monotonic() + 2)
        finally:
            p.send_signal(sig.SIGTERM)
            p.wait(timeout=20)
            try:
                while True:
                    ready, _, _ = select.select([master], [], [], 0.2)
                    if not ready:
                        break
                    chunk = os.read(master, 4096)
                    if not chunk:
                        break
                    text += chunk
            except OSError:
                pass
            os.close(master)
        self.assertIsNotNone(port, text)
        return p.returncode, text.decode("utf-8", "replace")

    def test_requests_are_logged_on_a_terminal(self):
        code, out = self.serve_on_a_pty()
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r'127\.0\.0\.1 - - \[[^]]+\] "GET /index\.html HTTP/1\.1" 200 10 ')

    def test_quiet_turns_the_terminal_log_off(self):
        code, out = self.serve_on_a_pty("--quiet")
        self.assertEqual(code, 0, out)
        self.assertNotIn("GET /index.html", out)

    def test_no_request_log_when_stderr_is_not_a_terminal(self):
        with Server(["web", "serve", self.root, "--listen", "127.0.0.1:0"]) as server:
            host, port = server.address("web")
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("GET", "/index.html")
            self.assertEqual(conn.getresponse().read(), b"<p>hi</p>\n")
            conn.close()
            self.assertEqual(server.stop(), 0)
        self.assertFalse([r for r in server.log if "GET /index.html" in r.get("line", "")], server.log)

    def test_the_directory_once(self):
        r = run(["web", "serve", self.root, "--root", self.root])
        self.assertEqual(r.returncode, 2)
        self.assertIn("give --root once", r.stderr)


class SecondCtrlC(TestCase):
    """The first Ctrl-C with a transfer in flight says how long the server waits and that a second one stops
    it at once; the second one does."""

    def test_second_ctrl_c_stops_at_once(self):
        import signal as sig
        root = make_site({})
        with open(os.path.join(root, "big.bin"), "wb") as f:
            f.truncate(256 * 1024 * 1024)
        try:
            with Server(["web", "serve", root, "--listen", "127.0.0.1:0", "--grace", "300"]) as server:
                host, port = server.address("web")
                s = socket.create_connection((host, port))
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                s.recv(1024)  # the transfer has started; reading no more keeps it in flight
                server.proc.send_signal(sig.SIGINT)
                rec = server.wait_log(lambda r: "to stop at once" in r.get("msg", ""))
                self.assertIn("waiting up to 300 s for 1 transfer in flight (--grace); press Ctrl-C again",
                              rec["msg"])
                server.proc.send_signal(sig.SIGINT)
                self.assertEqual(server.proc.wait(timeout=60), 1)  # well before the 300 s grace
                server.wait_log(lambda r: r.get("msg") == "second signal: stopping at once")
                s.close()
        finally:
            shutil.rmtree(root, ignore_errors=True)
