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

import dns.message
import dns.query
import dns.rcode

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
