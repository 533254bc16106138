"""Integration tests of `endhost resolver serve`: a three-level hierarchy (root, the com and edu TLDs, and
authoritative servers below them) on 127.0.0.x addresses, all on one port given to the resolver as
--query-port, resolved through our resolver with dig and dnspython.

The authoritative servers are small dnspython servers started by the test, so that each can count the queries
it gets (to see that a cached TLD delegation lets later lookups skip the root) and so that one of them can
misbehave the way a spoofer would.
"""

import os
import random
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from endhost_test import Server, TestCase, run

IN = dns.rdataclass.IN

ROOT_ZONE = """
$TTL 86400
.               SOA  ns.root. hostmaster.root. 1 1800 900 604800 86400
.               NS   ns.root.
ns.root.        A    127.0.0.2
com.     172800 NS   a.gtld.com.
a.gtld.com. 172800 A 127.0.0.3
edu.     172800 NS   ns.edu.
ns.edu.  172800 A    127.0.0.4
"""

COM_ZONE = """
$TTL 86400
com.            SOA  a.gtld.com. hostmaster.com. 1 1800 900 604800 900
com.            NS   a.gtld.com.
a.gtld.com.     A    127.0.0.3
example.com.    172800 NS ns1.example.com.
ns1.example.com. 172800 A 127.0.0.5
glueless.com.   172800 NS ns.dnshost.edu.
spoofed.com.    172800 NS ns.spoofed.com.
ns.spoofed.com. 172800 A 127.0.0.7
silent.com.     172800 NS ns.silent.com.
ns.silent.com.  172800 A 127.0.0.99
"""

EDU_ZONE = """
$TTL 86400
edu.            SOA  ns.edu. hostmaster.edu. 1 1800 900 604800 900
edu.            NS   ns.edu.
ns.edu.         A    127.0.0.4
university.edu. NS   ns.university.edu.
ns.university.edu. A 127.0.0.6
dnshost.edu.    NS   ns.dnshost.edu.
ns.dnshost.edu. A    127.0.0.6
"""

EXAMPLE_ZONE = """
$TTL 3600
example.com.    SOA  ns1.example.com. admin.example.com. 1 3600 600 86400 300
example.com.    NS   ns1.example.com.
ns1.example.com. A   127.0.0.5
www.example.com. 300 A 192.0.2.80
host1.example.com. 300 A 192.0.2.11
norecurse.example.com. 300 A 192.0.2.12
alias.example.com. CNAME www.example.com.
far.example.com. CNAME www.university.edu.
short.example.com. 2 A 192.0.2.2
big.example.com. TXT "%s"
""" % '" "'.join(["x" * 200] * 8)

UNIVERSITY_ZONE = """
$TTL 3600
university.edu. SOA  ns.university.edu. admin.university.edu. 1 3600 600 86400 300
university.edu. NS   ns.university.edu.
ns.university.edu. A 127.0.0.6
www.university.edu. A 198.51.100.7
"""

DNSHOST_ZONE = """
$TTL 3600
dnshost.edu.    SOA  ns.dnshost.edu. admin.dnshost.edu. 1 3600 600 86400 300
dnshost.edu.    NS   ns.dnshost.edu.
ns.dnshost.edu. A    127.0.0.6
"""

GLUELESS_ZONE = """
$TTL 3600
glueless.com.   SOA  ns.dnshost.edu. admin.glueless.com. 1 3600 600 86400 300
glueless.com.   NS   ns.dnshost.edu.
www.glueless.com. A  203.0.113.5
"""

SPOOFED_ZONE = """
$TTL 3600
spoofed.com.    SOA  ns.spoofed.com. admin.spoofed.com. 1 3600 600 86400 300
spoofed.com.    NS   ns.spoofed.com.
ns.spoofed.com. A    127.0.0.7
www.spoofed.com. A   203.0.113.77
"""

ROOT_HINTS = """
.               3600000 NS ns.root.
ns.root.        3600000 A  127.0.0.2
"""

POISON = "6.6.6.6"


def zone(text, origin):
    return dns.zone.from_text(text, origin=origin, relativize=False)


class AuthServer:
    """A minimal authoritative server over UDP and TCP for a set of zones: answers, CNAMEs inside the zone,
    referrals with in-zone glue, NXDOMAIN and NODATA with the SOA (RFC 2308). `spoof` (if set) is called
    with each UDP query and may send forged packets before the real answer goes out."""

    def __init__(self, address, port, zones, spoof=None):
        self.address, self.port = address, port
        self.zones = zones
        self.spoof = spoof
        self.queries = []  # (qname, qtype) of every query, in order
        self.lock = threading.Lock()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((address, port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((address, port))
        self.tcp.listen(16)
        self.closed = False
        threading.Thread(target=self._serve_udp, daemon=True).start()
        threading.Thread(target=self._serve_tcp, daemon=True).start()

    def close(self):
        self.closed = True
        self.udp.close()
        self.tcp.close()

    def count(self, qname=None):
        with self.lock:
            return sum(1 for n, _ in self.queries if qname is None or n == qname)

    def _serve_udp(self):
        while not self.closed:
            try:
                data, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            query = dns.message.from_wire(data)
            self._note(query)
            response = self.answer(query)
            if self.spoof:
                self.spoof(self, query, response, peer)
            wire = response.to_wire(max_size=65535)
            if len(wire) > 512 and (query.edns < 0 or len(wire) > query.payload):
                response = dns.message.make_response(query)
                response.flags |= dns.flags.TC | dns.flags.AA
                wire = response.to_wire()
            self.udp.sendto(wire, peer)

    def _serve_tcp(self):
        while not self.closed:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            with conn:
                try:
                    query, _ = dns.query.receive_tcp(conn, expiration=time.time() + 5)
                    self._note(query)
                    dns.query.send_tcp(conn, self.answer(query).to_wire(max_size=65535))
                except Exception:
                    pass

    def _note(self, query):
        with self.lock:
            q = query.question[0]
            self.queries.append((q.name.to_text().lower(), dns.rdatatype.to_text(q.rdtype)))

    def answer(self, query):
        r = dns.message.make_response(query)
        r.flags &= ~dns.flags.RA
        q = query.question[0]
        qname, qtype = q.name, q.rdtype
        zones = [z for z in self.zones if qname.is_subdomain(z.origin)]
        if not zones:
            r.set_rcode(dns.rcode.REFUSED)
            return r
        z = max(zones, key=lambda z: len(z.origin))
        # A delegation between the apex and the name: a referral (RFC 1034 §4.3.2 step 3b).
        for depth in range(len(z.origin) + 1, len(qname) + 1):
            cut = qname.split(depth)[1]
            node = z.get_node(cut)
            ns = node.get_rdataset(IN, dns.rdatatype.NS) if node else None
            if ns:
                r.authority.append(dns.rrset.from_rdata_list(cut, ns.ttl, list(ns)))
                for rd in ns:
                    glue = z.get_node(rd.target)
                    a = glue.get_rdataset(IN, dns.rdatatype.A) if glue else None
                    if a and rd.target.is_subdomain(z.origin):
                        r.additional.append(dns.rrset.from_rdata_list(rd.target, a.ttl, list(a)))
                return r
        r.flags |= dns.flags.AA
        name = qname
        for _ in range(8):
            node = z.get_node(name)
            if node is None:
                if any(n.is_subdomain(name) for n in z.nodes):
                    break  # an empty non-terminal: NODATA
                r.set_rcode(dns.rcode.NXDOMAIN)
                break
            rds = node.get_rdataset(IN, qtype)
            if rds:
                r.answer.append(dns.rrset.from_rdata_list(name, rds.ttl, list(rds)))
                return r
            cname = node.get_rdataset(IN, dns.rdatatype.CNAME)
            if not cname:
                break
            r.answer.append(dns.rrset.from_rdata_list(name, cname.ttl, list(cname)))
            name = cname[0].target
            if not name.is_subdomain(z.origin):
                return r
        soa = z.get_rdataset(z.origin, dns.rdatatype.SOA)
        r.authority.append(dns.rrset.from_rdata_list(z.origin, min(soa.ttl, soa[0].minimum), list(soa)))
        return r


def pick_port(addresses):
    """A port free for UDP and TCP on every address."""
    for _ in range(50):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for a in addresses:
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind((a, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port")


def dig(resolver, name, qtype="A", *extra):
    host, port = resolver
    out = subprocess.run(["dig", "@" + host, "-p", str(port), "+tries=1", "+time=15", name, qtype] + list(extra),
                         capture_output=True, text=True, timeout=60)
    return out.stdout


class Hierarchy:
    """The authoritative servers of the test hierarchy, and a root hints file pointing at the root."""

    def __init__(self, spoof=None):
        plan = {
            "127.0.0.2": [zone(ROOT_ZONE, ".")],
            "127.0.0.3": [zone(COM_ZONE, "com.")],
            "127.0.0.4": [zone(EDU_ZONE, "edu.")],
            "127.0.0.5": [zone(EXAMPLE_ZONE, "example.com.")],
            "127.0.0.6": [zone(UNIVERSITY_ZONE, "university.edu."), zone(DNSHOST_ZONE, "dnshost.edu."),
                          zone(GLUELESS_ZONE, "glueless.com.")],
            "127.0.0.7": [zone(SPOOFED_ZONE, "spoofed.com.")],
        }
        self.port = pick_port(list(plan) + ["127.0.0.8"])
        self.servers = {a: AuthServer(a, self.port, z, spoof if a == "127.0.0.7" else None)
                        for a, z in plan.items()}
        self.dir = tempfile.TemporaryDirectory()
        self.hints = os.path.join(self.dir.name, "root.hints")
        with open(self.hints, "w") as f:
            f.write(ROOT_HINTS)

    def __getitem__(self, address):
        return self.servers[address]

    def close(self):
        for s in self.servers.values():
            s.close()
        self.dir.cleanup()

    def resolver_args(self, *extra):
        return ["resolver", "serve", "--listen", "127.0.0.1:0", "--root-hints", self.hints,
                "--query-port", str(self.port), "--threads", "2"] + list(extra)


class ResolverTest(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = Hierarchy()
        cls.server = Server(cls.net.resolver_args(), wait_for=2)
        cls.addr = cls.server.address("resolver", "udp")

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        cls.net.close()
        assert code == 0, "endhost exited with %d" % code

    def query(self, name, qtype="A", tcp=False):
        q = dns.message.make_query(name, qtype)
        if tcp:
            return dns.query.tcp(q, self.addr[0], port=self.addr[1], timeout=15)
        return dns.query.udp(q, self.addr[0], port=self.addr[1], timeout=15)

    def test_dig_resolves_from_the_root_down(self):
        out = dig(self.addr, "host1.example.com")
        self.assertIn("status: NOERROR", out)
        self.assertIn("192.0.2.11", out)
        self.assertIn(" ra", out.split("flags:")[1].split(";")[0], "recursion available")
        self.assertEqual(self.net["127.0.0.5"].count("host1.example.com."), 1, "example.com's server was asked")
        # Asked again: the cache answers, nobody is asked.
        out = dig(self.addr, "host1.example.com")
        self.assertIn("192.0.2.11", out)
        self.assertEqual(self.net["127.0.0.5"].count("host1.example.com."), 1)

    def test_rd_clear_is_answered_from_the_cache_only(self):
        # BIND's reading (docs/internals/resolver.md): RD=0 never starts a resolution.
        name = "norecurse.example.com."
        asked = lambda: sum(s.count(name) for s in self.net.servers.values())
        for tcp in (False, True):
            q = dns.message.make_query(name, "A")
            q.flags &= ~dns.flags.RD
            r = (dns.query.tcp if tcp else dns.query.udp)(q, self.addr[0], port=self.addr[1], timeout=15)
            self.assertEqual(r.rcode(), dns.rcode.NOERROR)
            self.assertEqual(r.answer, [], "nothing cached, nothing answered")
            self.assertFalse(r.flags & dns.flags.RD)
            self.assertEqual(asked(), 0, "no server was asked for an RD=0 question")
        self.assertIn("192.0.2.12", str(self.query(name).answer))
        self.assertEqual(asked(), 1)
        q = dns.message.make_query(name, "A")
        q.flags &= ~dns.flags.RD
        r = dns.query.udp(q, self.addr[0], port=self.addr[1], timeout=15)
        self.assertIn("192.0.2.12", str(r.answer), "now the cache holds it")
        self.assertEqual(asked(), 1)
        # A name under a cached zone gets a referral to that zone's servers from the cache.
        q = dns.message.make_query("unasked.example.com.", "A")
        q.flags &= ~dns.flags.RD
        r = dns.query.udp(q, self.addr[0], port=self.addr[1], timeout=15)
        self.assertEqual(r.answer, [])
        self.assertIn("example.com. ", str(r.authority[0]) + " ")
        self.assertEqual(r.authority[0].rdtype, dns.rdatatype.NS)
        self.assertEqual(self.net["127.0.0.5"].count("unasked.example.com."), 0)

    def test_first_lookup_walks_root_tld_authoritative(self):
        net = Hierarchy()
        try:
            with Server(net.resolver_args(), wait_for=2) as server:
                host, port = server.address("resolver", "udp")
                r = dns.query.udp(dns.message.make_query("www.example.com", "A"), host, port=port, timeout=15)
                self.assertEqual(r.answer[0][0].address, "192.0.2.80")
                asked = [(a, net[a].queries) for a in ("127.0.0.2", "127.0.0.3", "127.0.0.5")]
                self.assertEqual(asked, [(a, [("www.example.com.", "A")]) for a, _ in asked])
                self.assertEqual(server.stop(), 0)
        finally:
            net.close()

    def test_cached_tld_lets_later_lookups_skip_the_root(self):
        self.query("alias.example.com")  # caches com's delegation (and example.com's)
        root_before = self.net["127.0.0.2"].count()
        r = self.query("www.glueless.com")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(self.net["127.0.0.3"].count("www.glueless.com."), 1, "com was asked directly")
        self.assertEqual(self.net["127.0.0.2"].count("www.glueless.com."), 0, "the root was not asked about it")
        # (The root is asked once about ns.dnshost.edu: edu was not cached yet.)
        self.assertLessEqual(self.net["127.0.0.2"].count() - root_before, 1)

    def test_glueless_name_server_is_resolved_first(self):
        r = self.query("www.glueless.com")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(r.answer[0].to_text().split()[-1], "203.0.113.5")
        self.assertGreaterEqual(self.net["127.0.0.6"].count("ns.dnshost.edu."), 1)

    def test_cname_in_zone_and_across_zones(self):
        r = self.query("alias.example.com")
        self.assertEqual([rr.rdtype for rr in r.answer], [dns.rdatatype.CNAME, dns.rdatatype.A])
        r = self.query("far.example.com")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual([rr.name.to_text() for rr in r.answer], ["far.example.com.", "www.university.edu."])
        self.assertEqual(r.answer[1][0].address, "198.51.100.7")

    def test_nxdomain_with_soa_is_cached(self):
        r = self.query("nosuch.example.com")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
        self.assertEqual(r.authority[0].rdtype, dns.rdatatype.SOA)
        self.assertLessEqual(r.authority[0].ttl, 300)
        asked = self.net["127.0.0.5"].count("nosuch.example.com.")
        r = self.query("nosuch.example.com", "TXT")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN, "NXDOMAIN covers every type (RFC 2308 §5)")
        self.assertEqual(self.net["127.0.0.5"].count("nosuch.example.com."), asked)

    def test_nodata(self):
        r = self.query("www.example.com", "MX")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(r.answer, [])
        self.assertEqual(r.authority[0].rdtype, dns.rdatatype.SOA)

    def test_ttl_expiry(self):
        out = dig(self.addr, "short.example.com")
        self.assertIn("192.0.2.2", out)
        self.assertEqual(self.net["127.0.0.5"].count("short.example.com."), 1)
        r = self.query("short.example.com")
        self.assertLessEqual(r.answer[0].ttl, 2)
        self.assertEqual(self.net["127.0.0.5"].count("short.example.com."), 1, "still cached")
        time.sleep(3)  # past the 2-second TTL
        r = self.query("short.example.com")
        self.assertEqual(r.answer[0][0].address, "192.0.2.2")
        self.assertEqual(self.net["127.0.0.5"].count("short.example.com."), 2, "expired, asked again")

    def test_tcp_clients_and_truncation(self):
        # Eight 200-octet strings do not fit 512 octets: over UDP without EDNS the answer is truncated, and
        # the resolver itself had to fetch it over TCP from the authoritative server.
        out = dig(self.addr, "big.example.com", "TXT", "+noedns", "+ignore")
        self.assertIn("status: NOERROR", out)
        self.assertIn(" tc", out.split("flags:")[1].split(";")[0])
        r = self.query("big.example.com", "TXT", tcp=True)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertEqual(len(r.answer[0][0].strings), 8)
        out = dig(self.addr, "big.example.com", "TXT")  # dig retries over TCP itself
        self.assertIn("x" * 200, out)

    def test_servfail_when_no_server_answers(self):
        r = self.query("www.silent.com")
        self.assertEqual(r.rcode(), dns.rcode.SERVFAIL)

    def test_malformed_query_gets_formerr(self):
        q = dns.message.make_query("www.example.com", "A")
        wire = bytearray(q.to_wire())
        wire[5] = 2  # QDCOUNT 2 with one question
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(10)
            s.sendto(bytes(wire), self.addr)
            data, _ = s.recvfrom(65535)
        self.assertEqual(data[:2], wire[:2])
        self.assertEqual(data[3] & 0x0F, dns.rcode.FORMERR)

    def test_zone_transfer_is_refused(self):
        r = self.query("example.com", "AXFR", tcp=True)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)


class AccessControlTest(TestCase):
    def test_refused_outside_allow(self):
        net = Hierarchy()
        try:
            with Server(net.resolver_args("--allow", "127.0.0.1/32"), wait_for=2) as server:
                addr = server.address("resolver", "udp")
                out = dig(addr, "www.example.com", "A", "-b", "127.0.0.9")
                self.assertIn("status: REFUSED", out)
                self.assertEqual(net["127.0.0.2"].count(), 0, "nothing was resolved for a refused client")
                out = dig(addr, "www.example.com", "A", "-b", "127.0.0.1")
                self.assertIn("status: NOERROR", out)
                self.assertEqual(server.stop(), 0)
        finally:
            net.close()

    def test_bad_allow_is_a_usage_error(self):
        r = run(["resolver", "serve", "--allow", "10.0.0.1/8", "--root-hints", "/dev/null"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("10.0.0.0/8", r.stderr)

    def test_unreadable_root_hints(self):
        r = run(["resolver", "serve", "--listen", "127.0.0.1:0", "--root-hints", "/nonexistent/named.root"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/named.root", r.stderr)


class EndhostHierarchyTest(TestCase):
    """The same hierarchy served by `endhost dns serve` itself: one process per server, each on its own
    127.0.0.x address and the common port, and the resolver in front. Each server's --trace transcript says
    which questions reached it."""

    SERVERS = {
        "127.0.0.2": [(".", ROOT_ZONE)],
        "127.0.0.3": [("com.", COM_ZONE)],
        "127.0.0.4": [("edu.", EDU_ZONE)],
        "127.0.0.5": [("example.com.", EXAMPLE_ZONE)],
        "127.0.0.6": [("university.edu.", UNIVERSITY_ZONE), ("dnshost.edu.", DNSHOST_ZONE),
                      ("glueless.com.", GLUELESS_ZONE)],
    }

    def asked(self, address, name):
        """How many queries for `name` the server at `address` has logged."""
        lines = self.auth[address].stdout_lines
        return sum(1 for line in lines if " C: query id " in line and (" %s IN " % name) in line)

    def test_resolution_through_endhost_authoritative_servers(self):
        port = pick_port(list(self.SERVERS))
        with tempfile.TemporaryDirectory() as tmp:
            self.auth = {}
            try:
                for address, zones in self.SERVERS.items():
                    args = ["dns", "serve", "--listen", "%s:%d" % (address, port), "--threads", "1", "--trace"]
                    for origin, text in zones:
                        path = os.path.join(tmp, origin + "zone")
                        with open(path, "w") as f:
                            f.write(text)
                        args += ["--zone", "%s=%s" % (origin, path)]
                    self.auth[address] = Server(args, wait_for=2)
                hints = os.path.join(tmp, "root.hints")
                with open(hints, "w") as f:
                    f.write(ROOT_HINTS)
                with Server(["resolver", "serve", "--listen", "127.0.0.1:0", "--root-hints", hints,
                             "--query-port", str(port)], wait_for=2) as resolver:
                    addr = resolver.address("resolver", "udp")
                    out = dig(addr, "www.example.com")
                    self.assertIn("192.0.2.80", out)
                    out = dig(addr, "far.example.com")
                    self.assertIn("198.51.100.7", out)
                    out = dig(addr, "www.glueless.com")
                    self.assertIn("203.0.113.5", out)
                    out = dig(addr, "nosuch.example.com")
                    self.assertIn("status: NXDOMAIN", out)
                    deadline = time.monotonic() + 5
                    while self.asked("127.0.0.5", "nosuch.example.com.") < 1 and time.monotonic() < deadline:
                        time.sleep(0.05)
                    self.assertEqual(self.asked("127.0.0.2", "www.example.com."), 1, "root, once")
                    self.assertEqual(self.asked("127.0.0.3", "www.example.com."), 1, "com, once")
                    self.assertEqual(self.asked("127.0.0.5", "www.example.com."), 1, "example.com, once")
                    # Later lookups in com and under example.com skip the root: its delegations are cached.
                    self.assertEqual(self.asked("127.0.0.2", "www.glueless.com."), 0)
                    self.assertEqual(self.asked("127.0.0.2", "nosuch.example.com."), 0)
                    self.assertEqual(self.asked("127.0.0.3", "nosuch.example.com."), 0)
                    self.assertEqual(self.asked("127.0.0.5", "nosuch.example.com."), 1)
                    self.assertEqual(resolver.stop(), 0)
            finally:
                for server in self.auth.values():
                    server.stop()
                    server.__exit__(None, None, None)


def forge(server, query, response, peer):
    """Before the real answer: a poisoned copy with the wrong ID, the same from the wrong source address,
    and then the real answer gets out-of-bailiwick records added (an address for www.example.com and a
    takeover of example.com's delegation), which the resolver must not cache."""
    poisoned = dns.message.make_response(query)
    poisoned.flags |= dns.flags.AA
    poisoned.answer.append(dns.rrset.from_text(query.question[0].name, 86400, "IN", "A", POISON))
    poisoned.id = (query.id + 1) & 0xFFFF
    server.udp.sendto(poisoned.to_wire(), peer)
    poisoned.id = query.id
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.8", server.port))
        other.sendto(poisoned.to_wire(), peer)
    response.answer.append(dns.rrset.from_text("www.example.com.", 86400, "IN", "A", POISON))
    response.authority.append(dns.rrset.from_text("example.com.", 86400, "IN", "NS", "ns.spoofed.com."))
    response.additional.append(dns.rrset.from_text("ns1.example.com.", 86400, "IN", "A", POISON))


class SpoofingTest(TestCase):
    def test_forged_answers_are_rejected(self):
        net = Hierarchy(spoof=forge)
        try:
            with Server(net.resolver_args("--trace"), wait_for=2) as server:
                addr = server.address("resolver", "udp")
                out = dig(addr, "www.spoofed.com")
                self.assertIn("203.0.113.77", out)
                self.assertNotIn(POISON, out)
                # The forged packets did arrive and were turned away for the right reasons.
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    lines = "\n".join(server.stdout_lines)
                    if "wrong ID" in lines and "wrong source address" in lines:
                        break
                    time.sleep(0.05)
                self.assertIn("wrong ID", lines)
                self.assertIn("wrong source address", lines)
                self.assertIn("records dropped", lines)
                # Nothing of the poison was cached: www.example.com resolves to the real address, through
                # example.com's real server.
                out = dig(addr, "www.example.com")
                self.assertIn("192.0.2.80", out)
                self.assertNotIn(POISON, out)
                self.assertEqual(net["127.0.0.5"].count("www.example.com."), 1)
                self.assertEqual(server.stop(), 0)
        finally:
            net.close()


if __name__ == "__main__":
    unittest.main()
