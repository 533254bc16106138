"""SIGHUP reloads the authoritative server's zone files while queries keep being answered: a query loop over
UDP and a long-lived TCP connection never see an error, a timeout or a half-loaded zone, and pick up the new
data; a zone file broken on disk keeps serving its previous version."""

import os
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time

import subprocess

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.xfr

from endhost_test import Server, TestCase

ZONE = """$ORIGIN reload.test.
$TTL 60
@    SOA ns hostmaster {serial} 3600 600 86400 60
@    NS  ns
ns   A   127.0.0.1
www  A   {address}
{extra}
"""


def write_zone(path, serial, address, extra=""):
    # Written whole and renamed into place, as an operator's editor or deploy tool does.
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(ZONE.format(serial=serial, address=address, extra=extra))
    os.replace(tmp, path)


class QueryLoop(threading.Thread):
    """Asks for www.reload.test A over UDP as fast as it gets answers; records every outcome."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.stop_flag = threading.Event()
        self.answers = []
        self.failures = []

    def run(self):
        while not self.stop_flag.is_set():
            q = dns.message.make_query("www.reload.test", "A")
            try:
                r = dns.query.udp(q, self.server[0], port=self.server[1], timeout=2)
                if r.rcode() != dns.rcode.NOERROR or not r.answer:
                    self.failures.append("rcode %s, %d answers" % (dns.rcode.to_text(r.rcode()), len(r.answer)))
                else:
                    self.answers.append(r.answer[0][0].to_text())
            except Exception as e:  # a timeout is a dropped query
                self.failures.append(repr(e))

    def wait_for(self, address, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers and self.answers[-1] == address:
                return
            time.sleep(0.02)
        raise AssertionError("never saw %s; last answers %s" % (address, self.answers[-5:]))


def tcp_ask(sock, name, qid):
    wire = dns.message.make_query(name, "A", id=qid).to_wire()
    sock.sendall(struct.pack("!H", len(wire)) + wire)
    head = b""
    while len(head) < 2:
        head += sock.recv(2 - len(head))
    n = struct.unpack("!H", head)[0]
    body = b""
    while len(body) < n:
        chunk = sock.recv(n - len(body))
        if not chunk:
            raise AssertionError("connection closed")
        body += chunk
    return dns.message.from_wire(body)


class Reload(TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="endhost-dns-reload-")
        self.zone = os.path.join(self.tmp, "reload.test.zone")
        write_zone(self.zone, 1, "192.0.2.1")
        self.server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--threads", "2", "--zone", self.zone,
                              "--idle-timeout", "60"], wait_for=2)
        self.udp = self.server.address("dns", "udp")
        self.tcp = self.server.address("dns", "tcp")

    def tearDown(self):
        code = self.server.stop()
        self.server.__exit__()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(code, 0)

    def reloads(self):
        return sum(1 for r in self.server.log if r.get("msg") == "zones reloaded")

    def sighup_and_wait(self):
        # The 'listening' lines come before the server installs its signal handlers; an answered query
        # proves it runs, so SIGHUP is not taken by the default action (terminate).
        dns.query.udp(dns.message.make_query("ns.reload.test", "A"), self.udp[0], port=self.udp[1], timeout=5)
        before = self.reloads()
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while self.reloads() == before:
            self.assertLess(time.monotonic(), deadline, "no 'zones reloaded' log line")
            time.sleep(0.02)

    def test_reload_picks_up_changes_without_dropping_queries(self):
        loop = QueryLoop(self.udp)
        with socket.create_connection(self.tcp, timeout=5) as conn:
            self.assertEqual(tcp_ask(conn, "www.reload.test", 1).answer[0][0].to_text(), "192.0.2.1")
            loop.start()
            try:
                loop.wait_for("192.0.2.1")
                while len(loop.answers) < 50:
                    time.sleep(0.01)
                write_zone(self.zone, 2, "192.0.2.2", "new A 192.0.2.3")
                self.sighup_and_wait()
                loop.wait_for("192.0.2.2")
                seen = len(loop.answers)
                while len(loop.answers) < seen + 50:  # and it goes on answering afterwards
                    time.sleep(0.01)
            finally:
                loop.stop_flag.set()
                loop.join()
            # The TCP connection opened before the reload is answered from the new zone.
            r = tcp_ask(conn, "new.reload.test", 2)
            self.assertEqual(r.rcode(), dns.rcode.NOERROR)
            self.assertEqual(r.answer[0][0].to_text(), "192.0.2.3")
        self.assertEqual(loop.failures, [])
        self.assertEqual(set(loop.answers), {"192.0.2.1", "192.0.2.2"})
        self.assertEqual(self.server.proc.poll(), None)

    def test_broken_file_keeps_the_previous_zone(self):
        with open(self.zone, "w") as f:
            f.write("$ORIGIN reload.test.\n@ 60 SOA ns hostmaster 3 1 1 1 1\n@ 60 NS ns\nwww 60 A 192.0.2.300\n")
        self.sighup_and_wait()
        err = self.server.wait_log(lambda r: r.get("msg", "").startswith("zone not reloaded"))
        self.assertIn(self.zone + ":4", err.get("error", ""))
        r = dns.query.udp(dns.message.make_query("www.reload.test", "A"), self.udp[0], port=self.udp[1], timeout=5)
        self.assertEqual(r.answer[0][0].to_text(), "192.0.2.1")
        # Fixed on disk, the next SIGHUP loads it.
        write_zone(self.zone, 3, "192.0.2.4")
        self.sighup_and_wait()
        r = dns.query.udp(dns.message.make_query("www.reload.test", "A"), self.udp[0], port=self.udp[1], timeout=5)
        self.assertEqual(r.answer[0][0].to_text(), "192.0.2.4")


def ixfr_query(serial):
    """An IXFR request carrying the client's SOA with `serial` in the authority section (RFC 1995 §3)."""
    q = dns.message.make_query("reload.test", "IXFR")
    soa = dns.rrset.from_text("reload.test.", 60, "IN", "SOA", "ns.reload.test. hostmaster.reload.test. %d 1 1 1 1"
                              % serial)
    q.authority.append(soa)
    return q


def tcp_exchange_all(address, query):
    """Sends `query` over TCP and reads response messages until one ends with the first SOA again (the zones
    here are small: a mid-stream SOA never falls at the end of a message), or the answer is one SOA alone."""
    records = []
    with socket.create_connection(address, timeout=10) as s:
        wire = query.to_wire()
        s.sendall(struct.pack("!H", len(wire)) + wire)
        while True:
            head = b""
            while len(head) < 2:
                head += s.recv(2 - len(head))
            n = struct.unpack("!H", head)[0]
            body = b""
            while len(body) < n:
                body += s.recv(n - len(body))
            m = dns.message.from_wire(body, one_rr_per_rrset=True)
            if m.rcode() != dns.rcode.NOERROR:
                return m.rcode(), records
            for rrset in m.answer:
                for rd in rrset:
                    records.append(("SOA %d" % rd.serial) if rrset.rdtype == dns.rdatatype.SOA
                                   else "%s %s" % (rrset.name, rd.to_text()))
            if len(records) == 1 or (len(records) > 1 and records[-1] == records[0]):
                return m.rcode(), records


class IxfrFromTheJournal(TestCase):
    """Two reloads that grow the serial leave a history the server answers IXFR from (RFC 1995 §4)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="endhost-dns-ixfr-")
        cls.zone = os.path.join(cls.tmp, "reload.test.zone")
        write_zone(cls.zone, 1, "192.0.2.1", "gone A 192.0.2.9")
        cls.server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", cls.zone,
                             "--allow-transfer", "127.0.0.1"], wait_for=2)
        cls.udp = cls.server.address("dns", "udp")
        cls.tcp = cls.server.address("dns", "tcp")
        for serial, address, extra in ((2, "192.0.2.2", "gone A 192.0.2.9"), (3, "192.0.2.2", "new A 192.0.2.3")):
            dns.query.udp(dns.message.make_query("ns.reload.test", "A"), cls.udp[0], port=cls.udp[1], timeout=5)
            before = sum(1 for r in cls.server.log if r.get("msg") == "zones reloaded")
            write_zone(cls.zone, serial, address, extra)
            cls.server.proc.send_signal(signal.SIGHUP)
            cls.server.wait_log(lambda r, b=before: r.get("msg") == "zones reloaded" and
                                sum(1 for x in cls.server.log if x.get("msg") == "zones reloaded") > b)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert code == 0

    WANT_FROM_1 = ["SOA 3",
                   "SOA 1", "www.reload.test. 192.0.2.1", "SOA 2", "www.reload.test. 192.0.2.2",
                   "SOA 2", "gone.reload.test. 192.0.2.9", "SOA 3", "new.reload.test. 192.0.2.3",
                   "SOA 3"]

    def test_incremental_over_tcp(self):
        rcode, records = tcp_exchange_all(self.tcp, ixfr_query(1))
        self.assertEqual(rcode, dns.rcode.NOERROR)
        self.assertEqual(records, self.WANT_FROM_1)
        rcode, records = tcp_exchange_all(self.tcp, ixfr_query(2))
        self.assertEqual(records, ["SOA 3", "SOA 2", "gone.reload.test. 192.0.2.9", "SOA 3",
                                   "new.reload.test. 192.0.2.3", "SOA 3"])

    def test_dnspython_applies_the_increments(self):
        # dnspython's own IXFR client (dns.query.inbound_xfr) turns version 1 into version 3.
        import dns.zone
        z = dns.zone.from_text(ZONE.format(serial=1, address="192.0.2.1", extra="gone A 192.0.2.9"),
                               origin="reload.test.", relativize=False)
        q, _ = dns.xfr.make_query(z)
        dns.query.inbound_xfr(self.tcp[0], z, q, port=self.tcp[1], timeout=10, lifetime=20)
        self.assertEqual(z.get_soa().serial, 3)
        self.assertEqual(z.get_rdataset("new.reload.test.", "A")[0].to_text(), "192.0.2.3")
        self.assertIsNone(z.get_rdataset("gone.reload.test.", "A"))
        self.assertEqual(z.get_rdataset("www.reload.test.", "A")[0].to_text(), "192.0.2.2")

    def test_dig_ixfr(self):
        out = subprocess.run(["dig", "@%s" % self.tcp[0], "-p", str(self.tcp[1]), "reload.test", "IXFR=2"],
                             capture_output=True, text=True, timeout=30).stdout
        self.assertIn("new.reload.test.", out)
        self.assertIn("gone.reload.test.", out)
        self.assertNotIn("www.reload.test.", out, "only the differences since serial 2")

    def test_up_to_date_and_unknown_history(self):
        rcode, records = tcp_exchange_all(self.tcp, ixfr_query(3))
        self.assertEqual(records, ["SOA 3"], "up to date: the SOA alone")
        # A serial the journal does not know: the whole zone in AXFR form (RFC 1995 §4).
        rcode, records = tcp_exchange_all(self.tcp, ixfr_query(0))
        self.assertEqual(records[0], "SOA 3")
        self.assertEqual(records[-1], "SOA 3")
        self.assertNotEqual(records[1][:4], "SOA ", "AXFR form: the body follows the first SOA")
        self.assertIn("new.reload.test. 192.0.2.3", records)

    def test_over_udp(self):
        # RFC 1995 §2: the full answer when it fits a datagram.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(ixfr_query(1).to_wire(), self.udp)
            r = dns.message.from_wire(s.recv(65535), one_rr_per_rrset=True)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertFalse(r.flags & dns.flags.TC)
        flat = [("SOA %d" % rrset[0].serial) if rrset.rdtype == dns.rdatatype.SOA
                else "%s %s" % (rrset.name, rrset[0].to_text()) for rrset in r.answer]
        self.assertEqual(flat, self.WANT_FROM_1)
        # Up to date: the SOA alone, no TC.
        r = dns.query.udp(ixfr_query(3), self.udp[0], port=self.udp[1], timeout=5)
        self.assertEqual([rd.serial for rd in r.answer[0]], [3])
        self.assertFalse(r.flags & dns.flags.TC)
        # Unknown history: the answer would be the whole zone, so the SOA with TC: ask again over TCP.
        r = dns.query.udp(ixfr_query(0), self.udp[0], port=self.udp[1], timeout=5)
        self.assertTrue(r.flags & dns.flags.TC)
        self.assertEqual(r.answer[0][0].serial, 3)

    def test_ixfr_is_refused_outside_allow_transfer(self):
        r = dns.query.udp(ixfr_query(1), "127.0.0.1", port=self.udp[1], timeout=5, source="127.0.0.2")
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertEqual(r.answer, [])
