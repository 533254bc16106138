"""endhost fetch against python origins and the endhost proxy: curl's everyday options, exit codes that tell
failures apart, -v heads, redirects, proxies from -x and the environment, resume, --compressed, cookie jars
that curl reads and writes, the local --cache (conditional GETs), and --page with its three connection
modes; https with certificate checks (a throwaway CA made with the openssl command), directly and through
the proxy's CONNECT."""

import ctypes
import ctypes.util
import gzip
import http.server
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

import endhost_test
from endhost_test import ENDHOST, Server
from proxy_origins import Origin, RawOrigin, dies_mid_body, malformed, stall


def brotli_compress(data):
    """Brotli (RFC 7932) through libbrotlienc, which the build needs anyway (libbrotli-dev): python's
    standard library has no brotli, and the brotli command is not installed everywhere."""
    lib = ctypes.CDLL(ctypes.util.find_library("brotlienc") or "libbrotlienc.so.1")
    out = ctypes.create_string_buffer(len(data) + 1024)
    size = ctypes.c_size_t(len(out))
    # quality 5, window 22, mode generic
    if not lib.BrotliEncoderCompress(5, 22, 0, ctypes.c_size_t(len(data)), data, ctypes.byref(size), out):
        raise RuntimeError("BrotliEncoderCompress failed")
    return out.raw[:size.value]


def cookie_then_cut(conn):
    """Sets a cookie, then dies in the middle of the body."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nSet-Cookie: cut=before-the-end; Path=/\r\nContent-Length: 100\r\n\r\nonly ten..")


def fetch(*args, env=None, cwd=None, timeout=60):
    full_env = dict(os.environ)
    for k in ("http_proxy", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        full_env.pop(k, None)
    full_env.update(env or {})
    return subprocess.run([ENDHOST, "fetch"] + list(args), capture_output=True, timeout=timeout, env=full_env,
                          cwd=cwd)


class FetchTest(endhost_test.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="endhost-fetch-")
        self.origins = []
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.proc.poll() is None:
                s.stop()
            s.__exit__()
        for o in self.origins:
            o.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def origin(self, routes):
        o = Origin(routes)
        self.origins.append(o)
        return o

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_get_to_stdout_file_and_remote_name(self):
        o = self.origin({"/hello.txt": lambda r: (200, {"Content-Type": "text/plain"}, b"hello, world\n")})
        r = fetch(o.url("/hello.txt"))
        self.assertEqual((r.returncode, r.stdout), (0, b"hello, world\n"))
        r = fetch("-o", self.path("out.txt"), o.url("/hello.txt"))
        self.assertEqual(r.returncode, 0)
        with open(self.path("out.txt"), "rb") as f:
            self.assertEqual(f.read(), b"hello, world\n")
        r = fetch("-O", o.url("/hello.txt"), cwd=self.dir)
        self.assertEqual(r.returncode, 0)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "hello.txt")))

    def test_head_include_method_headers_data_and_user(self):
        o = self.origin({"/echo": lambda r: (200, {"X-Method": r.command}, b"body")})
        r = fetch("-I", o.url("/echo"))
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"HTTP/1.1 200", r.stdout)
        self.assertIn(b"X-Method: HEAD", r.stdout)
        self.assertNotIn(b"body", r.stdout)
        r = fetch("-i", "-X", "PUT", "-H", "X-Test: yes", "-H", "User-Agent:", "-u", "ann:secret",
                  "-d", "a=1", "-d", "b=2", o.url("/echo"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"X-Method: PUT", r.stdout)
        self.assertTrue(r.stdout.endswith(b"\r\n\r\nbody"))
        method, path, headers, body = o.requests[-1]
        self.assertEqual((method, body), ("PUT", b"a=1&b=2"))
        self.assertEqual(headers["X-Test"], "yes")
        self.assertNotIn("User-Agent", headers)
        self.assertEqual(headers["Authorization"], "Basic YW5uOnNlY3JldA==")
        self.assertEqual(headers["Content-Type"], "application/x-www-form-urlencoded")
        with open(self.path("data.bin"), "wb") as f:
            f.write(b"line1\r\nline2\n")
        fetch("--data-binary", "@" + self.path("data.bin"), o.url("/echo"))
        self.assertEqual(o.requests[-1][0], "POST")
        self.assertEqual(o.requests[-1][3], b"line1\r\nline2\n")
        fetch("-d", "@" + self.path("data.bin"), o.url("/echo"))
        self.assertEqual(o.requests[-1][3], b"line1line2")

    def test_verbose_shows_heads_textbook_style(self):
        o = self.origin({"/v": lambda r: (200, {}, b"v")})
        r = fetch("-v", o.url("/v"))
        err = r.stderr.decode()
        self.assertIn("C: GET /v HTTP/1.1", err)
        self.assertIn("C: Host: 127.0.0.1:%d" % o.port, err)
        self.assertIn("S: HTTP/1.1 200 OK", err)

    def test_redirects_with_and_without_location_and_limit(self):
        o = self.origin({
            "/old": lambda r: (301, {"Location": "/new"}, b"moved"),
            "/new": lambda r: (200, {}, b"arrived"),
            "/post": lambda r: (303, {"Location": "/new"}, b""),
            "/loop": lambda r: (302, {"Location": "/loop"}, b""),
        })
        r = fetch(o.url("/old"))
        self.assertEqual((r.returncode, r.stdout), (0, b"moved"))
        r = fetch("-L", o.url("/old"))
        self.assertEqual((r.returncode, r.stdout), (0, b"arrived"))
        r = fetch("-L", "-d", "x=1", o.url("/post"))
        self.assertEqual(r.stdout, b"arrived")
        self.assertEqual(o.requests[-1][0], "GET")  # 303: GET without the body
        r = fetch("-L", "--max-redirs", "3", o.url("/loop"))
        self.assertEqual(r.returncode, 47)

    def test_exit_codes_tell_failures_apart(self):
        o = self.origin({})
        # curl's rule: an HTTP error status is a failure (22) only with -f (this used to exit 22 without it).
        self.assertEqual(fetch("-f", o.url("/missing")).returncode, 22)
        self.assertEqual(fetch("http://no-such-host.invalid/").returncode, 6)
        closed = endhost_test.free_port()
        self.assertEqual(fetch("http://127.0.0.1:%d/" % closed).returncode, 7)
        self.assertEqual(fetch("not a url").returncode, 3)
        bad = RawOrigin(malformed)
        self.origins.append(bad)
        self.assertEqual(fetch(bad.url("/")).returncode, 8)
        cut = RawOrigin(dies_mid_body)
        self.origins.append(cut)
        self.assertEqual(fetch(cut.url("/")).returncode, 18)
        slow = RawOrigin(stall)
        self.origins.append(slow)
        self.assertEqual(fetch("--max-time", "1", slow.url("/")).returncode, 28)
        empty = RawOrigin(lambda conn: None)
        self.origins.append(empty)
        self.assertEqual(fetch(empty.url("/")).returncode, 52)

    def test_proxy_option_environment_and_no_proxy(self):
        o = self.origin({"/p": lambda r: (200, {"Cache-Control": "max-age=60"}, b"via proxy")})
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.path("cache"), "--no-fsync"])
        self.servers.append(s)
        proxy = "http://%s:%d" % s.address("proxy")
        r = fetch("-x", proxy, "-i", o.url("/p"))
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"Via: 1.1 endhost", r.stdout)
        r = fetch("-i", o.url("/p"), env={"http_proxy": proxy})
        self.assertIn(b"Cache-Status: endhost; hit", r.stdout)
        r = fetch("-i", o.url("/p"), env={"http_proxy": proxy, "no_proxy": "127.0.0.1"})
        self.assertNotIn(b"Via:", r.stdout)
        r = fetch("-i", "-x", "", o.url("/p"), env={"http_proxy": proxy})
        self.assertNotIn(b"Via:", r.stdout)

    def test_resume_with_range(self):
        data = bytes(range(256)) * 100

        def ranged(req):
            rng = req.headers.get("Range")
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                return 206, {"Content-Range": "bytes %d-%d/%d" % (start, len(data) - 1, len(data))}, data[start:]
            return 200, {}, data
        o = self.origin({"/big": ranged})
        with open(self.path("big"), "wb") as f:
            f.write(data[:1000])
        r = fetch("-C", "-", "-o", self.path("big"), o.url("/big"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(o.requests[-1][2].get("Range"), "bytes=1000-")
        with open(self.path("big"), "rb") as f:
            self.assertEqual(f.read(), data)

    def test_compressed_gzip_and_zstd(self):
        text = b"compress me " * 500
        zst = subprocess.run(["zstd", "-q", "-c"], input=text, capture_output=True).stdout
        o = self.origin({
            "/gz": lambda r: (200, {"Content-Encoding": "gzip"}, gzip.compress(text)),
            "/zst": lambda r: (200, {"Content-Encoding": "zstd"}, zst),
        })
        for path in ("/gz", "/zst"):
            r = fetch("--compressed", o.url(path))
            self.assertEqual((r.returncode, r.stdout), (0, text), path)
            self.assertIn("zstd", o.requests[-1][2]["Accept-Encoding"])
        # Without --compressed the bytes are passed through as received, as curl does.
        self.assertEqual(gzip.decompress(fetch(o.url("/gz")).stdout), text)

    def test_cookie_jar_interoperates_with_curl(self):
        def login(req):
            return 200, {"Set-Cookie": ["session=abc123; Path=/; HttpOnly", "theme=dark; Path=/app; Max-Age=3600"]}, b"ok"
        o = self.origin({"/login": login, "/app/page": lambda r: (200, {}, b"app"), "/other": lambda r: (200, {}, b"o")})
        jar = self.path("jar.txt")
        self.assertEqual(fetch("-c", jar, o.url("/login")).returncode, 0)
        with open(jar) as f:
            content = f.read()
        self.assertIn("# Netscape HTTP Cookie File", content)
        self.assertIn("#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123", content)
        # curl reads our jar…
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-b", jar, o.url("/app/page")], check=True, timeout=30)
        self.assertEqual(o.last_headers("/app/page").get("Cookie"), "theme=dark; session=abc123")
        # …and we read curl's.
        curl_jar = self.path("curl-jar.txt")
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-c", curl_jar, o.url("/login")], check=True, timeout=30)
        self.assertEqual(fetch("-b", curl_jar, o.url("/other")).returncode, 0)
        self.assertEqual(o.last_headers("/other").get("Cookie"), "session=abc123")
        fetch("-b", curl_jar, o.url("/app/page"))
        self.assertEqual(o.last_headers("/app/page").get("Cookie"), "theme=dark; session=abc123")

    def test_local_cache_makes_repeat_fetches_conditional(self):
        def doc(req):
            if req.headers.get("If-None-Match") == '"d1"':
                return 304, {"ETag": '"d1"', "Cache-Control": "max-age=3600"}, b""
            return 200, {"ETag": '"d1"', "Cache-Control": "max-age=3600"}, b"cached document\n"

        def short(req):
            if req.headers.get("If-None-Match") == '"s1"':
                return 304, {"ETag": '"s1"'}, b""
            return 200, {"ETag": '"s1"', "Cache-Control": "max-age=1"}, b"short-lived\n"
        o = self.origin({"/doc": doc, "/short": short})
        cache = self.path("cache")
        for _ in range(2):
            r = fetch("--cache", cache, o.url("/doc"))
            self.assertEqual((r.returncode, r.stdout), (0, b"cached document\n"))
        self.assertEqual(o.count("/doc"), 1)  # the second came from the cache
        # Once stale, a repeat fetch is a conditional GET, and a 304 serves the cached copy.
        fetch("--cache", cache, o.url("/short"))
        time.sleep(2.2)
        r = fetch("--cache", cache, "-v", o.url("/short"))
        self.assertEqual(r.stdout, b"short-lived\n")
        self.assertEqual(o.count("/short"), 2)
        self.assertEqual(o.last_headers("/short").get("If-None-Match"), '"s1"')
        self.assertIn(b"S: HTTP/1.1 304", r.stderr)
        # A client asking for validation (no-cache) also gets a conditional GET.
        r = fetch("--cache", cache, "-H", "Cache-Control: no-cache", o.url("/doc"))
        self.assertEqual(r.stdout, b"cached document\n")
        self.assertEqual(o.count("/doc"), 2)
        self.assertEqual(o.last_headers("/doc").get("If-None-Match"), '"d1"')

    def test_cookie_jar_is_written_whatever_the_outcome(self):
        o = self.origin({
            "/c": lambda r: (200, {"Set-Cookie": "kept=yes; Path=/", "Cache-Control": "max-age=600"}, b"c"),
            "/loop": lambda r: (302, {"Location": "/loop", "Set-Cookie": "looped=yes; Path=/"}, b""),
        })
        cache = self.path("cache")
        first, second = self.path("jar1"), self.path("jar2")
        self.assertEqual(fetch("--cache", cache, "-c", first, o.url("/c")).returncode, 0)
        # Answered from the local cache: no request, but the jar still comes out (curl writes it always).
        r = fetch("--cache", cache, "-b", first, "-c", second, o.url("/c"))
        self.assertEqual((r.returncode, o.count("/c")), (0, 1))
        with open(second) as f:
            self.assertIn("\tkept\tyes", f.read())
        # The redirect limit: the cookies set on the way are saved.
        jar = self.path("jar3")
        self.assertEqual(fetch("-L", "--max-redirs", "2", "-c", jar, o.url("/loop")).returncode, 47)
        with open(jar) as f:
            self.assertIn("\tlooped\tyes", f.read())
        # A transport error after the head: the cookie it set is saved.
        cut = RawOrigin(cookie_then_cut)
        self.origins.append(cut)
        jar = self.path("jar4")
        self.assertEqual(fetch("-c", jar, cut.url("/")).returncode, 18)
        with open(jar) as f:
            self.assertIn("\tcut\tbefore-the-end", f.read())
        # A connection that never happens still writes the jar read with -b (curl does too).
        closed = endhost_test.free_port()
        jar = self.path("jar5")
        self.assertEqual(fetch("-b", first, "-c", jar, "http://127.0.0.1:%d/" % closed).returncode, 7)
        with open(jar) as f:
            self.assertIn("\tkept\tyes", f.read())

    def test_cache_dir_in_use_by_a_proxy_is_refused(self):
        cache = self.path("cache")
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", cache, "--no-fsync"])
        self.servers.append(s)
        o = self.origin({"/x": lambda r: (200, {}, b"x")})
        r = fetch("--cache", cache, o.url("/x"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"is in use by another endhost process (pid %d)" % s.proc.pid, r.stderr)
        self.assertEqual(o.count("/x"), 0)

    def proxy(self, *args):
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.path("cache"), "--no-fsync",
                    "--connect-timeout", "2"] + list(args))
        self.servers.append(s)
        return "http://%s:%d" % s.address("proxy")

    def test_through_the_proxy_revalidation_vary_and_no_store(self):
        def page(req):
            if req.headers.get("If-None-Match") == '"v1"':
                return 304, {"ETag": '"v1"', "Cache-Control": "max-age=600"}, b""
            return 200, {"ETag": '"v1"', "Cache-Control": "max-age=1"}, b"version one\n"

        def lang(req):
            language = req.headers.get("Accept-Language", "en")
            return 200, {"Vary": "Accept-Language", "Cache-Control": "max-age=600"}, ("in " + language).encode()
        o = self.origin({"/page": page, "/lang": lang,
                         "/ns": lambda r: (200, {"Cache-Control": "no-store"}, b"never kept\n")})
        proxy = self.proxy()
        r = fetch("-x", proxy, "-i", o.url("/page"))
        self.assertIn(b"fwd=uri-miss", r.stdout)
        time.sleep(2.2)  # max-age=1 ran out
        r = fetch("-x", proxy, "-i", o.url("/page"))
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.endswith(b"\r\n\r\nversion one\n"))
        self.assertIn(b"fwd=stale; fwd-status=304", r.stdout)
        self.assertEqual(o.last_headers("/page").get("If-None-Match"), '"v1"')
        self.assertEqual(o.count("/page"), 2)
        r = fetch("-x", proxy, "-i", o.url("/page"))
        self.assertIn(b"Cache-Status: endhost; hit", r.stdout)
        self.assertEqual(o.count("/page"), 2)
        # Vary: one stored variant per language.
        for language in ("fr", "de", "fr", "de"):
            r = fetch("-x", proxy, "-H", "Accept-Language: " + language, o.url("/lang"))
            self.assertEqual(r.stdout, ("in " + language).encode())
        self.assertEqual(o.count("/lang"), 2)
        # no-store: every fetch reaches the origin.
        for _ in range(2):
            r = fetch("-x", proxy, "-i", o.url("/ns"))
            self.assertIn(b"detail=no-store", r.stdout)
        self.assertEqual(o.count("/ns"), 2)

    def test_through_the_proxy_stale_if_error_with_the_origin_down(self):
        o = self.origin({"/sie": lambda r: (200, {"Cache-Control": "max-age=1, stale-if-error=600"}, b"still here\n")})
        proxy = self.proxy()
        self.assertEqual(fetch("-x", proxy, o.url("/sie")).stdout, b"still here\n")
        o.stop()
        self.origins.remove(o)
        time.sleep(2.2)
        r = fetch("-x", proxy, "-i", o.url("/sie"))
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"stale-if-error", r.stdout)
        self.assertTrue(r.stdout.endswith(b"still here\n"))

    def test_compressed_br_direct_and_through_the_proxy(self):
        text = b"brotli through fetch " * 400
        br = brotli_compress(text)
        self.assertLess(len(br), len(text) // 10)
        o = self.origin({"/br": lambda r: (200, {"Content-Encoding": "br", "Vary": "Accept-Encoding",
                                                 "Cache-Control": "max-age=600"}, br)})
        r = fetch("--compressed", o.url("/br"))
        self.assertEqual((r.returncode, r.stdout), (0, text))
        self.assertIn("br", o.requests[-1][2]["Accept-Encoding"])
        proxy = self.proxy()
        for _ in range(2):  # a miss, then a hit of the stored br body
            r = fetch("-x", proxy, "--compressed", o.url("/br"))
            self.assertEqual((r.returncode, r.stdout), (0, text))
        self.assertEqual(o.count("/br"), 2)

    def test_resume_when_the_server_answers_416_or_ignores_range(self):
        data = b"0123456789" * 100

        def complete(req):
            rng = req.headers.get("Range")
            if rng == "bytes=%d-" % len(data):
                return 416, {"Content-Range": "bytes */%d" % len(data)}, b""
            return 200, {}, data
        o = self.origin({"/done": complete, "/norange": lambda r: (200, {}, data)})
        with open(self.path("done"), "wb") as f:
            f.write(data)
        r = fetch("-C", "-", "-o", self.path("done"), o.url("/done"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(o.requests[-1][2].get("Range"), "bytes=%d-" % len(data))
        with open(self.path("done"), "rb") as f:
            self.assertEqual(f.read(), data)  # untouched: it was already complete
        # A server that ignores Range sends the whole file: it replaces the partial one, not appended to it.
        with open(self.path("part"), "wb") as f:
            f.write(data[:300])
        r = fetch("-C", "-", "-o", self.path("part"), o.url("/norange"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(o.requests[-1][2].get("Range"), "bytes=300-")
        with open(self.path("part"), "rb") as f:
            self.assertEqual(f.read(), data)

    def page_origin(self):
        html = b"""<html><head><link rel="stylesheet" href="/style.css"><script src="app.js"></script></head>
            <body><img src="/a.png"><img src="b.png"><img src="/a.png"><img src="http://elsewhere.invalid/x.png">
            </body></html>"""
        return self.origin({
            "/index.html": lambda r: (200, {"Content-Type": "text/html"}, html),
            "/style.css": lambda r: (200, {}, b"body{}"),
            "/app.js": lambda r: (200, {}, b"1;"),
            "/a.png": lambda r: (200, {}, b"A" * 1000),
            "/b.png": lambda r: (200, {}, b"B" * 2000),
        })

    def test_page_modes_report_connections_and_requests(self):
        o = self.page_origin()
        reports = {}
        for mode in ("non-persistent", "persistent", "parallel=3"):
            r = fetch("--page", o.url("/index.html"), "--mode", mode, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            reports[mode] = json.loads(r.stdout)
        for mode, rep in reports.items():
            self.assertEqual(rep["requests"], 5, mode)  # the page, style.css, app.js, a.png, b.png
            self.assertEqual(rep["skipped_other_servers"], 1)
            self.assertEqual(rep["bytes"], sum(f["bytes"] for f in rep["fetches"]))
        self.assertEqual(reports["non-persistent"]["connections"], 5)
        self.assertEqual(reports["persistent"]["connections"], 1)
        self.assertEqual(reports["parallel=3"]["connections"], 5)
        self.assertEqual(o.count("/a.png"), 3)  # once per mode, though the page lists it twice
        text = fetch("--page", o.url("/index.html"), "--mode", "persistent").stdout.decode()
        self.assertRegex(text, r"connections 1\n")
        self.assertRegex(text, r"requests    5\n")

    def test_page_goes_through_the_proxy_from_x_and_the_environment(self):
        o = self.page_origin()
        proxy = self.proxy()
        r = fetch("--page", o.url("/index.html"), "--mode", "persistent", "--json", "-x", proxy)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["requests"], 5)
        self.assertEqual(o.last_headers("/b.png").get("Via"), "1.1 endhost")
        # http_proxy, in parallel mode. The objects have no freshness, so nothing was stored: each reaches
        # the origin again, through the proxy.
        before = o.count("/a.png")
        r = fetch("--page", o.url("/index.html"), "--mode", "parallel=2", env={"http_proxy": proxy})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(o.count("/a.png"), before + 1)
        self.assertEqual(o.last_headers("/a.png").get("Via"), "1.1 endhost")

    def test_usage_errors(self):
        self.assertEqual(fetch().returncode, 2)
        r = fetch("--page", "http://127.0.0.1:1/", "--mode", "sometimes")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"--mode", r.stderr)
        self.assertEqual(fetch("-H", "no colon", "http://127.0.0.1:1/").returncode, 1)


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(d):
    """A throwaway CA (ca.pem, ca.key) in directory d."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=endhost test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=d)


def make_server_cert(d, name, san):
    """name.pem and name.key, signed by the CA in d, for the subjectAltName `san`."""
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" % san)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name, cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "7",
            "-days", "2", "-out", name + ".pem", "-extfile", name + ".ext", cwd=d)


PAGE = b"""<html><head><link rel="stylesheet" href="/style.css"></head>
<body><img src="/a.png"><img src="b.png"></body></html>"""


class CurlHabits(endhost_test.TestCase):
    """curl's everyday options and habits: -f, -s/-S, -w, -D, URLs without a scheme, several URLs over one
    connection, -u prompting on a terminal, --resolve, and messages that name the reason."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="endhost-fetch-curl-")
        cls.o = Origin({
            "/a": lambda r: (200, {"Content-Type": "text/plain"}, b"alpha\n"),
            "/b": lambda r: (200, {"Content-Type": "text/plain", "X-B": "yes"}, b"bravo!\n"),
            "/auth": lambda r: (200, {}, r.headers.get("Authorization", "none").encode()),
            "/host": lambda r: (200, {}, r.headers.get("Host", "").encode()),
        })

    @classmethod
    def tearDownClass(cls):
        cls.o.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_fail_only_with_f(self):
        r = fetch(self.o.url("/missing"))
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, b"no such thing\n", b""))
        r = fetch("-f", self.o.url("/missing"))
        self.assertEqual((r.returncode, r.stdout), (22, b""))
        self.assertIn(b"the server answered 404", r.stderr)
        r = fetch("--fail-with-body", self.o.url("/missing"))
        self.assertEqual((r.returncode, r.stdout), (22, b"no such thing\n"))
        r = fetch("-fs", self.o.url("/missing"))
        self.assertEqual((r.returncode, r.stderr), (22, b""))
        r = fetch("-fsS", self.o.url("/missing"))
        self.assertEqual(r.returncode, 22)
        self.assertIn(b"404", r.stderr)

    def test_write_out_and_several_urls_over_one_connection(self):
        r = fetch("-s", "-o", self.path("a"), "-o", self.path("b"), "-w",
                  "%{http_code} %{size_download} %{num_connects} %{url_effective}\\n",
                  self.o.url("/a"), self.o.url("/b"), self.o.url("/missing"))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertEqual(lines[0], "200 6 1 " + self.o.url("/a"))
        self.assertEqual(lines[1], "200 7 0 " + self.o.url("/b"))  # the connection was reused
        self.assertEqual(lines[2], "no such thing")  # no third -o: stdout
        self.assertEqual(lines[3], "404 14 0 " + self.o.url("/missing"))
        with open(self.path("b"), "rb") as f:
            self.assertEqual(f.read(), b"bravo!\n")
        r = fetch("-s", "-o", "/dev/null", "-w", "%{time_connect} %{time_starttransfer} %{time_total}",
                  self.o.url("/a"))
        connect, start, total = (float(x) for x in r.stdout.decode().split())
        self.assertTrue(0 < connect <= start <= total, r.stdout)
        r = fetch("-s", "-w", "%{nosuch}", self.o.url("/a"))
        self.assertIn(b"unknown --write-out variable: 'nosuch'", r.stderr)

    def test_dump_header_and_url_without_scheme(self):
        bare = self.o.url("/b")[len("http://"):]
        r = fetch("-D", "-", bare)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(b"HTTP/1.1 200 OK\r\n"), r.stdout)
        self.assertIn(b"X-B: yes\r\n", r.stdout)
        self.assertTrue(r.stdout.endswith(b"\r\n\r\nbravo!\n"), r.stdout)
        r = fetch("-s", "-D", self.path("heads"), "-o", "/dev/null", bare)
        with open(self.path("heads"), "rb") as f:
            heads = f.read()
        self.assertTrue(heads.startswith(b"HTTP/1.1 200 OK\r\n") and heads.endswith(b"\r\n\r\n"), heads)

    def test_output_error_says_why(self):
        r = fetch("-o", "/missing/dir/x", self.o.url("/a"))
        self.assertEqual(r.returncode, 23)
        self.assertIn(b"cannot write /missing/dir/x: No such file or directory", r.stderr)

    def test_resolve_pins_a_name(self):
        url = "http://www.lab.test:%d/host" % self.o.port
        r = fetch("--resolve", "www.lab.test:%d:127.0.0.1" % self.o.port, url)
        self.assertEqual((r.returncode, r.stdout), (0, ("www.lab.test:%d" % self.o.port).encode()), r.stderr)
        r = fetch("--resolve", "www.lab.test:80", url)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"--resolve 'www.lab.test:80': expected HOST:PORT:ADDR", r.stderr)

    def test_user_without_password_prompts_on_a_terminal(self):
        import pty
        import select
        master, slave = pty.openpty()
        p = subprocess.Popen([ENDHOST, "fetch", "-u", "ann", self.o.url("/auth")], stdin=slave, stdout=subprocess.PIPE,
                             stderr=slave)
        os.close(slave)
        seen = b""
        deadline = time.monotonic() + 20
        while b"Enter host password for user 'ann':" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 1024)
        os.write(master, b"s3cret\n")
        out, _ = p.communicate(timeout=20)
        try:
            while select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 1024)
        except OSError:
            pass
        os.close(master)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(out, b"Basic YW5uOnMzY3JldA==")  # ann:s3cret
        self.assertNotIn(b"s3cret", seen)  # no echo


class TlsOrigin:
    """python's http.server wrapped in TLS on 127.0.0.1:0, HTTP/1.1 with keep-alive, in a thread."""

    def __init__(self, cert, key):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                bodies = {"/": b"hello over tls\n", "/index.html": PAGE, "/style.css": b"body{}",
                          "/a.png": b"A" * 1000, "/b.png": b"B" * 2000}
                body = bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                body = body if body is not None else b"not found\n"
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Type", "text/html" if self.path == "/index.html" else "text/plain")
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
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/"):
        return "https://localhost:%d%s" % (self.port, path)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class FetchHttpsTest(endhost_test.TestCase):
    setUp = FetchTest.setUp
    tearDown = FetchTest.tearDown
    origin = FetchTest.origin
    path = FetchTest.path

    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="endhost-fetch-pki-")
        make_ca(cls.pki)
        make_server_cert(cls.pki, "localhost", "DNS:localhost,IP:127.0.0.1")
        make_server_cert(cls.pki, "other", "DNS:other.example")
        cls.ca = os.path.join(cls.pki, "ca.pem")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)

    def tls_origin(self, name="localhost"):
        o = TlsOrigin(os.path.join(self.pki, name + ".pem"), os.path.join(self.pki, name + ".key"))
        self.origins.append(o)
        return o

    def test_verified_insecure_and_failing_certificates(self):
        o = self.tls_origin()
        r = fetch("--cacert", self.ca, "-v", o.url())
        self.assertEqual((r.returncode, r.stdout), (0, b"hello over tls\n"), r.stderr)
        self.assertRegex(r.stderr.decode(), r"\* TLS: TLSv1\.[23] \S+, certificate /CN=localhost")
        # An IP literal is checked against the certificate's IP address (and sent without SNI).
        r = fetch("--cacert", self.ca, "https://127.0.0.1:%d/" % o.port)
        self.assertEqual((r.returncode, r.stdout), (0, b"hello over tls\n"), r.stderr)
        r = fetch(o.url())  # the throwaway CA is not in the system store
        self.assertEqual(r.returncode, 60, r.stderr)
        r = fetch("-k", o.url())
        self.assertEqual((r.returncode, r.stdout), (0, b"hello over tls\n"), r.stderr)
        other = self.tls_origin("other")  # trusted CA, but a certificate for another name
        r = fetch("--cacert", self.ca, other.url())
        self.assertEqual(r.returncode, 60, r.stderr)
        self.assertEqual(fetch("-k", other.url()).returncode, 0)
        self.assertEqual(fetch("--cacert", self.path("missing.pem"), o.url()).returncode, 77)

    def test_plain_http_server_spoken_to_with_https(self):
        plain = self.origin({"/": lambda r: (200, {}, b"plain\n")})
        r = fetch("--cacert", self.ca, plain.url("/").replace("http://", "https://"))
        self.assertEqual(r.returncode, 35, r.stderr)

    def test_page_over_tls_reuses_one_connection(self):
        o = self.tls_origin()
        r = fetch("--cacert", self.ca, "--page", o.url("/index.html"), "--mode", "persistent", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = json.loads(r.stdout)
        self.assertEqual((rep["requests"], rep["connections"], rep["errors"]), (4, 1, 0))
        r = fetch("--cacert", self.ca, "--page", o.url("/index.html"), "--mode", "non-persistent", "--json")
        self.assertEqual(json.loads(r.stdout)["connections"], 4)

    def test_connect_through_the_proxy_from_x_and_the_environment(self):
        o = self.tls_origin()
        log_path = self.path("access.log")
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.path("cache"), "--no-fsync",
                    "--connect-port", str(o.port), "--access-log", log_path])
        self.servers.append(s)
        proxy = "http://%s:%d" % s.address("proxy")
        r = fetch("--cacert", self.ca, "-x", proxy, o.url())
        self.assertEqual((r.returncode, r.stdout), (0, b"hello over tls\n"), r.stderr)
        r = fetch("--cacert", self.ca, o.url(), env={"https_proxy": proxy})
        self.assertEqual((r.returncode, r.stdout), (0, b"hello over tls\n"), r.stderr)
        # no_proxy sends it direct: no third CONNECT.
        r = fetch("--cacert", self.ca, o.url(), env={"https_proxy": proxy, "no_proxy": "localhost"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(s.stop(), 0)
        with open(log_path) as f:
            lines = f.read().splitlines()
        connects = [l for l in lines if '"CONNECT localhost:%d' % o.port in l]
        self.assertEqual(len(connects), 2, lines)


if __name__ == "__main__":
    unittest.main()
