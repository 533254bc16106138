"""The lab: the default configuration started on a loopback block of its own, then used the way the README
says, with third-party clients: dig through the lab's resolver, curl through the lab's cache (the second
fetch of /campus.gif is a HIT), the pinger with its 30% loss, the dashboard's APIs, and every experiment."""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import tomllib
import unittest
import urllib.request

from endhost_test import ENDHOST, Server, TestCase, run


def lab_args(state, net, base, ports="high"):
    return ["lab", "--state", state, "--net", net, "--ports", ports, "--port-base", str(base), "--threads", "2"]


def random_block():
    """A 127.x block and a port base other tests are unlikely to use at the same time."""
    return "127.%d" % random.randint(100, 249), random.choice(range(20000, 50000, 1000))


def start_lab(state, ports="high"):
    for _ in range(4):
        net, base = random_block()
        try:
            server = Server(lab_args(state, net, base, ports))
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
        cls.server, cls.lab, cls.net, cls.base = start_lab(cls.state)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.state, ignore_errors=True)
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
                     "gaia.cs.umass.edu", "www.exotiquecuisine.com", "cache.someschool.edu", "ping.lab", "echo.lab"]:
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
                self.assertTrue(s["running"], "%s/%s is not running" % (h["name"], s["kind"]))

    def test_printed_map_lists_hosts_and_what_to_configure(self):
        out = "\n".join(self.server.stdout_lines)
        self.assertIn("ports: high (as asked by --ports high)", out)
        self.assertRegex(out, r"www\.someschool\.edu\s+%s\s+web tcp/%d" % (
            re.escape(host(self.lab, "www.someschool.edu")["address"]), self.base + 80))
        r = self.lab["resolver"]
        self.assertIn("local DNS server (resolver)  %s port %d" % (r["address"], r["port"]), out)
        self.assertIn("dashboard                    http://%s:%d/" % (self.lab["dashboard"]["address"],
                                                                      self.lab["dashboard"]["port"]), out)

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
        r = run(["lab", "experiment", name, "--state", self.state], timeout=120)
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
        self.assertGreater(rounds[1][2], 0, out)
        self.assertEqual(rounds[1][2], rounds[2][2], out)
        m = re.search(r"with the cache \(measured\)\s+(\d+)\s+(\d+)%\s+(\d+)", out)
        self.assertIsNotNone(m, out)
        requests, origin = int(m.group(1)), int(m.group(3))
        hits = sum(r[2] for r in rounds)
        self.assertEqual(requests, sum(r[1] for r in rounds))
        self.assertEqual(origin, requests - hits, "every miss, and only misses, reach the origins\n" + out)
        self.assertRegex(out, r"with the cache \(model\)\s+%d\s+67%%" % requests)

    def test_experiment_dns_trace(self):
        out = self.experiment("dns-trace")
        gaia = host(self.lab, "gaia.cs.umass.edu")["address"]
        self.assertRegex(out, r"a\.root-servers\.net\.\s+\S+\s+\.\s+referral\s+referral to edu\.")
        self.assertRegex(out, r"referral to umass\.edu\.")
        self.assertRegex(out, r"referral to cs\.umass\.edu\.")
        self.assertRegex(out, r"dns\.cs\.umass\.edu\.\s+\S+\s+cs\.umass\.edu\.\s+answer\s+A %s" % re.escape(gaia))
        self.assertRegex(out, r"second query \(cache\)\s+A %s\s+\S+\s+0\s+2\s" % re.escape(gaia))


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
                mode = lab["ports"]["mode"]
                self.assertIn(mode, ["real", "high"])
                if os.geteuid() != 0:
                    self.assertEqual(mode, "high")
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


if __name__ == "__main__":
    unittest.main()
