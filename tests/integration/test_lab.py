"""The lab: the default configuration started on a loopback block of its own, then used the way the README
says, with third-party clients: dig through the lab's resolver, curl through the lab's cache (the second
fetch of /campus.gif is a HIT), the pinger with its 30% loss, the dashboard's APIs, and every experiment."""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import tomllib
import unittest
import urllib.error
import urllib.parse
import urllib.request

from endhost_test import ENDHOST, Server, TestCase, run


def lab_args(state, net, base, ports="high"):
    # Loopback: these tests reach the hosts from this namespace (test_lab_network.py runs emulated links).
    return ["lab", "--state", state, "--net", net, "--ports", ports, "--port-base", str(base), "--threads", "2",
            "--network", "loopback"]


_handed_out = set()  # the blocks this module gave out: a lab of an earlier test may still hold its block


def _block_is_free(net):
    """True when nothing listens on the block's echo address and port (12000 in every port mode): another
    lab there (this module's or another test's) would make the new lab fail to bind."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("%s.0.22" % net, 12000))
            except OSError:
                return False
    return True


def random_block():
    """A 127.x block and a port base no other lab uses now: never one this module handed out, and one whose
    addresses are free (the lab of the Lab class and a lab started for one test once drew the same block)."""
    for _ in range(100):
        net = "127.%d" % random.randint(100, 249)
        if net not in _handed_out and _block_is_free(net):
            _handed_out.add(net)
            return net, random.choice(range(20000, 50000, 1000))
    raise RuntimeError("no free 127.x block for a lab")


def runtime_env(runtime_dir):
    """The environment with XDG_RUNTIME_DIR of the test's own: the current-lab pointer goes there, not where
    other people's labs leave theirs."""
    return dict(os.environ, XDG_RUNTIME_DIR=runtime_dir)


def run_env(args, env, timeout=120):
    return subprocess.run([ENDHOST] + list(args), capture_output=True, text=True, timeout=timeout, env=env)


def start_lab(state, ports="high", env=None):
    for _ in range(4):
        net, base = random_block()
        try:
            server = Server(lab_args(state, net, base, ports), env=env)
        except RuntimeError:
            continue  # the block or a port was taken: try another
        server.wait_log(lambda r: r.get("msg") == "lab ready", timeout=30)
        deadline = time.monotonic() + 10  # the map on stdout, read by the harness's own thread
        while "Press Ctrl-C to stop." not in server.stdout_lines and time.monotonic() < deadline:
            time.sleep(0.02)
        with open(os.path.join(state, "lab.json")) as f:
            return server, json.load(f), net, base
    raise RuntimeError("the lab did not start on any block")


def host(lab, name):
    return next(h for h in lab["hosts"] if h["name"] == name)


def service(lab, name, kind):
    return next(s for s in host(lab, name)["services"] if s["kind"] == kind)


class Lab(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp(prefix="endhost-lab-test-")
        cls.runtime = tempfile.mkdtemp(prefix="endhost-lab-runtime-")
        cls.env = runtime_env(cls.runtime)
        cls.server, cls.lab, cls.net, cls.base = start_lab(cls.state, env=cls.env)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.state, ignore_errors=True)
        shutil.rmtree(cls.runtime, ignore_errors=True)
        assert code == 0, "endhost lab exited with %s after SIGTERM" % code

    def dig(self, *args):
        r = subprocess.run(["dig", "+time=3", "+tries=2"] + list(args), capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def dashboard(self, path, data=None, headers=None):
        d = self.lab["dashboard"]
        req = urllib.request.Request("http://%s:%d%s" % (d["address"], d["port"], path), data=data,
                                     headers=headers or {})
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, resp.headers, resp.read()

    # --- the map and lab.json ---------------------------------------------------------------------------------

    def test_lab_json_has_the_textbook_hosts_on_their_own_addresses(self):
        names = [h["name"] for h in self.lab["hosts"]]
        for name in ["a.root-servers.net", "a.gtld-servers.net", "a.edu-servers.net", "d.nic.fr",
                     "dns.someschool.edu", "dns.cs.umass.edu", "dns1.networkutopia.com", "dns2.networkutopia.com",
                     "dns.exotiquecuisine.com", "dns.hamburger.edu", "dns.crepes.fr", "www.someschool.edu",
                     "gaia.cs.umass.edu", "www.exotiquecuisine.com", "cache.someschool.edu", "ping.lab", "echo.lab",
                     "dns.umass.edu", "dns.nyu.edu", "www.networkutopia.com"]:
            self.assertIn(name, names)
        addresses = [h["address"] for h in self.lab["hosts"]]
        self.assertEqual(len(addresses), len(set(addresses)), "one address per host")
        for a in addresses:
            self.assertTrue(a.startswith(self.net + "."), a)
        self.assertEqual(self.lab["ports"]["mode"], "high")
        self.assertEqual(self.lab["ports"]["dns"], self.base + 53)
        for key in ["resolver", "cache", "dashboard"]:
            self.assertIsNotNone(self.lab[key], key)
        for h in self.lab["hosts"]:
            for s in h["services"]:
                self.assertTrue(s["port"] > 0, "%s/%s has no port" % (h["name"], s["kind"]))

    def test_printed_map_lists_hosts_and_what_to_configure(self):
        out = "\n".join(self.server.stdout_lines)
        self.assertIn("ports: high (as asked by --ports high)", out)
        self.assertRegex(out, r"www\.someschool\.edu\s+%s\s+web tcp/%d" % (
            re.escape(host(self.lab, "www.someschool.edu")["address"]), self.base + 80))
        r = self.lab["resolver"]
        self.assertIn("local DNS server (resolver)  %s port %d" % (r["address"], r["port"]), out)
        self.assertIn("dashboard                    http://%s:%d/" % (self.lab["dashboard"]["address"],
                                                                      self.lab["dashboard"]["port"]), out)

    def test_lab_has_a_ca_and_certificates_for_its_hosts(self):
        ca = self.lab["ca"]
        self.assertEqual(ca, os.path.join(self.lab["state"], "tls", "ca.pem"))
        self.assertIn("CA:    %s" % ca, "\n".join(self.server.stdout_lines))
        www = host(self.lab, "www.someschool.edu")
        cert = os.path.join(self.lab["state"], "tls", "hosts", "www.someschool.edu.pem")
        for check in (["-verify_hostname", "www.someschool.edu"], ["-verify_ip", www["address"]]):
            r = subprocess.run(["openssl", "verify", "-CAfile", ca, "-purpose", "sslserver"] + check + [cert],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_web_hosts_speak_https_with_h2_and_http11_by_alpn(self):
        ca = self.lab["ca"]
        www = next(w for w in self.lab["web"] if w["host"] == "www.someschool.edu")
        self.assertEqual(www["tls_port"], self.base + 443)
        resolve = "www.someschool.edu:%d:%s" % (www["tls_port"], www["address"])
        url = "https://www.someschool.edu:%d/campus.gif" % www["tls_port"]
        for flag, version in (("--http2", "2"), ("--http1.1", "1.1")):
            r = subprocess.run(["curl", "-sS", flag, "--cacert", ca, "--resolve", resolve, "-o", "/dev/null",
                                "-w", "%{http_code} %{http_version}", url], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "200 " + version)
        # Clear text stays on the planned port, h2c by prior knowledge too.
        r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                            "http://%s:%d/campus.gif" % (www["address"], www["port"])], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.stdout, "200 2", r.stderr)
        # endhost fetch trusts the same CA, and the map says how each client does.
        r = run_env(["fetch", "--http2", "--cacert", ca, "--resolve", resolve, "-v", "-s", "-o", "/dev/null", "-w",
                     "%{http_code}", url], self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "200")
        self.assertRegex(r.stderr, r"S: DATA stream=1")
        out = "\n".join(self.server.stdout_lines)
        self.assertRegex(out, r"www\.someschool\.edu\s+%s\s+web tcp/%d https/%d" % (
            re.escape(www["address"]), www["port"], www["tls_port"]))
        self.assertIn("curl --http2 --cacert %s --resolve" % ca, out)
        self.assertIn("endhost fetch --http2 --cacert %s --resolve" % ca, out)
        self.assertIn("certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n endhost-lab -i %s" % ca, out)

    # --- DNS -------------------------------------------------------------------------------------------------

    def test_dig_resolves_www_someschool_edu_through_the_lab_resolver(self):
        r = self.lab["resolver"]
        out = self.dig("@" + r["address"], "-p", str(r["port"]), "www.someschool.edu", "+short")
        self.assertEqual(out.strip(), host(self.lab, "www.someschool.edu")["address"])
        mx = self.dig("@" + r["address"], "-p", str(r["port"]), "networkutopia.com", "MX", "+short")
        self.assertEqual(mx.strip(), "10 mail.networkutopia.com.")

    def test_root_server_refers_edu_to_its_tld_server(self):
        root = host(self.lab, "a.root-servers.net")
        out = self.dig("@" + root["address"], "-p", str(self.lab["ports"]["dns"]), "gaia.cs.umass.edu", "+norecurse")
        self.assertRegex(out, r"status: NOERROR")
        self.assertRegex(out, r"edu\.\s+\d+\s+IN\s+NS\s+a\.edu-servers\.net\.")
        self.assertRegex(out, r"a\.edu-servers\.net\.\s+\d+\s+IN\s+A\s+%s" % re.escape(
            host(self.lab, "a.edu-servers.net")["address"]))

    # --- the Web cache ---------------------------------------------------------------------------------------

    def curl_via_cache(self, url, *extra):
        c = self.lab["cache"]
        body = tempfile.NamedTemporaryFile(delete=False)
        body.close()
        r = subprocess.run(["curl", "-s", "-x", "http://%s:%d" % (c["address"], c["port"]), "-D", "-", "-o",
                            body.name] + list(extra) + [url], capture_output=True, text=True, timeout=30)
        with open(body.name, "rb") as f:
            data = f.read()
        os.unlink(body.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout, data

    def test_campus_gif_through_the_cache_twice_is_a_hit_the_second_time(self):
        web = service(self.lab, "www.someschool.edu", "web")
        url = "http://www.someschool.edu:%d/campus.gif" % web["port"]
        self.curl_via_cache(url, "-X", "PURGE")  # start cold whatever ran before
        head1, body1 = self.curl_via_cache(url)
        head2, body2 = self.curl_via_cache(url)
        self.assertRegex(head1, r"^HTTP/1\.1 200")
        self.assertRegex(head2, r"^HTTP/1\.1 200")
        status1 = re.search(r"(?im)^Cache-Status: (.*)$", head1).group(1)
        status2 = re.search(r"(?im)^Cache-Status: (.*)$", head2).group(1)
        self.assertNotIn("hit", status1.split(";")[1])
        self.assertRegex(status2, r";\s*hit")
        with open(os.path.join(self.state, "sites", "someschool", "campus.gif"), "rb") as f:
            original = f.read()
        self.assertEqual(body1, original)
        self.assertEqual(body2, original)
        self.assertTrue(original.startswith(b"GIF89a"))

    def test_kiwi_gif_carries_the_textbook_last_modified(self):
        web = service(self.lab, "www.exotiquecuisine.com", "web")
        head, _ = self.curl_via_cache("http://www.exotiquecuisine.com:%d/fruit/kiwi.gif" % web["port"])
        self.assertIn("Last-Modified: Wed, 09 Sep 2015 09:23:24 GMT", head)

    def test_cache_refuses_hosts_outside_the_lab(self):
        head, _ = self.curl_via_cache("http://example.com/")
        self.assertRegex(head, r"^HTTP/1\.1 421")

    def test_cookie_site_remembers_the_visitor(self):
        web = service(self.lab, "www.networkutopia.com", "web")
        url = "http://www.networkutopia.com:%d/_session" % web["port"]
        resolve = "www.networkutopia.com:%d:%s" % (web["port"], web["address"])
        with tempfile.TemporaryDirectory() as d:
            jar = os.path.join(d, "cookies")
            seen = []
            for _ in range(2):
                r = subprocess.run(["curl", "-s", "-D", "-", "-c", jar, "-b", jar, "--resolve", resolve, url],
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 0, r.stderr)
                head, _, body = r.stdout.partition("\n\n")  # text mode turned CRLF into LF
                seen.append((head, json.loads(body)))
        self.assertIn("Set-Cookie: endhost_session=", seen[0][0])
        self.assertEqual(seen[0][1]["id"], seen[1][1]["id"])
        self.assertEqual(seen[1][1]["visits"], seen[0][1]["visits"] + 1)
        self.assertTrue(os.path.exists(os.path.join(self.state, "sessions", "www.networkutopia.com",
                                                    "visitors.sqlite3")))

    def test_two_visitors_through_the_cache_get_their_own_sessions(self):
        # The cookie site's first answer mints the visitor's session id: a shared cache that stored it would
        # hand the first visitor's id to the next (RFC 9111 §5.2.2.7, RFC 6265 §8.6).
        web = service(self.lab, "www.networkutopia.com", "web")
        url = "http://www.networkutopia.com:%d/" % web["port"]
        self.curl_via_cache(url, "-X", "PURGE")
        ids = []
        with tempfile.TemporaryDirectory() as d:
            for visitor in ["alice", "bob"]:
                jar = os.path.join(d, visitor + ".cookies")
                head, _ = self.curl_via_cache(url, "-c", jar)
                self.assertRegex(head, r"^HTTP/1\.1 200")
                with open(jar) as f:
                    cookies = [l.split("\t") for l in f.read().splitlines() if l and not l.startswith("# ")]
                ids.append(next(c[6] for c in cookies if c[5] == "endhost_session"))
            self.assertNotEqual(ids[0], ids[1], "the cache served one visitor's session cookie to another")
            # And each visitor's own next request is recognised: same id, through the cache.
            jar = os.path.join(d, "alice.cookies")
            r = subprocess.run(["curl", "-s", "-x", "http://%s:%d" % (self.lab["cache"]["address"],
                                                                      self.lab["cache"]["port"]),
                                "-b", jar, url.rstrip("/") + "/_session"], capture_output=True, text=True, timeout=30)
            self.assertEqual(json.loads(r.stdout)["id"], ids[0])

    def test_access_logs_are_kept_in_the_state_directory(self):
        web = service(self.lab, "gaia.cs.umass.edu", "web")
        path = "/wireshark-labs/HTTP-wireshark-file1.html"
        r = subprocess.run(["curl", "-s", "--resolve", "gaia.cs.umass.edu:%d:%s" % (web["port"], web["address"]),
                            "http://gaia.cs.umass.edu:%d%s" % (web["port"], path)],
                           capture_output=True, text=True, timeout=30)
        self.assertIn("Congratulations", r.stdout)
        log = os.path.join(self.state, "logs", "gaia.cs.umass.edu.access.log")
        def read():
            if not os.path.exists(log):
                return ""
            with open(log) as f:
                return f.read()
        deadline = time.monotonic() + 10
        while path not in read() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn('"GET %s HTTP/1.1" 200' % path, read())

    # --- socket programming -------------------------------------------------------------------------------------

    def test_ping_with_loss(self):
        p = service(self.lab, "ping.lab", "ping")
        r = run(["ping", "client", "%s:%d" % (p["address"], p["port"]), "--count", "40", "--interval", "0.01",
                 "--timeout", "0.3"])
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"(\d+) packets transmitted, (\d+) received, ([\d.]+)% packet loss", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        sent, received = int(m.group(1)), int(m.group(2))
        self.assertEqual(sent, 40)
        self.assertTrue(0 < 40 - received < 40, r.stdout)  # 30% loss: some lost, some answered

    def test_echo_upper_cases(self):
        e = service(self.lab, "echo.lab", "echo")
        r = run(["echo", "client", "--tcp", "%s:%d" % (e["address"], e["port"]), "hello lab"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("HELLO LAB", r.stdout)

    def test_echo_upper_cases_udp_datagrams(self):
        e = service(self.lab, "echo.lab", "echo")
        self.assertIn("udp", e["protocols"])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(b"hello udp lab", (e["address"], e["port"]))
            data, peer = s.recvfrom(2048)
        self.assertEqual(data, b"HELLO UDP LAB")
        self.assertEqual(peer, (e["address"], e["port"]))

    # --- the dashboard ---------------------------------------------------------------------------------------

    def test_dashboard_page_and_status(self):
        status, headers, body = self.dashboard("/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])
        self.assertIn(b"<title>endhost lab</title>", body)
        self.assertNotIn(b"http://", body.split(b"<script>")[0].replace(b"http://www.w3.org", b""))
        _, _, body = self.dashboard("/api/status")
        st = json.loads(body)
        keys = {u["key"] for u in st["units"]}
        self.assertIn("dns.nyu.edu/resolver", keys)
        self.assertIn("cache.someschool.edu/proxy", keys)
        self.assertTrue(st["cache"]["present"])

    def test_dashboard_query_button_and_transcripts(self):
        body = json.dumps({"kind": "dns", "name": "gaia.cs.umass.edu", "type": "A"}).encode()
        _, _, out = self.dashboard("/api/query", body, {"Content-Type": "application/json"})
        answer = json.loads(out)
        self.assertTrue(answer["ok"], answer)
        self.assertIn(host(self.lab, "gaia.cs.umass.edu")["address"], answer["text"])
        _, _, out = self.dashboard("/api/transcripts?service=dns.nyu.edu%2Fresolver&limit=5000")
        lines = json.loads(out)["lines"]
        self.assertTrue(any("gaia.cs.umass.edu" in l["text"] for l in lines), lines[-5:])

    def test_dashboard_reports_every_service_listening(self):
        _, _, body = self.dashboard("/api/status")
        for u in json.loads(body)["units"]:
            self.assertEqual(u["state"], "listening", u["key"])
            self.assertTrue(u["running"], u["key"])

    def resolver_counter(self, name):
        _, _, body = self.dashboard("/api/status")
        unit = next(u for u in json.loads(body)["units"] if u["kind"] == "resolver")
        return next(c["value"] for c in unit["counters"] if c["name"] == name)

    def test_dashboard_flush_empties_the_resolver_cache(self):
        r = self.lab["resolver"]
        gaia = host(self.lab, "gaia.cs.umass.edu")["address"]
        at = ["@" + r["address"], "-p", str(r["port"]), "gaia.cs.umass.edu", "+short"]
        self.assertEqual(self.dig(*at).strip(), gaia)  # cached now, whatever ran before
        upstream = self.resolver_counter("upstream queries")
        self.assertEqual(self.dig(*at).strip(), gaia)
        self.assertEqual(self.resolver_counter("upstream queries"), upstream, "answered from the cache")
        _, _, out = self.dashboard("/api/flush", json.dumps({"kind": "resolver"}).encode(),
                                   {"Content-Type": "application/json"})
        self.assertEqual(json.loads(out), {"ok": True, "flushed": ["dns.nyu.edu/resolver"]})
        self.assertEqual(self.dig(*at).strip(), gaia)
        self.assertGreater(self.resolver_counter("upstream queries"), upstream, "walked the hierarchy again")
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.dashboard("/api/flush", b'{"kind": "resolver"}', {"Content-Type": "text/plain"})
        self.assertEqual(e.exception.code, 415)
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.dashboard("/api/flush", b'{"kind": "resolver"}', {"Content-Type": "application/json",
                                                                   "Origin": "http://evil.example"})
        self.assertEqual(e.exception.code, 403)

    def test_dashboard_refuses_cross_site_queries(self):
        body = json.dumps({"kind": "dns", "name": "www.someschool.edu"}).encode()
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.dashboard("/api/query", body, {"Content-Type": "text/plain"})
        self.assertEqual(e.exception.code, 415)
        with self.assertRaises(urllib.error.HTTPError) as e:
            self.dashboard("/api/query", body, {"Content-Type": "application/json", "Origin": "http://evil.example"})
        self.assertEqual(e.exception.code, 403)

    def test_dashboard_event_stream(self):
        d = self.lab["dashboard"]
        r = subprocess.run(["curl", "-s", "-N", "--max-time", "3", "http://%s:%d/api/events" % (d["address"], d["port"])],
                           capture_output=True, text=True, timeout=30)
        self.assertIn("event: status", r.stdout)
        status = next(l for l in r.stdout.split("\n\n") if l.startswith("event: status"))
        self.assertIn('"units"', status)

    # --- the experiments ---------------------------------------------------------------------------------------

    def experiment(self, name):
        r = run_env(["lab", "experiment", name, "--state", self.state], self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("(using the lab of %s" % self.state, r.stdout)
        return r.stdout

    def test_experiment_page_load(self):
        out = self.experiment("page-load")
        self.assertRegex(out, r"non-persistent\s+11\s+11\s")
        self.assertRegex(out, r"persistent\s+1\s+11\s")
        self.assertRegex(out, r"parallel \(10\)\s+11\s+11\s")
        self.assertIn("22 RTT + T", out)
        self.assertIn("12 RTT + T", out)

    def test_experiment_cache(self):
        out = self.experiment("cache")
        rounds = [tuple(int(x) for x in m) for m in re.findall(r"(?m)^\s+([123])\s+(\d+)\s+(\d+)\s+\d+%", out)]
        self.assertEqual([r[0] for r in rounds], [1, 2, 3], out)
        self.assertEqual(rounds[0][2], 0, "the cache was purged: round 1 is all misses\n" + out)
        distinct = rounds[0][1]
        requests = sum(r[1] for r in rounds)
        self.assertEqual(requests, 3 * distinct)
        self.assertRegex(out, r"t\(origin\) = [\d.]+ ms straight to the origin,\s+t\(cache\) = [\d.]+ ms")
        # The prediction follows from the request set alone (a cold cache misses each distinct URL once) ...
        m = re.search(r"hits \(hit ratio\)\s+(\d+) \((\d+)%\)\s+(\d+) \((\d+)%\)", out)
        self.assertIsNotNone(m, out)
        predicted, measured = int(m.group(1)), int(m.group(3))
        self.assertEqual(predicted, requests - distinct, out)
        self.assertEqual(m.group(2), "67", out)
        # ... and the cache must live up to it: every URL a hit once it was fetched once.
        self.assertEqual(measured, sum(r[2] for r in rounds), out)
        self.assertEqual(measured, predicted, "the cache missed what it should have kept\n" + out)
        o = re.search(r"origin requests\s+(\d+)\s+(\d+)", out)
        self.assertEqual(int(o.group(1)), distinct, out)
        self.assertEqual(int(o.group(2)), distinct, "every miss, and only misses, reach the origins\n" + out)
        self.assertRegex(out, r"mean ms with the cache\s+[\d.]+\s+[\d.]+")
        self.assertRegex(out, r"mean ms without the cache\s+[\d.]+\s+[\d.]+")

    def test_experiment_dns_trace(self):
        gaia = host(self.lab, "gaia.cs.umass.edu")["address"]
        # The lab's resolver already knows the answer: the experiment must still start cold.
        r = self.lab["resolver"]
        self.assertEqual(self.dig("@" + r["address"], "-p", str(r["port"]), "gaia.cs.umass.edu", "+short").strip(),
                         gaia)
        out = self.experiment("dns-trace")
        self.assertRegex(out, r"a\.root-servers\.net\.\s+\S+\s+\.\s+referral\s+referral to edu\.")
        self.assertRegex(out, r"referral to umass\.edu\.")
        self.assertRegex(out, r"referral to cs\.umass\.edu\.")
        self.assertRegex(out, r"dns\.cs\.umass\.edu\.\s+\S+\s+cs\.umass\.edu\.\s+answer\s+A %s" % re.escape(gaia))
        # The first query walks root, edu, umass.edu and cs.umass.edu: 4 queries, 2 + 2 x 4 messages.
        self.assertRegex(out, r"first query\s+A %s\s+\S+\s+4\s+10\s+10 \(2 \+ 2 x 4\)" % re.escape(gaia))
        self.assertRegex(out, r"second query \(cache\)\s+A %s\s+\S+\s+0\s+2\s" % re.escape(gaia))

    def test_experiment_hol(self):
        out = self.experiment("hol")
        self.assertIn("R = 1 MiB/s (--limit-rate 1048576)", out)
        done = {}
        for mode in ("HTTP/1.1 serial", "HTTP/1.1 pipelined", "HTTP/2"):
            block = out.split(mode, 1)[1]
            rows = re.findall(r"(/\w+\.bin)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", block)[:4]
            self.assertEqual([r[0] for r in rows], ["/large.bin", "/small1.bin", "/small2.bin", "/small3.bin"], out)
            self.assertEqual([int(r[1]) for r in rows], [1048576] + [10485] * 3, out)
            done[mode] = [float(r[3]) for r in rows]
        # Orderings, not timings: HTTP/1.1's small objects wait for the large one, HTTP/2's do not.
        for mode in ("HTTP/1.1 serial", "HTTP/1.1 pipelined"):
            self.assertGreater(min(done[mode][1:]), done[mode][0], out)
        self.assertLess(max(done["HTTP/2"][1:]), done["HTTP/2"][0], out)
        # The rate limit is real: a MiB at a MiB a second takes most of a second (a lower bound only).
        self.assertGreater(done["HTTP/2"][0], 700, out)
        self.assertIn("(L_big + 3 L_small)/R", out)

    def test_experiment_finds_the_running_lab_without_state(self):
        with open(os.path.join(self.runtime, "endhost-lab-%d-%s.current" % (os.geteuid(), self.net))) as f:
            self.assertEqual(f.read().split("\n")[:2], [self.state, str(self.server.proc.pid)])
        r = run_env(["lab", "experiment", "dns-trace"], self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("(using the lab of %s, pid %d)" % (self.state, self.server.proc.pid), r.stdout)
        self.assertIn("through dns.nyu.edu", r.stdout)
        # Without the pointer there is no running lab to find: the experiment starts its own.
        with tempfile.TemporaryDirectory() as elsewhere:
            net, base = random_block()
            r = run_env(["lab", "experiment", "dns-trace", "--net", net, "--ports", "high", "--port-base",
                         str(base)], dict(runtime_env(elsewhere), TMPDIR=elsewhere))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("(no running lab found: started one for this experiment in %s/endhost-lab-" % elsewhere,
                          r.stdout)


class LabOnItsOwn(TestCase):
    def test_print_config_is_the_toml_the_lab_runs(self):
        r = run(["lab", "--print-config"])
        self.assertEqual(r.returncode, 0)
        config = tomllib.loads(r.stdout)
        self.assertEqual(config["lab"]["ports"], "auto")
        self.assertIn("a.root-servers.net", [h["name"] for h in config["host"]])

    def test_a_config_error_names_the_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write('[lab]\nnet = "127.9"\n\n[[host]]\nname = "a.test"\nzone = ["x"]\n')
        try:
            r = run(["lab", "--config", f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:6" % f.name, r.stderr)
        self.assertIn("unknown key 'zone'", r.stderr)

    def test_a_web_option_gets_the_command_lines_check_and_message(self):
        message = "--max-line (100000) cannot exceed --max-header-bytes (32768)"
        site = tempfile.mkdtemp(prefix="endhost-lab-web-")
        self.addCleanup(shutil.rmtree, site, True)
        cli = run(["web", "serve", "--root", site, "--listen", "127.0.0.1:0", "--max-line", "100000"])
        self.assertEqual(cli.returncode, 2)
        self.assertIn("endhost: " + message + "\n", cli.stderr)
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write('[lab]\nnet = "127.93"\nports = "high"\n\n[[host]]\nname = "www.example.com"\n'
                    'web = { site = "s", max_line = 100000 }\n\n[site.s]\n'
                    'file = [ { path = "/index.html", text = "hi" } ]\n')
        self.addCleanup(os.unlink, f.name)
        r = run(["lab", "--config", f.name])
        self.assertEqual(r.returncode, 1)
        self.assertIn("www.example.com", r.stderr)
        self.assertIn(message, r.stderr)

    def test_bad_option_is_a_usage_error(self):
        r = run(["lab", "--ports", "sometimes"])
        self.assertEqual(r.returncode, 2)

    def test_experiment_starts_its_own_lab_when_none_runs(self):
        state = tempfile.mkdtemp(prefix="endhost-lab-own-")
        try:
            net, base = random_block()
            r = run(["lab", "experiment", "dns-trace", "--state", state, "--net", net, "--ports", "high",
                     "--port-base", str(base)], timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("(no running lab found: started one for this experiment in %s)" % state, r.stdout)
            self.assertIn("referral to edu.", r.stdout)
        finally:
            shutil.rmtree(state, ignore_errors=True)

    def test_ctrl_c_during_an_experiment_removes_the_lab_it_started(self):
        tmp = tempfile.mkdtemp(prefix="endhost-lab-sigint-")
        env = dict(runtime_env(tmp), TMPDIR=tmp)  # no running lab to find; its state goes under tmp
        try:
            interrupted = False
            for _ in range(5):
                net, base = random_block()
                proc = subprocess.Popen([ENDHOST, "lab", "experiment", "cache", "--net", net, "--ports", "high",
                                         "--port-base", str(base)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
                first = proc.stdout.readline()
                m = re.match(r"\(no running lab found: started one for this experiment in (\S+)\)", first)
                if not m:  # the block or a port was taken: try another
                    proc.communicate(timeout=60)
                    continue
                state = m.group(1)
                self.assertTrue(state.startswith(tmp + "/endhost-lab-"), state)
                proc.send_signal(signal.SIGINT)  # Ctrl-C, while the experiment runs
                out, err = proc.communicate(timeout=60)
                self.assertFalse(os.path.exists(state), "the experiment's lab left %s behind" % state)
                self.assertEqual(os.listdir(tmp), [])
                if proc.returncode == 0:
                    continue  # it finished before the signal arrived: nothing was interrupted, try again
                self.assertEqual(proc.returncode, 128 + signal.SIGINT, first + out + err)
                self.assertIn("(stopped by SIGINT)", out)
                interrupted = True
                break
            self.assertTrue(interrupted, "SIGINT never arrived while the experiment ran")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_temporary_state_is_removed_on_exit_unless_kept(self):
        net, base = random_block()
        with Server(["lab", "--net", net, "--ports", "high", "--port-base", str(base), "--threads", "1"]) as s:
            rec = s.wait_log(lambda r: r.get("msg") == "lab ready", timeout=30)
            state = rec["state"]
            self.assertTrue(os.path.exists(os.path.join(state, "lab.json")))
            self.assertEqual(s.stop(signal.SIGINT), 0)  # Ctrl-C
        self.assertFalse(os.path.exists(state))
        net, base = random_block()
        with Server(["lab", "--net", net, "--ports", "high", "--port-base", str(base), "--threads", "1",
                     "--keep"]) as s:
            state = s.wait_log(lambda r: r.get("msg") == "lab ready", timeout=30)["state"]
            self.assertEqual(s.stop(), 0)
        self.assertTrue(os.path.exists(os.path.join(state, "zones", "root.zone")))
        shutil.rmtree(state, ignore_errors=True)

    def test_automatic_ports_say_which_and_work(self):
        state = tempfile.mkdtemp(prefix="endhost-lab-auto-")
        try:
            server, lab, _, _ = start_lab(state, ports="auto")
            with server:
                mode, reason = lab["ports"]["mode"], lab["ports"]["reason"]
                self.assertIn(mode, ["real", "high"])
                with open("/proc/self/status") as f:  # the lab runs with the test's own capabilities
                    cap_eff = int(next(l for l in f if l.startswith("CapEff:")).split()[1], 16)
                with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
                    start = int(f.read())
                may_bind = bool(cap_eff & (1 << 10)) or start <= 53  # CAP_NET_BIND_SERVICE
                if not may_bind:
                    self.assertEqual(mode, "high")
                    self.assertIn("no CAP_NET_BIND_SERVICE", reason)
                if mode == "real":
                    # It says which rule let it: root's capability, a granted one, or the sysctl.
                    if cap_eff & (1 << 10):
                        self.assertIn("running as root" if os.geteuid() == 0 else "CAP_NET_BIND_SERVICE", reason)
                    else:
                        self.assertIn("ip_unprivileged_port_start is %d" % start, reason)
                out = "\n".join(server.stdout_lines)
                self.assertIn("ports: %s (%s)" % (mode, lab["ports"]["reason"]), out)
                r = lab["resolver"]
                dig = subprocess.run(["dig", "+short", "+time=3", "@" + r["address"], "-p", str(r["port"]),
                                      "gaia.cs.umass.edu"], capture_output=True, text=True, timeout=30)
                self.assertEqual(dig.stdout.strip(), host(lab, "gaia.cs.umass.edu")["address"])
                if mode == "real":
                    self.assertEqual(r["port"], 53)
                    self.assertEqual(service(lab, "www.someschool.edu", "web")["port"], 80)
                self.assertEqual(server.stop(), 0)
        finally:
            shutil.rmtree(state, ignore_errors=True)


class LabExperimentsAsData(TestCase):
    """`endhost lab experiment NAME --json`: what each experiment measured, as the dashboard draws it (its
    figure), and the dashboard's side: the newest result of each, and older transcript pages on request."""

    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp(prefix="endhost-lab-json-")
        cls.runtime = tempfile.mkdtemp(prefix="endhost-lab-json-runtime-")
        cls.env = runtime_env(cls.runtime)
        cls.server, cls.lab, cls.net, cls.base = start_lab(cls.state, env=cls.env)
        cls.results = {}

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.state, ignore_errors=True)
        shutil.rmtree(cls.runtime, ignore_errors=True)
        assert code == 0, "endhost lab exited with %s after SIGTERM" % code

    def result(self, name):
        """The experiment's --json output, run once per class."""
        if name not in self.results:
            r = run_env(["lab", "experiment", name, "--state", self.state, "--json"], self.env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            lines = r.stdout.splitlines()
            self.assertEqual(len(lines), 1, "--json prints one JSON object and nothing else:\n" + r.stdout[:3000])
            type(self).results[name] = json.loads(lines[0])
        return self.results[name]

    def dashboard(self, path, data=None, headers=None):
        d = self.lab["dashboard"]
        req = urllib.request.Request("http://%s:%d%s" % (d["address"], d["port"], path), data=data,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=15) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def test_page_load_records_each_connection_and_object_as_measured(self):
        r = self.result("page-load")
        self.assertEqual(r["experiment"], "page-load")
        self.assertTrue(r["ok"])
        self.assertEqual(r["lab"]["state_dir"], self.state)
        self.assertIn("non-persistent", r["text"], "the table travels with the data")
        n = r["objects"]
        self.assertEqual(n, 10)
        strategies = {s["name"]: s for s in r["strategies"]}
        self.assertEqual(list(strategies), ["non-persistent", "persistent", "parallel (10)"])
        self.assertEqual(len(strategies["non-persistent"]["timeline"]), n + 1)
        self.assertEqual([len(c["objects"]) for c in strategies["non-persistent"]["timeline"]], [1] * (n + 1))
        self.assertEqual(len(strategies["persistent"]["timeline"]), 1)
        self.assertEqual(len(strategies["persistent"]["timeline"][0]["objects"]), n + 1)
        self.assertEqual(len(strategies["parallel (10)"]["timeline"]), n + 1)
        self.assertEqual(strategies["persistent"]["model_rtts"], 2 + n)
        for s in r["strategies"]:
            paths = [o["path"] for c in s["timeline"] for o in c["objects"]]
            self.assertEqual(paths[0], "/someDepartment/home.html", s["name"])
            self.assertEqual(len(set(paths)), n + 1, s["name"])
            self.assertEqual(sum(o["bytes"] for c in s["timeline"] for o in c["objects"]), r["bytes"], s["name"])
            last = 0.0
            for c in s["timeline"]:
                self.assertLessEqual(0.0, c["connect_ms"])
                self.assertLessEqual(c["connect_ms"], c["connected_ms"], s["name"])
                t = c["connected_ms"]
                for o in c["objects"]:
                    self.assertLessEqual(t, o["request_ms"], (s["name"], o))
                    self.assertLessEqual(o["request_ms"], o["first_byte_ms"], (s["name"], o))
                    self.assertLessEqual(o["first_byte_ms"], o["last_byte_ms"], (s["name"], o))
                    t = o["last_byte_ms"]
                last = max(last, t)
            # The drawn run is one of the runs: its last byte is within its own measured time.
            self.assertLessEqual(last, s["measured_ms"] + 1e-6, s["name"])
        # Non-persistent connections follow one another; parallel ones overlap after the base page.
        np = strategies["non-persistent"]["timeline"]
        for a, b in zip(np, np[1:]):
            self.assertLessEqual(a["objects"][0]["last_byte_ms"], b["connect_ms"])
        pa = strategies["parallel (10)"]["timeline"]
        self.assertLess(max(c["connect_ms"] for c in pa[1:]), min(c["objects"][0]["last_byte_ms"] for c in pa[1:]),
                        "the parallel connections were all open at once")

    def test_page_load_rows_put_the_model_beside_the_measured(self):
        r = self.result("page-load")
        rows = r["rows"]
        self.assertEqual([row["name"] for row in rows], ["non-persistent", "persistent", "parallel (10)"])
        for row in rows:
            for key in ["name", "model_ms", "measured_ms", "ratio", "rtt_ms", "rate_bps", "objects", "bytes",
                        "transmission_ms", "model_rtts", "connections"]:
                self.assertIn(key, row, row)
            self.assertIsInstance(row["model_ms"], (int, float), row)
            self.assertIsInstance(row["measured_ms"], (int, float), row)
            self.assertGreater(row["model_ms"], 0, row)
            self.assertGreater(row["measured_ms"], 0, row)
            self.assertAlmostEqual(row["ratio"], row["measured_ms"] / row["model_ms"], places=6)
            self.assertEqual(row["objects"], 10)
            self.assertEqual(row["bytes"], r["bytes"])
            # The model is its formula on the row's own figures.
            self.assertAlmostEqual(row["model_ms"], row["model_rtts"] * row["rtt_ms"] + row["transmission_ms"],
                                   places=6)
        self.assertEqual([row["model_rtts"] for row in rows], [22, 12, 4])
        # On loopback the links are not emulated: the RTT is the one measured, and the result says so.
        self.assertFalse(r["network"]["emulated"])
        self.assertEqual(r["network"]["source"], "the TCP handshake, median of 9")
        self.assertIn("links are not emulated (network: loopback", r["text"])

    def test_ping_compares_rtts_and_loss_with_the_model(self):
        r = self.result("ping")
        self.assertTrue(r["ok"])
        self.assertEqual(r["count"], 200)
        self.assertEqual(len(r["rtt_ms"]), 200)
        loss = r["loss"]
        self.assertEqual(loss["server"], 0.3)
        self.assertEqual(loss["link"], 0.0)
        self.assertAlmostEqual(loss["model"], 0.3)
        answered = [x for x in r["rtt_ms"] if x is not None]
        self.assertEqual(loss["received"], len(answered))
        self.assertAlmostEqual(loss["measured"], 1 - len(answered) / 200.0)
        # 200 pings at 30% loss: 60 lost expected, 5 standard deviations (32) either side.
        self.assertLess(abs(len(answered) - 140), 33, loss)
        self.assertEqual([row["name"] for row in r["rows"]], ["RTT, median", "RTT, mean", "RTT, fastest"])
        for row in r["rows"]:
            self.assertGreater(row["measured_ms"], 0, row)

    def test_lab_json_carries_the_network(self):
        lab = self.lab
        self.assertEqual(lab["network"]["mode"], "loopback")
        self.assertEqual(lab["network"]["subnet"], "198.18.0.0/15")
        t = lab["topology"]
        self.assertEqual(t["user_host"], "user")
        sites = {s["name"]: s for s in t["sites"]}
        self.assertIn("user", sites["campus"]["hosts"])
        self.assertIn("cache.someschool.edu", sites["campus"]["hosts"])
        access = [l for l in t["links"] if {l["a"], l["b"]} == {"campus", "internet"}]
        self.assertEqual(len(access), 1)
        self.assertEqual(access[0]["a_to_b"]["rate_bps"], 15000000)
        self.assertEqual({h["name"]: h["site"] for h in lab["hosts"]}["www.someschool.edu"], "origins")

    def test_hol_records_each_object_in_each_mode(self):
        r = self.result("hol")
        self.assertTrue(r["ok"], r["text"])
        self.assertEqual(r["rate"], 1 << 20)
        self.assertEqual([m["key"] for m in r["modes"]], ["serial", "pipelined", "h2"])
        for m in r["modes"]:
            self.assertEqual(m["connections"], 1)
            objs = m["objects"]
            self.assertEqual([o["path"] for o in objs], ["/large.bin", "/small1.bin", "/small2.bin", "/small3.bin"])
            self.assertEqual([o["bytes"] for o in objs], [r["large_bytes"]] + [r["small_bytes"]] * 3)
            for o in objs:
                self.assertLessEqual(0, o["first_byte_ms"])
                self.assertLessEqual(o["first_byte_ms"], o["last_byte_ms"])
            large, smalls = objs[0], objs[1:]
            if m["key"] == "h2":
                self.assertTrue(all(s["last_byte_ms"] < large["last_byte_ms"] for s in smalls), m)
                self.assertTrue(all(s["model_ms"] < large["model_ms"] for s in smalls), m)
            else:
                self.assertTrue(all(s["last_byte_ms"] >= large["last_byte_ms"] for s in smalls), m)
                self.assertTrue(all(s["model_ms"] > large["model_ms"] for s in smalls), m)
        self.assertTrue(r["h2_small_first"])
        self.assertTrue(r["http11_small_after"])

    def test_cache_records_every_request_with_and_without_the_cache(self):
        r = self.result("cache")
        self.assertTrue(r["ok"], r["text"])
        without, via = r["runs"]
        self.assertEqual(without["name"], "without the cache")
        self.assertEqual(via["name"], "with the cache")
        self.assertEqual(len(without["requests"]), r["requests"])
        self.assertEqual(len(via["requests"]), r["requests"])
        self.assertEqual(r["requests"], r["rounds"] * r["distinct"])
        self.assertFalse(any(q["hit"] for q in without["requests"]))
        self.assertEqual(sum(q["hit"] for q in via["requests"]), r["measured"]["hits"])
        self.assertFalse(any(q["hit"] for q in via["requests"] if q["round"] == 1), "purged first: round 1 misses")
        self.assertEqual(r["model"]["hits"], r["requests"] - r["distinct"])
        self.assertEqual([m["round"] for m in r["model"]["rounds"]], [1, 2, 3])
        self.assertEqual(r["model"]["rounds"][0]["hit_ratio"], 0)
        for i, m in enumerate(r["measured"]["rounds"]):
            mine = [q["ms"] for q in via["requests"] if q["round"] == i + 1]
            self.assertAlmostEqual(m["mean_with_ms"], sum(mine) / len(mine), places=6)
        self.assertEqual(len(r["probes"]["origin_ms"]), 5)

    def test_dns_trace_records_who_sent_what_to_whom(self):
        r = self.result("dns-trace")
        self.assertTrue(r["ok"], r["text"])
        gaia = host(self.lab, "gaia.cs.umass.edu")["address"]
        self.assertEqual(r["answer"], "A " + gaia)
        it = r["iterative"]
        self.assertEqual(it["servers_asked"], 4)
        # The experiment asks from the dashboard host's address, and is named by that host.
        asker = self.lab["dashboard"]["host"]
        self.assertEqual(it["asker"], asker)
        self.assertEqual([(m["from"], m["to"], m["kind"]) for m in it["messages"]], [
            (asker, "a.root-servers.net", "query"), ("a.root-servers.net", asker, "reply"),
            (asker, "a.edu-servers.net", "query"), ("a.edu-servers.net", asker, "reply"),
            (asker, "dns.umass.edu", "query"), ("dns.umass.edu", asker, "reply"),
            (asker, "dns.cs.umass.edu", "query"), ("dns.cs.umass.edu", asker, "reply")])
        times = [m["t_ms"] for m in it["messages"]]
        self.assertEqual(times, sorted(times))
        first, second = r["recursive"]
        self.assertFalse(first["from_cache"])
        self.assertTrue(second["from_cache"])
        resolver = self.lab["resolver"]["host"]
        # As the servers recorded them: the client's query to the local DNS server, its queries to each
        # server on the path and their replies, and its answer (Figure 2.19), every one once.
        sent = [(m["from"], m["to"]) for m in first["messages"] if m["kind"] == "query"]
        self.assertEqual(sent[0], (asker, resolver))
        # Each host sends from its own address: the queries up the hierarchy are the resolver's, by name.
        self.assertEqual({frm for frm, _ in sent[1:]}, {resolver}, first["messages"])
        asked = [to for _, to in sent[1:]]
        self.assertEqual(asked, ["a.root-servers.net", "a.edu-servers.net", "dns.umass.edu", "dns.cs.umass.edu"],
                         first["messages"])
        for to in asked:
            self.assertIn((to, "reply"), [(m["from"], m["kind"]) for m in first["messages"]])
        self.assertEqual(len(first["messages"]), first["model_messages"], first["messages"])
        self.assertEqual(first["messages"][-1]["from"], resolver)
        self.assertEqual(first["messages"][-1]["to"], sent[0][0])
        self.assertEqual([(m["to"], m["kind"]) for m in second["messages"]],
                         [(resolver, "query"), (sent[0][0], "reply")], "once cached, only the 2 messages remain")

    def test_the_dashboard_keeps_the_newest_result_of_each_experiment(self):
        r = self.result("dns-trace")
        status, got = self.dashboard("/api/experiments")
        self.assertEqual(status, 200)
        self.assertEqual(got["results"]["dns-trace"]["finished_unix_ms"], r["finished_unix_ms"])
        self.assertEqual(got["results"]["dns-trace"]["recursive"], r["recursive"])
        # Only results of the registry's experiments, as JSON from a program or our own page.
        body = json.dumps({"experiment": "no-such"}).encode()
        status, err = self.dashboard("/api/experiments", body, {"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertIn("page-load, cache, dns-trace", err["error"])
        status, _ = self.dashboard("/api/experiments", body, {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)

    def test_transcripts_page_back_before_a_sequence_number(self):
        self.result("page-load")  # hundreds of lines in the web host's ring
        _, status = self.dashboard("/api/status")
        newest = status["transcript_seq"]
        _, page = self.dashboard("/api/transcripts?limit=100")
        self.assertEqual(len(page["lines"]), 100)
        oldest = page["lines"][0]["seq"]
        _, older = self.dashboard("/api/transcripts?limit=100&before=%d" % oldest)
        seqs = [l["seq"] for l in older["lines"]]
        self.assertEqual(len(seqs), 100)
        self.assertEqual(seqs, sorted(seqs))
        self.assertLess(seqs[-1], oldest)
        self.assertLess(oldest, newest + 1)
        # And for one service, the lines of that service only.
        svc = older["lines"][-1]["service"]
        _, mine = self.dashboard("/api/transcripts?limit=50&before=%d&service=%s" % (oldest, urllib.parse.quote(svc, safe="")))
        self.assertTrue(mine["lines"])
        self.assertTrue(all(l["service"] == svc and l["seq"] < oldest for l in mine["lines"]))


if __name__ == "__main__":
    unittest.main()


def pointer(runtime, net):
    return os.path.join(runtime, "endhost-lab-%d-%s.current" % (os.geteuid(), net))


class PlainLab:
    """`endhost lab` as a user starts it: text logs, stdout and stderr together as a terminal shows them."""

    def __init__(self, state, net, base, env, extra=()):
        self.proc = subprocess.Popen([ENDHOST] + lab_args(state, net, base) + list(extra), env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("endhost lab ended before its map: %s" % "".join(self.lines))
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C to stop."):
                break
        lab_json = os.path.join(state, "lab.json")
        while not os.path.exists(lab_json) and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(lab_json) as f:
            self.lab = json.load(f)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        # Through the same buffered reader as the map (communicate() would skip what it holds), to EOF.
        self.lines += self.proc.stdout.read().splitlines()
        self.proc.stdout.close()
        return self.proc.wait(timeout=30)


class LabSetup(TestCase):
    """Issue 17 §1: the map is the first thing a user sees (the log goes to STATE/lab.log), one lab per net with
    a pointer of its own, and hosts that send from their own addresses."""

    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp(prefix="endhost-lab-setup-")
        cls.runtime = tempfile.mkdtemp(prefix="endhost-lab-runtime-")
        cls.env = runtime_env(cls.runtime)
        for _ in range(4):
            cls.net, cls.base = random_block()
            try:
                cls.plain = PlainLab(cls.state, cls.net, cls.base, cls.env)
                break
            except RuntimeError:
                continue  # the block or a port was taken: try another
        cls.lab = cls.plain.lab

    @classmethod
    def tearDownClass(cls):
        code = cls.plain.stop()
        shutil.rmtree(cls.state, ignore_errors=True)
        shutil.rmtree(cls.runtime, ignore_errors=True)
        assert code == 0, "endhost lab exited with %s after SIGTERM" % code

    def dashboard(self, path):
        d = self.lab["dashboard"]
        with urllib.request.urlopen("http://%s:%d%s" % (d["address"], d["port"], path), timeout=15) as resp:
            return json.loads(resp.read())

    # --- the map first ---------------------------------------------------------------------------------------

    def test_the_first_lines_are_the_map(self):
        self.assertTrue(self.plain.lines[0].startswith("endhost lab: a small Internet on %s.0.0/16" % self.net),
                        self.plain.lines[:3])
        self.assertTrue(self.plain.lines[1].startswith("ports: high"), self.plain.lines[:3])
        for line in self.plain.lines:
            self.assertNotRegex(line, r"^\d{4}-\d\d-\d\dT\S+ (INFO|DEBUG) ", "a log line among the map")

    def test_the_map_says_how_to_configure_clients(self):
        out = "\n".join(self.plain.lines)
        r, c = self.lab["resolver"], self.lab["cache"]
        self.assertIn("root hints                   %s" % os.path.join(self.state, "zones", "root.hints"), out)
        self.assertIn("export http_proxy=http://%s:%d/" % (c["address"], c["port"]), out)
        self.assertIn("resolv.conf                  nameserver %s   (port %d: dig -p %d)" % (
            r["address"], r["port"], r["port"]), out)
        self.assertIn("log:   %s" % os.path.join(self.state, "lab.log"), out)
        with open(os.path.join(self.state, "zones", "root.hints")) as f:
            self.assertIn(host(self.lab, "a.root-servers.net")["address"], f.read())

    def test_the_log_is_in_the_state_directory(self):
        with open(os.path.join(self.state, "lab.log")) as f:
            log = f.read()
        self.assertRegex(log, r"INFO listening .*service=dns")
        self.assertIn("INFO lab ready", log)

    def test_verbose_prints_the_log_after_the_map(self):
        with tempfile.TemporaryDirectory() as state, tempfile.TemporaryDirectory() as runtime:
            net, base = random_block()
            lab = PlainLab(state, net, base, runtime_env(runtime), ["--verbose"])
            self.assertEqual(lab.stop(), 0)
            self.assertTrue(lab.lines[0].startswith("endhost lab: a small Internet"), lab.lines[:3])
            end = lab.lines.index("Press Ctrl-C to stop.")
            self.assertTrue(any(re.search(r" INFO listening ", l) for l in lab.lines[end:]), lab.lines[end:][:5])

    # --- one lab per net ------------------------------------------------------------------------------------

    def test_the_pointer_is_this_labs_own(self):
        with open(pointer(self.runtime, self.net)) as f:
            self.assertEqual(f.read().split("\n")[:2], [self.state, str(self.plain.proc.pid)])

    def test_a_second_lab_on_the_same_net_refuses_at_once(self):
        with tempfile.TemporaryDirectory() as state:
            r = run_env(lab_args(state, self.net, self.base), self.env, timeout=60)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertRegex(r.stderr, r"a lab is already running on %s \(pid %d, state %s\); use --net 127\.\d+" % (
                re.escape(self.net), self.plain.proc.pid, re.escape(self.state)))
            # Refused before it bound anything, and the first lab's pointer is untouched.
            self.assertNotIn("listening", r.stdout + r.stderr)
            if os.path.exists(os.path.join(state, "lab.log")):
                with open(os.path.join(state, "lab.log")) as f:
                    self.assertNotIn("listening", f.read())
        self.test_the_pointer_is_this_labs_own()

    def test_experiments_find_the_lab_by_net(self):
        other_state = tempfile.mkdtemp(prefix="endhost-lab-other-")
        try:
            net, base = random_block()
            while net == self.net:
                net, base = random_block()
            other = PlainLab(other_state, net, base, self.env)
            try:
                r = run_env(["lab", "experiment", "dns-trace", "--net", net], self.env)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("(using the lab of %s, pid %d)" % (other_state, other.proc.pid), r.stdout)
                # Two labs and no --net: which one is not guessed.
                r = run_env(["lab", "experiment", "dns-trace"], self.env)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("several labs are running", r.stderr)
                self.assertIn("--net", r.stderr)
            finally:
                self.assertEqual(other.stop(), 0)
            self.assertFalse(os.path.exists(pointer(self.runtime, net)), "the pointer goes with its lab")
        finally:
            shutil.rmtree(other_state, ignore_errors=True)

    def test_a_stale_pointer_is_replaced(self):
        with tempfile.TemporaryDirectory() as state, tempfile.TemporaryDirectory() as runtime:
            net, base = random_block()
            dead = subprocess.Popen(["true"])
            dead.wait()
            with open(pointer(runtime, net), "w") as f:
                f.write("/nonexistent/state\n%d\n" % dead.pid)
            lab = PlainLab(state, net, base, runtime_env(runtime))
            try:
                with open(pointer(runtime, net)) as f:
                    self.assertEqual(f.read().split("\n")[:2], [state, str(lab.proc.pid)])
            finally:
                self.assertEqual(lab.stop(), 0)

    def test_a_runtime_directory_it_cannot_write_is_only_a_warning(self):
        with tempfile.TemporaryDirectory() as state:
            net, base = random_block()
            lab = PlainLab(state, net, base, runtime_env(os.path.join(state, "missing")))
            self.assertEqual(lab.stop(), 0)
            self.assertTrue(any(re.search(r" WARN cannot leave the pointer", l) for l in lab.lines), lab.lines)

    # --- hosts send from their own addresses ---------------------------------------------------------------------

    def test_the_root_server_sees_the_resolvers_address(self):
        r = self.lab["resolver"]
        name = "www.networkutopia.com"
        out = subprocess.run(["dig", "+short", "+time=3", "@" + r["address"], "-p", str(r["port"]), name],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), host(self.lab, name)["address"], out.stderr)
        lines = self.dashboard("/api/transcripts?service=a.root-servers.net%2Fdns&limit=5000")["lines"]
        peers = {l["peer"].rpartition(":")[0] for l in lines}
        self.assertIn(r["address"], peers, lines[-5:])
        self.assertNotIn("127.0.0.1", peers)

    def test_the_origin_sees_the_caches_address(self):
        c, web = self.lab["cache"], service(self.lab, "www.someschool.edu", "web")
        url = "http://www.someschool.edu:%d/index.html" % web["port"]
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x",
                            "http://%s:%d" % (c["address"], c["port"]), "-H", "Cache-Control: no-cache", url],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout, "200", r.stderr)
        log = os.path.join(self.state, "logs", "www.someschool.edu.access.log")
        deadline = time.monotonic() + 10
        text = ""
        while "/index.html" not in text and time.monotonic() < deadline:
            time.sleep(0.1)
            if os.path.exists(log):
                with open(log) as f:
                    text = f.read()
        lines = [l for l in text.splitlines() if "/index.html" in l]
        self.assertTrue(lines, text)
        self.assertTrue(lines[-1].startswith(c["address"] + " "), lines[-1])
