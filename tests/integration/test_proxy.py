"""The caching proxy through curl -x: MISS → HIT → revalidation with the origin seeing the conditional GET,
Vary, no-store, persistence across a restart, stale-if-error, request collapsing, CONNECT tunnels, PURGE,
invalidation, HEAD and Range from stored responses, hop-by-hop removal, and the bad-upstream rules."""

import concurrent.futures
import os
import re
import signal
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import endhost_test
from endhost_test import Server, exchange, run
from proxy_origins import Origin, RawOrigin, dies_mid_body, huge_header, malformed, stall


def curl(proxy, url, headers=(), method=None, extra=(), data=None):
    """One request through the proxy: (status, {lower-case name: [values]}, body, curl exit code)."""
    fd, body_path = tempfile.mkstemp()
    os.close(fd)
    cmd = ["curl", "-s", "-D", "-", "-o", body_path, "--max-time", "20"]
    if proxy:
        cmd += ["-x", "http://%s:%d" % proxy]
    for h in headers:
        cmd += ["-H", h]
    if method:
        cmd += ["-X", method]
    if data is not None:
        cmd += ["--data-binary", data]
    cmd += list(extra) + [url]
    p = subprocess.run(cmd, capture_output=True, timeout=30)
    with open(body_path, "rb") as f:
        body = f.read()
    os.unlink(body_path)
    status, fields = 0, {}
    for block in p.stdout.decode("latin-1").split("\r\n\r\n"):
        lines = block.split("\r\n")
        if not lines or not lines[0].startswith("HTTP/"):
            continue
        if lines[0].split()[1] in ("100",) or "Connection established" in lines[0] or \
                "Connection Established" in lines[0]:
            continue
        status, fields = int(lines[0].split()[1]), {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                fields.setdefault(k.strip().lower(), []).append(v.strip())
    return status, fields, body, p.returncode


def cache_status(fields):
    return ", ".join(fields.get("cache-status", []))


class ProxyTest(endhost_test.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="endhost-proxy-")
        self.cache_dir = os.path.join(self.dir, "cache")
        self.servers = []
        self.origins = []

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

    def raw(self, behaviour):
        o = RawOrigin(behaviour)
        self.origins.append(o)
        return o

    def proxy(self, *args, wait_for=1):
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.cache_dir,
                    "--threads", "2", "--no-fsync"] + list(args), wait_for=wait_for)
        self.servers.append(s)
        return s

    def test_miss_hit_then_revalidation_with_conditional_get(self):
        def page(req):
            # The 304 carries a longer max-age: RFC 9111 §3.2 says it updates the stored fields.
            if req.headers.get("If-None-Match") == '"v1"':
                return 304, {"ETag": '"v1"', "Cache-Control": "max-age=3600"}, b""
            return 200, {"ETag": '"v1"', "Cache-Control": "max-age=1", "Content-Type": "text/plain"}, b"version one\n"
        o = self.origin({"/page": page, "/fresh": lambda r: (200, {"Cache-Control": "max-age=3600"}, b"fresh\n")})
        p = self.proxy().address("proxy")
        status, f, body, _ = curl(p, o.url("/fresh"))
        self.assertEqual((status, body), (200, b"fresh\n"))
        self.assertIn("fwd=uri-miss", cache_status(f))
        self.assertIn("stored", cache_status(f))
        self.assertIn("1.1 endhost", ", ".join(f["via"]))
        status, f, body, _ = curl(p, o.url("/fresh"))
        self.assertEqual((status, body), (200, b"fresh\n"))
        self.assertIn("hit", cache_status(f))
        self.assertIn("age", f)
        self.assertEqual(o.count("/fresh"), 1)

        status, f, body, _ = curl(p, o.url("/page"))
        self.assertEqual((status, body), (200, b"version one\n"))
        time.sleep(2.2)  # let max-age=1 run out
        status, f, body, _ = curl(p, o.url("/page"))
        self.assertEqual((status, body), (200, b"version one\n"))
        self.assertEqual(o.count("/page"), 2)
        self.assertEqual(o.last_headers("/page").get("If-None-Match"), '"v1"')
        self.assertIn("fwd=stale", cache_status(f))
        self.assertIn("fwd-status=304", cache_status(f))
        # The 304 freshened the stored response (max-age=3600 now): the next request is a hit.
        status, f, body, _ = curl(p, o.url("/page"))
        self.assertEqual(body, b"version one\n")
        self.assertIn("hit", cache_status(f))
        self.assertEqual(o.count("/page"), 2)

    def test_client_asking_for_validation_gets_a_conditional_get_upstream(self):
        def page(req):
            if req.headers.get("If-None-Match") == '"v1"':
                return 304, {"ETag": '"v1"'}, b""
            return 200, {"ETag": '"v1"', "Cache-Control": "max-age=3600"}, b"validated\n"
        o = self.origin({"/page": page})
        p = self.proxy().address("proxy")
        curl(p, o.url("/page"))
        status, f, body, _ = curl(p, o.url("/page"), ["Cache-Control: no-cache"])
        self.assertEqual(body, b"validated\n")
        self.assertEqual(o.last_headers("/page").get("If-None-Match"), '"v1"')
        self.assertIn("fwd=request", cache_status(f))
        self.assertIn("fwd-status=304", cache_status(f))
        status, f, body, _ = curl(p, o.url("/page"), ["Cache-Control: only-if-cached"])
        self.assertEqual((status, body), (200, b"validated\n"))
        self.assertEqual(curl(p, o.url("/other"), ["Cache-Control: only-if-cached"])[0], 504)

    def test_last_modified_revalidation_and_changed_content(self):
        state = {"v": b"old\n"}
        lm = "Tue, 15 Nov 1994 08:12:31 GMT"

        def doc(req):
            if state["v"] == b"old\n" and req.headers.get("If-Modified-Since") == lm:
                return 304, {"Last-Modified": lm}, b""
            return 200, {"Last-Modified": lm, "Cache-Control": "max-age=1" if state["v"] == b"old\n" else "max-age=3600"}, \
                state["v"]
        o = self.origin({"/doc": doc})
        p = self.proxy().address("proxy")
        self.assertEqual(curl(p, o.url("/doc"))[2], b"old\n")
        time.sleep(2.2)
        state["v"] = b"new content\n"
        status, f, body, _ = curl(p, o.url("/doc"))
        self.assertEqual(body, b"new content\n")
        self.assertEqual(o.last_headers("/doc").get("If-Modified-Since"), lm)
        self.assertIn("fwd-status=200", cache_status(f))
        self.assertEqual(curl(p, o.url("/doc"))[2], b"new content\n")
        self.assertEqual(o.count("/doc"), 2)

    def test_vary_keeps_one_variant_per_language(self):
        def greet(req):
            lang = req.headers.get("Accept-Language", "en")
            body = {"en": b"hello\n", "fr": b"bonjour\n"}.get(lang, b"hi\n")
            return 200, {"Vary": "Accept-Language", "Cache-Control": "max-age=600"}, body
        o = self.origin({"/greet": greet})
        p = self.proxy().address("proxy")
        self.assertEqual(curl(p, o.url("/greet"), ["Accept-Language: en"])[2], b"hello\n")
        status, f, body, _ = curl(p, o.url("/greet"), ["Accept-Language: fr"])
        self.assertEqual(body, b"bonjour\n")
        self.assertIn("fwd=vary-miss", cache_status(f))
        status, f, body, _ = curl(p, o.url("/greet"), ["Accept-Language: en"])
        self.assertEqual(body, b"hello\n")
        self.assertIn("hit", cache_status(f))
        status, f, body, _ = curl(p, o.url("/greet"), ["Accept-Language: fr"])
        self.assertEqual(body, b"bonjour\n")
        self.assertEqual(o.count("/greet"), 2)

    def test_no_store_and_private_are_never_stored(self):
        o = self.origin({
            "/ns": lambda r: (200, {"Cache-Control": "no-store"}, b"secret\n"),
            "/private": lambda r: (200, {"Cache-Control": "private, max-age=600"}, b"mine\n"),
        })
        p = self.proxy().address("proxy")
        for path in ("/ns", "/private"):
            for _ in range(2):
                status, f, body, _ = curl(p, o.url(path))
                self.assertEqual(status, 200)
                self.assertNotIn("hit", cache_status(f))
                self.assertNotIn("stored", cache_status(f))
            self.assertEqual(o.count(path), 2)
        self.assertIn("detail=no-store", cache_status(curl(p, o.url("/ns"))[1]))
        objects = os.path.join(self.cache_dir, "objects")
        self.assertEqual(sum(len(files) for _, _, files in os.walk(objects)), 0)

    def test_cache_survives_a_restart(self):
        o = self.origin({"/keep": lambda r: (200, {"Cache-Control": "max-age=3600"}, b"kept\n" * 1000)})
        s = self.proxy()
        curl(s.address("proxy"), o.url("/keep"))
        self.assertEqual(s.stop(), 0)
        s2 = self.proxy()
        status, f, body, _ = curl(s2.address("proxy"), o.url("/keep"))
        self.assertEqual(body, b"kept\n" * 1000)
        self.assertIn("hit", cache_status(f))
        self.assertEqual(o.count("/keep"), 1)
        opened = [r for r in s2.log if r.get("msg") == "cache opened"]
        self.assertEqual(opened[0]["objects"], 1)

    def test_stale_if_error_with_the_origin_down(self):
        o = self.origin({"/sie": lambda r: (200, {"Cache-Control": "max-age=1, stale-if-error=600"}, b"still here\n"),
                         "/strict": lambda r: (200, {"Cache-Control": "max-age=1, must-revalidate"}, b"strict\n")})
        p = self.proxy("--connect-timeout", "2").address("proxy")
        curl(p, o.url("/sie"))
        curl(p, o.url("/strict"))
        o.stop()
        self.origins.remove(o)
        time.sleep(2.2)
        status, f, body, _ = curl(p, o.url("/sie"))
        self.assertEqual((status, body), (200, b"still here\n"))
        self.assertIn("stale-if-error", cache_status(f))
        # Without stale-if-error the origin being unreachable is enough (RFC 9111 §4.2.4, a disconnected
        # cache), but must-revalidate forbids it: the client learns the origin is down.
        status, f, body, _ = curl(p, o.url("/strict"))
        self.assertEqual(status, 502)

    def test_concurrent_misses_are_collapsed_into_one_origin_request(self):
        def slow(req):
            time.sleep(1.0)
            return 200, {"Cache-Control": "max-age=600"}, b"slow but shared\n"
        o = self.origin({"/slow": slow})
        p = self.proxy().address("proxy")
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            results = list(pool.map(lambda _: curl(p, o.url("/slow")), range(10)))
        self.assertTrue(all(r[0] == 200 and r[2] == b"slow but shared\n" for r in results), results)
        self.assertEqual(o.count("/slow"), 1)
        self.assertGreaterEqual(sum("collapsed" in cache_status(r[1]) for r in results), 1)

    def test_concurrent_revalidations_are_collapsed_into_one_conditional_get(self):
        def page(req):
            if req.headers.get("If-None-Match") == '"r1"':
                time.sleep(1.0)  # long enough for the others to arrive while it is in flight
                return 304, {"ETag": '"r1"', "Cache-Control": "max-age=600"}, b""
            return 200, {"ETag": '"r1"', "Cache-Control": "max-age=1"}, b"validated once\n"
        o = self.origin({"/rv": page})
        p = self.proxy().address("proxy")
        self.assertEqual(curl(p, o.url("/rv"))[2], b"validated once\n")
        time.sleep(2.2)  # stale now
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: curl(p, o.url("/rv")), range(8)))
        self.assertTrue(all(r[0] == 200 and r[2] == b"validated once\n" for r in results), results)
        conditional = [h for m, path, h, _ in o.requests if path == "/rv" and "If-None-Match" in h]
        self.assertEqual(len(conditional), 1)
        self.assertEqual(o.count("/rv"), 2)
        self.assertGreaterEqual(sum("collapsed" in cache_status(r[1]) for r in results), 1)

    def test_set_cookie_is_not_shared_between_clients(self):
        counter = {"n": 0}
        lock = threading.Lock()

        def login(cache_control):
            def route(req):
                with lock:
                    counter["n"] += 1
                    n = counter["n"]
                return 200, {"Cache-Control": cache_control, "Set-Cookie": "session=client%d; Path=/" % n}, b"hello\n"
            return route
        o = self.origin({"/plain": login("max-age=600"), "/shared": login("s-maxage=600"),
                         "/public": login("public, max-age=600")})
        p = self.proxy().address("proxy")
        # Two clients: each gets its own cookie, the second is not handed the first one's session.
        _, f1, _, _ = curl(p, o.url("/plain"))
        _, f2, _, _ = curl(p, o.url("/plain"))
        self.assertEqual(len(f1["set-cookie"]), 1)
        self.assertEqual(len(f2["set-cookie"]), 1)
        self.assertNotEqual(f1["set-cookie"], f2["set-cookie"])
        self.assertIn("detail=set-cookie", cache_status(f2))
        self.assertEqual(o.count("/plain"), 2)
        # s-maxage shares the content but not the cookie: the first client has it, a hit never replays it.
        _, f1, _, _ = curl(p, o.url("/shared"))
        _, f2, body, _ = curl(p, o.url("/shared"))
        self.assertIn("set-cookie", f1)
        self.assertIn("hit", cache_status(f2))
        self.assertNotIn("set-cookie", f2)
        self.assertEqual((body, o.count("/shared")), (b"hello\n", 1))
        # public: the origin said the whole response, cookie included, is for everyone.
        _, f1, _, _ = curl(p, o.url("/public"))
        _, f2, _, _ = curl(p, o.url("/public"))
        self.assertIn("hit", cache_status(f2))
        self.assertEqual(f1["set-cookie"], f2["set-cookie"])

    def test_uncacheable_concurrent_requests_all_reach_the_origin(self):
        def slow(req):
            time.sleep(0.5)
            return 200, {"Cache-Control": "no-store"}, b"each his own\n"
        o = self.origin({"/own": slow})
        p = self.proxy().address("proxy")
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: curl(p, o.url("/own")), range(4)))
        self.assertTrue(all(r[2] == b"each his own\n" for r in results))
        self.assertEqual(o.count("/own"), 4)

    def test_connect_tunnel_to_an_allowed_port(self):
        o = self.origin({"/t": lambda r: (200, {}, b"through the tunnel\n")})
        p = self.proxy("--connect-port", str(o.port)).address("proxy")
        status, f, body, code = curl(p, o.url("/t"), extra=["--proxytunnel"])
        self.assertEqual((code, status, body), (0, 200, b"through the tunnel\n"))
        # The origin saw the request directly: no Via from us inside the tunnel.
        self.assertNotIn("Via", o.last_headers("/t"))

    def test_connect_to_a_port_not_allowed_is_refused(self):
        o = self.origin({"/t": lambda r: (200, {}, b"x")})
        p = self.proxy().address("proxy")  # only 443 by default
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_connect}", "-x", "http://%s:%d" % p,
                              "--proxytunnel", o.url("/t")], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "403")
        self.assertEqual(o.count("/t"), 0)

    def test_purge_command_and_method(self):
        o = self.origin({"/pg": lambda r: (200, {"Cache-Control": "max-age=600"}, b"purge me\n")})
        s = self.proxy()
        p = s.address("proxy")
        curl(p, o.url("/pg"))
        purged = run(["proxy", "purge", o.url("/pg"), "--proxy", "%s:%d" % p])
        self.assertEqual(purged.returncode, 0, purged.stderr)
        self.assertIn("purged 1", purged.stdout)
        self.assertEqual(run(["proxy", "purge", o.url("/pg"), "--proxy", "%s:%d" % p]).returncode, 3)
        self.assertIn("fwd=uri-miss", cache_status(curl(p, o.url("/pg"))[1]))
        status, f, body, _ = curl(p, o.url("/pg"), method="PURGE")
        self.assertEqual(status, 200)
        self.assertEqual(o.count("/pg"), 2)

    def test_pipelined_requests_and_a_drained_purge_body(self):
        o = self.origin({"/a": lambda r: (200, {"Cache-Control": "max-age=600"}, b"aaa\n"),
                         "/b": lambda r: (200, {}, b"got %d\n" % int(r.headers["Content-Length"]))})
        p = self.proxy().address("proxy")
        url_a, url_b = o.url("/a").encode(), o.url("/b").encode()
        # Four requests in one write, the PURGE with a body nobody reads (drained, not taken for a request),
        # the last one closing the connection: four answers, in order.
        wire = (b"GET " + url_a + b" HTTP/1.1\r\nHost: x\r\n\r\n"
                b"POST " + url_b + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                b"PURGE " + url_a + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nGET "
                b"GET " + url_a + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = exchange(p, wire)
        statuses = re.findall(rb"HTTP/1\.1 (\d{3})", data)
        self.assertEqual(statuses, [b"200", b"200", b"200", b"200"], data)
        self.assertIn(b"got 5\n", data)
        self.assertIn(b"purged 1", data)
        self.assertEqual(o.count("/a"), 2)  # fetched, purged, fetched again

    def test_purge_from_a_disallowed_address_is_forbidden(self):
        o = self.origin({"/pg": lambda r: (200, {"Cache-Control": "max-age=600"}, b"x")})
        p = self.proxy("--purge-from", "10.9.9.9/32").address("proxy")
        curl(p, o.url("/pg"))
        self.assertEqual(curl(p, o.url("/pg"), method="PURGE")[0], 403)
        self.assertIn("hit", cache_status(curl(p, o.url("/pg"))[1]))

    def test_unsafe_methods_invalidate_the_target_and_location(self):
        o = self.origin({
            "/item": lambda r: (200, {"Cache-Control": "max-age=600"}, b"item\n") if r.command == "GET"
            else (201, {"Location": "/item/list"}, b"created\n"),
            "/item/list": lambda r: (200, {"Cache-Control": "max-age=600"}, b"list\n"),
        })
        p = self.proxy().address("proxy")
        curl(p, o.url("/item"))
        curl(p, o.url("/item/list"))
        status, f, body, _ = curl(p, o.url("/item"), data="new=1")
        self.assertEqual(status, 201)
        # RFC 9111 §4.4: the POST's target and its same-origin Location are both invalidated.
        self.assertIn("fwd=uri-miss", cache_status(curl(p, o.url("/item"))[1]))
        self.assertIn("fwd=uri-miss", cache_status(curl(p, o.url("/item/list"))[1]))
        self.assertEqual(o.count("/item"), 3)  # GET, POST, GET again
        self.assertEqual(o.count("/item/list"), 2)
        # …and stored again by that request.
        self.assertIn("hit", cache_status(curl(p, o.url("/item/list"))[1]))

    def test_head_and_range_are_served_from_the_stored_get(self):
        body = bytes(range(256)) * 40
        o = self.origin({"/bin": lambda r: (200, {"Cache-Control": "max-age=600", "ETag": '"b"'}, body)})
        p = self.proxy().address("proxy")
        curl(p, o.url("/bin"))
        status, f, got, _ = curl(p, o.url("/bin"), extra=["-I"])
        self.assertEqual((status, f["content-length"]), (200, [str(len(body))]))
        self.assertIn("hit", cache_status(f))
        status, f, got, _ = curl(p, o.url("/bin"), ["Range: bytes=100-199"])
        self.assertEqual((status, got), (206, body[100:200]))
        self.assertEqual(f["content-range"], ["bytes 100-199/%d" % len(body)])
        status, f, got, _ = curl(p, o.url("/bin"), ["Range: bytes=999999-"])
        self.assertEqual(status, 416)
        status, f, got, _ = curl(p, o.url("/bin"), ['If-None-Match: "b"'])
        self.assertEqual(status, 304)
        self.assertEqual(o.count("/bin"), 1)

    def test_hop_by_hop_fields_are_removed_both_ways(self):
        o = self.origin({"/h": lambda r: (200, {"Connection": "X-Hop", "X-Hop": "1", "X-End": "2",
                                                "Keep-Alive": "timeout=5"}, b"h")})
        p = self.proxy().address("proxy")
        status, f, body, _ = curl(p, o.url("/h"), ["Connection: X-Secret", "X-Secret: 1", "X-Kept: 1",
                                                    "Proxy-Authorization: Basic Zm9vOmJhcg=="])
        seen = {k.lower(): v for k, v in o.last_headers("/h").items()}
        self.assertNotIn("x-secret", seen)
        self.assertNotIn("proxy-authorization", seen)
        self.assertEqual(seen.get("x-kept"), "1")
        self.assertIn("1.1 endhost", seen.get("via", ""))
        self.assertNotIn("x-hop", f)
        self.assertNotIn("keep-alive", f)
        self.assertEqual(f["x-end"], ["2"])

    def test_malformed_upstream_response_is_502_and_not_stored(self):
        o = self.raw(malformed)
        p = self.proxy().address("proxy")
        self.assertEqual(curl(p, o.url("/m"))[0], 502)
        self.assertEqual(curl(p, o.url("/m"))[0], 502)
        self.assertEqual(o.connections, 2)

    def test_stalled_upstream_is_504_after_the_timeout(self):
        o = self.raw(stall)
        p = self.proxy("--upstream-timeout", "1").address("proxy")
        status, f, body, _ = curl(p, o.url("/s"))
        self.assertEqual(status, 504)
        self.assertIn("detail=timeout", cache_status(f))

    def test_origin_dying_mid_body_stores_nothing(self):
        o = self.raw(dies_mid_body)
        p = self.proxy().address("proxy")
        status, f, body, code = curl(p, o.url("/d"))
        self.assertNotEqual(code, 0)  # curl sees the body cut short
        curl(p, o.url("/d"))
        self.assertEqual(o.connections, 2)
        objects = os.path.join(self.cache_dir, "objects")
        self.assertEqual(sum(len(files) for _, _, files in os.walk(objects)), 0)
        self.assertEqual(os.listdir(os.path.join(self.cache_dir, "tmp")), [])

    def test_oversized_headers(self):
        o = self.raw(huge_header)
        p = self.proxy("--max-header-size", "4K").address("proxy")
        self.assertEqual(curl(p, o.url("/big"))[0], 502)
        ok = self.origin({"/x": lambda r: (200, {}, b"x")})
        self.assertEqual(curl(p, ok.url("/x"), ["X-Junk: " + "j" * 8000])[0], 431)

    def post_head(self, proxy, url, length, expect=""):
        """A socket to the proxy that has sent a POST head announcing `length` body bytes."""
        s = socket.create_connection(proxy, timeout=10)
        s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n%s\r\n"
                   % (url, length, expect)).encode())
        return s

    def read_response(self, s):
        """Reads until the connection closes or a whole response (Content-Length) is in: (status, head, body)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        while m and len(body) < int(m.group(1)):
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(head.split()[1]), head.decode("latin-1").lower(), body

    def test_request_bodies_share_one_memory_budget(self):
        o = self.origin({"/up": lambda r: (200, {}, b"got %d\n" % int(r.headers["Content-Length"]))})
        p = self.proxy("--max-body-buffer", "64K", "--max-request-body", "64K").address("proxy")
        # The proxy reserves a body before it invites it with 100 Continue: once that is in, the bytes are held.
        first = self.post_head(p, o.url("/up"), 60000, "Expect: 100-continue\r\n")
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            interim += first.recv(1)
        self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
        first.sendall(b"a" * 10000)
        # The first body holds 60000 of the 65536 bytes: a second body of 20000 does not fit.
        second = self.post_head(p, o.url("/up"), 20000)
        status, head, _ = self.read_response(second)
        second.close()
        self.assertEqual(status, 503)
        self.assertIn("retry-after: 1", head)
        self.assertIn("connection: close", head)
        # A chunked body is reserved as it grows: refused as soon as it would go over.
        status, f, _, _ = curl(p, o.url("/up"), ["Transfer-Encoding: chunked"], data="c" * 20000)
        self.assertEqual((status, f.get("retry-after")), (503, ["1"]))
        # The first finishes and gives its bytes back: the same request now goes through.
        first.sendall(b"a" * 50000)
        status, _, body = self.read_response(first)
        first.close()
        self.assertEqual((status, body), (200, b"got 60000\n"))
        status, _, body, _ = curl(p, o.url("/up"), data="b" * 20000)
        self.assertEqual((status, body), (200, b"got 20000\n"))
        # A client that leaves halfway gives its bytes back too.
        gone = self.post_head(p, o.url("/up"), 60000)
        gone.sendall(b"c" * 1000)
        gone.close()
        for _ in range(50):
            status, _, body, _ = curl(p, o.url("/up"), data="d" * 60000)
            if status != 503:
                break
            time.sleep(0.1)
        self.assertEqual((status, body), (200, b"got 60000\n"))

    def test_a_slow_upload_is_not_cut_off_while_it_flows(self):
        o = self.origin({"/up": lambda r: (200, {}, b"got %d\n" % int(r.headers["Content-Length"]))})
        p = self.proxy("--read-timeout", "1", "--header-timeout", "1").address("proxy")
        s = self.post_head(p, o.url("/up"), 10 * 1000)
        for _ in range(10):  # 3 s in all, longer than either timeout, but never silent for 1 s
            time.sleep(0.3)
            s.sendall(b"x" * 1000)
        status, _, body = self.read_response(s)
        s.close()
        self.assertEqual((status, body), (200, b"got 10000\n"))
        # A body that stops coming is answered 408 and the connection closed.
        s = self.post_head(p, o.url("/up"), 1000)
        s.sendall(b"x" * 10)
        status, head, _ = self.read_response(s)
        self.assertEqual(status, 408)
        self.assertIn("connection: close", head)
        self.assertEqual(s.recv(1), b"")
        s.close()

    def test_reverse_proxy_with_several_origins_by_host(self):
        a = self.origin({"/": lambda r: (200, {"Cache-Control": "max-age=60"}, b"site a\n")})
        b = self.origin({"/": lambda r: (200, {"Cache-Control": "max-age=60"}, b"site b\n")})
        s = self.proxy("--origin", "a.test=" + a.url(""), "--origin", "b.test=" + b.url(""))
        host, port = s.address("proxy")
        base = "http://%s:%d/" % (host, port)
        self.assertEqual(curl(None, base, ["Host: a.test"])[2], b"site a\n")
        self.assertEqual(curl(None, base, ["Host: b.test"])[2], b"site b\n")
        status, f, body, _ = curl(None, base, ["Host: a.test"])
        self.assertEqual(body, b"site a\n")
        self.assertIn("hit", cache_status(f))
        self.assertEqual(curl(None, base, ["Host: c.test"])[0], 421)
        self.assertEqual((a.count("/"), b.count("/")), (1, 1))

    def test_forward_proxy_refuses_origin_form(self):
        p = self.proxy().address("proxy")
        self.assertEqual(curl(None, "http://%s:%d/" % p)[0], 400)

    def test_forwarding_loops_are_refused(self):
        o = self.origin({"/x": lambda r: (200, {"Content-Type": "text/plain"}, b"x\n")})
        p = self.proxy().address("proxy")
        # The proxy's own address as the target (curl -x P http://P/): refused before any connection.
        for url in ("http://%s:%d/" % p, "http://localhost:%d/" % p[1]):
            status, _, body, _ = curl(p, url)
            self.assertEqual(status, 508, url)
            self.assertIn(b"forwarding loop", body)
        # A request that already passed through a proxy calling itself endhost came back (RFC 9110 §7.6.3).
        status, _, body, _ = curl(p, o.url("/x"), ["Via: 1.0 squid (x, y), 1.1 ENDHOST (endhost)"])
        self.assertEqual(status, 508)
        self.assertEqual(o.count("/x"), 0)
        # A reverse proxy whose origin is itself.
        port = endhost_test.free_port()
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:%d" % port, "--cache-dir",
                    os.path.join(self.dir, "cache2"), "--no-fsync", "--origin", "http://localhost:%d" % port])
        self.servers.append(s)
        status, _, body, _ = curl(None, "http://127.0.0.1:%d/x" % port)
        self.assertEqual(status, 508)
        self.assertIn(b"for this proxy itself", body)
        # Another proxy's name, even one starting with ours, is no loop.
        status, _, body, _ = curl(p, o.url("/x"), ["Via: 1.1 endhost-parent, 1.0 (endhost) other"])
        self.assertEqual((status, body), (200, b"x\n"))
        self.assertEqual(o.count("/x"), 1)

    def test_access_log_metrics_and_trace(self):
        o = self.origin({"/m": lambda r: (200, {"Cache-Control": "max-age=60"}, b"metered\n")})
        log_path = os.path.join(self.dir, "access.log")
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.cache_dir, "--no-fsync",
                    "--access-log", log_path, "--admin-listen", "127.0.0.1:0", "--trace"], wait_for=2)
        self.servers.append(s)
        p = s.address("proxy")
        curl(p, o.url("/m"))
        curl(p, o.url("/m"))
        with urllib.request.urlopen("http://%s:%d/metrics" % s.address("proxy-admin"), timeout=10) as r:
            metrics = r.read().decode()
        self.assertRegex(metrics, r"endhost_proxy_cache_hits_total 1\b")
        self.assertRegex(metrics, r"endhost_proxy_cache_misses_total 1\b")
        self.assertRegex(metrics, r"endhost_proxy_cache_hit_ratio 0\.5")
        self.assertRegex(metrics, r"endhost_proxy_bytes_saved_total 8\b")
        self.assertEqual(s.stop(), 0)
        with open(log_path) as f:
            lines = f.read().splitlines()
        # Lines are buffered per event loop: two loops' lines need not come out in request order.
        self.assertEqual(len(lines), 2, lines)
        self.assertEqual(sorted(re.search(r'" 200 8 (\w+) ', l).group(1) for l in lines), ["HIT", "MISS"])
        self.assertIn('"GET %s" 200 8 MISS 200 ' % o.url("/m"), "\n".join(lines))
        trace = "\n".join(s.stdout_lines)
        self.assertRegex(trace, r"proxy C: GET http://127\.0\.0\.1:\d+/m HTTP/1\.1")
        self.assertRegex(trace, r"proxy>origin C: GET /m HTTP/1\.1")
        self.assertRegex(trace, r"proxy>origin S: HTTP/1\.\d 200")

    def test_sighup_reopens_the_access_log(self):
        # logrotate's way: rename the file, SIGHUP, and the proxy writes a fresh one under the old name.
        o = self.origin({"/r": lambda r: (200, {}, b"r\n")})
        log_path = os.path.join(self.dir, "rotated.log")
        s = Server(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.cache_dir, "--no-fsync",
                    "--access-log", log_path], wait_for=1)
        self.servers.append(s)
        p = s.address("proxy")
        curl(p, o.url("/r"))
        time.sleep(1.5)  # past the once-a-second flush, so the first line is in the first file
        os.rename(log_path, log_path + ".1")
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while not os.path.exists(log_path) and time.time() < deadline:
            time.sleep(0.05)
        curl(p, o.url("/r?again"))
        self.assertEqual(s.stop(), 0)
        with open(log_path + ".1") as f:
            self.assertIn('"GET %s"' % o.url("/r"), f.read())
        with open(log_path) as f:
            self.assertIn('"GET %s"' % o.url("/r?again"), f.read())

    def test_a_second_process_on_the_cache_dir_is_refused(self):
        s = self.proxy()
        r = run(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", self.cache_dir, "--no-fsync"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cache dir %s is in use by another endhost process (pid %d)" % (self.cache_dir, s.proc.pid),
                      r.stderr)
        self.assertIsNone(s.proc.poll())  # the first one is untouched
        self.assertEqual(s.stop(), 0)
        # Once it is gone (the kernel drops the lock with the process), the directory is free again.
        self.proxy()

    def test_refuses_a_cache_dir_that_is_not_a_cache(self):
        home = os.path.join(self.dir, "home")
        os.makedirs(home)
        with open(os.path.join(home, "notes.txt"), "w") as f:
            f.write("precious")
        r = run(["proxy", "serve", "--allow-destination", "127.0.0.0/8", "--listen", "127.0.0.1:0", "--cache-dir", home])
        self.assertEqual(r.returncode, 1)
        self.assertIn("not an endhost cache directory", r.stderr)
        self.assertTrue(os.path.exists(os.path.join(home, "notes.txt")))


if __name__ == "__main__":
    unittest.main()
