"""`endhost dns query`, the dig-like client, and its --trace walk, against a three-level hierarchy of our own
servers on 127.0.1.x (the example zones: root on 127.0.1.1, com on 127.0.1.2, networkutopia.com on 127.0.1.10
and .11), compared with dig where dig can do the same."""

import os
import re
import shutil
import subprocess
import tempfile

from endhost_test import Server, TestCase, free_port, run

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = os.path.join(HERE, "..", "..", "examples", "zones")

# The textbook's networkutopia servers are 212.212.212.1 and .2; here they run on loopback addresses.
LOOPBACK = {"212.212.212.1": "127.0.1.10", "212.212.212.2": "127.0.1.11"}

GLUELESS_ZONE = """$ORIGIN glueless.com.
$TTL 300
@    SOA ns.networkutopia.com. hostmaster 1 3600 600 86400 60
@    NS  ns.networkutopia.com.
www  A   192.0.2.80
"""


def copy_zone(name, tmp, extra=""):
    with open(os.path.join(ZONES, name)) as f:
        text = f.read()
    for public, loop in LOOPBACK.items():
        text = text.replace(public, loop)
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + extra)
    return path


def answer_lines(out):
    """The records of dig's (or our) ANSWER SECTION, whitespace-normalised."""
    m = re.search(r";; ANSWER SECTION:\n(.*?)\n\n", out, re.S)
    return sorted(" ".join(l.split()) for l in m.group(1).splitlines()) if m else []


class Hierarchy(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="endhost-dns-query-")
        cls.port = free_port()
        big = "".join("big IN A 10.0.0.%d\n" % i for i in range(1, 61))
        nu = copy_zone("networkutopia.com.zone", cls.tmp, "ns IN A 127.0.1.10\n" + big)
        com = copy_zone("com.zone", cls.tmp, "glueless IN NS ns.networkutopia.com.\n")
        root = copy_zone("root.zone", cls.tmp)
        cls.hints = copy_zone("root.hints", cls.tmp)
        glueless = os.path.join(cls.tmp, "glueless.com.zone")
        with open(glueless, "w") as f:
            f.write(GLUELESS_ZONE)
        p = str(cls.port)
        cls.servers = []
        try:
            cls.servers.append(Server(["dns", "serve", "--threads", "1", "--listen", "127.0.1.1:" + p,
                                       "--zone", root], wait_for=2))
            cls.servers.append(Server(["dns", "serve", "--threads", "1", "--listen", "127.0.1.2:" + p,
                                       "--zone", com], wait_for=2))
            cls.servers.append(Server(["dns", "serve", "--threads", "1", "--listen", "127.0.1.10:" + p,
                                       "--listen", "127.0.1.11:" + p, "--zone", nu, "--zone", glueless],
                                      wait_for=4))
        except Exception:
            cls.tearDownClass()
            raise
        cls.nu = "127.0.1.10:" + p

    @classmethod
    def tearDownClass(cls):
        codes = []
        for s in cls.servers:
            codes.append(s.stop())
            s.__exit__()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert all(c == 0 for c in codes), codes

    def query(self, *args):
        return run(["dns", "query"] + list(args) + ["--timeout", "3"])

    def trace(self, name, *args):
        return run(["dns", "query", name] + list(args) + ["--trace", "--root-hints", self.hints,
                                                           "--query-port", str(self.port), "--timeout", "2"])

    def test_query_prints_dig_style_output(self):
        r = self.query("www.networkutopia.com", "--server", self.nu)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ", r.stdout)
        self.assertIn(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1", r.stdout)
        self.assertIn(";; QUESTION SECTION:\n;www.networkutopia.com.\t\tIN\tA", r.stdout)
        self.assertEqual(answer_lines(r.stdout), ["www.networkutopia.com. 3600 IN A 212.212.71.4"])
        self.assertRegex(r.stdout, r";; Query time: \d+ msec")
        self.assertIn(";; SERVER: 127.0.1.10#%d(127.0.1.10) (UDP)" % self.port, r.stdout)
        self.assertRegex(r.stdout, r";; MSG SIZE  rcvd: \d+")

    def test_same_answers_as_dig(self):
        for name, rdtype in [("networkutopia.com", "MX"), ("ftp.networkutopia.com", "A"),
                             ("networkutopia.com", "NS"), ("_http._tcp.networkutopia.com", "SRV"),
                             ("networkutopia.com", "TXT")]:
            ours = self.query(name, rdtype, "--server", self.nu)
            theirs = subprocess.run(["dig", "@127.0.1.10", "-p", str(self.port), name, rdtype],
                                    capture_output=True, text=True, timeout=30)
            self.assertEqual(ours.returncode, 0, ours.stderr)
            self.assertTrue(answer_lines(theirs.stdout), theirs.stdout)
            self.assertEqual(answer_lines(ours.stdout), answer_lines(theirs.stdout), name + " " + rdtype)

    def test_tcp_option(self):
        r = self.query("mail.networkutopia.com", "--server", self.nu, "--tcp")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(TCP)", r.stdout)
        self.assertEqual(answer_lines(r.stdout), ["mail.networkutopia.com. 3600 IN A 212.212.71.5"])

    def test_truncated_answer_is_retried_over_tcp(self):
        r = self.query("big.networkutopia.com", "--server", self.nu, "--no-edns")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(";; Truncated, retrying in TCP mode.", r.stdout)
        self.assertIn("ANSWER: 60,", r.stdout)
        self.assertIn("(TCP)", r.stdout)

    def test_nxdomain_and_norecurse(self):
        r = self.query("nope.networkutopia.com", "--server", self.nu, "--norecurse")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("status: NXDOMAIN", r.stdout)
        self.assertIn(";; flags: qr aa;", r.stdout)
        self.assertRegex(r.stdout, r";; AUTHORITY SECTION:\nnetworkutopia\.com\.\t300\tIN\tSOA")

    def test_no_server_exits_9(self):
        r = run(["dns", "query", "www.networkutopia.com", "--server", "127.0.1.12:%d" % free_port(),
                 "--timeout", "0.3", "--tries", "1"])
        self.assertEqual(r.returncode, 9)
        self.assertIn("no servers could be reached", r.stdout)

    def test_usage_errors(self):
        # A word that is not a type is a second name in dig's grammar; -t says it is meant as a type.
        r = run(["dns", "query", "www.networkutopia.com", "-t", "NOTATYPE"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("-t 'NOTATYPE' is not a record type", r.stderr)
        r = run(["dns", "query", "www.networkutopia.com", "+shrot"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("'+shrot' is not a dig option", r.stderr)
        r = run(["dns", "query", "www.networkutopia.com", "--server", "dns.example:53"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("not an IP address", r.stderr)

    def dig(self, *args):
        return subprocess.run(["dig"] + list(args), capture_output=True, text=True, timeout=30)

    def test_dig_grammar_short_output_is_digs(self):
        p = str(self.port)
        for args in (["@127.0.1.10", "-p", p, "MX", "networkutopia.com", "+short"],
                     ["networkutopia.com", "NS", "@127.0.1.10", "+short", "-p", p],
                     ["+short", "-p", p, "@127.0.1.10", "www.networkutopia.com", "mail.networkutopia.com"]):
            ours = run(["dns", "query"] + args)
            theirs = self.dig(*args)
            self.assertEqual(ours.returncode, 0, ours.stderr)
            self.assertTrue(theirs.stdout.strip(), theirs.stdout)
            # The server rotates multi-record RRsets (round robin), so the order may differ between the two.
            self.assertEqual(sorted(ours.stdout.splitlines(True)), sorted(theirs.stdout.splitlines(True)),
                             " ".join(args))

    def test_dig_grammar_noall_answer_is_digs(self):
        p = str(self.port)
        args = ["@127.0.1.10", "-p", p, "+noall", "+answer", "www.networkutopia.com", "networkutopia.com", "MX",
                "+tcp"]
        ours = run(["dns", "query"] + args)
        theirs = self.dig(*args)
        self.assertEqual(ours.returncode, 0, ours.stderr)
        self.assertEqual(len(ours.stdout.splitlines()), 2, ours.stdout)
        self.assertEqual(sorted(ours.stdout.splitlines()), sorted(theirs.stdout.splitlines()))

    def test_dig_grammar_norecurse_and_reverse(self):
        p = str(self.port)
        r = run(["dns", "query", "+norecurse", "@127.0.1.10", "-p", p, "www.networkutopia.com"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(";; flags: qr aa;", r.stdout)
        self.assertIn("; <<>> endhost dns query <<>> www.networkutopia.com\n", r.stdout)
        # -x asks for the PTR of the in-addr.arpa name; this server has no such zone, so it refuses.
        r = run(["dns", "query", "-x", "127.0.1.10", "@127.0.1.10", "-p", p])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(";10.1.0.127.in-addr.arpa.\t\tIN\tPTR", r.stdout)

    def test_dig_grammar_trace(self):
        r = run(["dns", "query", "+trace", "www.networkutopia.com", "-p", str(self.port), "--root-hints",
                 self.hints, "+time=2"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(";; Done: www.networkutopia.com. A resolved in 3 steps", r.stdout)

    def test_trace_walks_root_tld_authoritative(self):
        r = self.trace("www.networkutopia.com")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        p = self.port
        steps = re.findall(r";; Step (\d+): asking (\S+) at (\S+), a server for (\S+), about", out)
        self.assertEqual([s[1:] for s in steps],
                         [("A.ROOT-SERVERS.NET.", "127.0.1.1#%d" % p, "."),  # as the hints spell it
                          ("a.gtld-servers.net.", "127.0.1.2#%d" % p, "com."),
                          steps[2][1:]])
        self.assertIn(steps[2][1], ("dns1.networkutopia.com.", "dns2.networkutopia.com."))
        self.assertEqual(steps[2][3], "networkutopia.com.")
        # What each referral said: com's server from the root (with glue), networkutopia's from com.
        self.assertRegex(out, r"com\.\t172800\tIN\tNS\ta\.gtld-servers\.net\.\n")
        self.assertRegex(out, r"a\.gtld-servers\.net\.\t172800\tIN\tA\t127\.0\.1\.2\n")
        self.assertIn(";; Referral from . to com.: 1 name server, 1 with glue; received", out)
        self.assertRegex(out, r"networkutopia\.com\.\t172800\tIN\tNS\tdns1\.networkutopia\.com\.\n")
        self.assertIn(";; Referral from com. to networkutopia.com.: 2 name servers, 2 with glue", out)
        self.assertRegex(out, r"www\.networkutopia\.com\.\t3600\tIN\tA\t212\.212\.71\.4\n;; Answer \(authoritative\)")
        self.assertIn(";; Done: www.networkutopia.com. A resolved in 3 steps", out)

    def test_trace_ends_at_nxdomain(self):
        r = self.trace("nope.networkutopia.com")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(";; NXDOMAIN: nope.networkutopia.com. does not exist (authoritative)", r.stdout)

    def test_trace_resolves_a_glueless_name_server(self):
        r = self.trace("www.glueless.com")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(";; ns.networkutopia.com. came without glue: finding its address from the root", r.stdout)
        self.assertRegex(r.stdout, r"ns\.networkutopia\.com\.\t3600\tIN\tA\t127\.0\.1\.10")
        self.assertRegex(r.stdout, r"www\.glueless\.com\.\t300\tIN\tA\t192\.0\.2\.80\n;; Answer")

    def test_trace_fails_when_a_tld_is_down(self):
        # edu. is delegated by the root to 127.0.1.3, where nothing runs.
        r = self.trace("www.cs.umass.edu")
        self.assertEqual(r.returncode, 9, r.stdout + r.stderr)
        self.assertIn(";; Referral from . to edu.", r.stdout)
        self.assertIn(";; Trace failed: no server of edu. gave a usable answer", r.stdout)

    def test_trace_with_unreadable_hints(self):
        r = run(["dns", "query", "www.networkutopia.com", "--trace", "--root-hints", "/nonexistent/hints"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/hints", r.stderr)
