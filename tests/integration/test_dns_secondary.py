"""A secondary (`dns serve --secondary ZONE=PRIMARY --state DIR`) following a primary: AXFR at start, NOTIFY on
the primary's reload, SOA refresh without NOTIFY, a durable copy that a restarted secondary serves while the
primary is down, expiry after SOA EXPIRE, and NOTIFY accepted only from the primary."""

import os
import shutil
import signal
import socket
import tempfile
import time

import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype

from endhost_test import Server, TestCase, free_port, run

ZONE = """$ORIGIN sec.test.
$TTL 60
@    SOA ns hostmaster {serial} {refresh} 1 {expire} 60
@    NS  ns
ns   A   127.0.0.1
www  A   192.0.2.1
txt  TXT "a string with \\"quotes\\"" "and two strings"
{extra}
"""


def write_zone(path, serial, extra="", refresh=3600, expire=86400):
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(ZONE.format(serial=serial, extra=extra, refresh=refresh, expire=expire))
    os.replace(tmp, path)


def ask(server, name, rdtype="A"):
    q = dns.message.make_query(name, rdtype)
    q.flags &= ~dns.flags.RD
    return dns.query.udp(q, server[0], port=server[1], timeout=5)


def wait_until(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def transferred(server, serial):
    return lambda: any(r.get("msg") == "zone transferred" and r.get("serial") == serial for r in server.log)


class Secondary(TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="endhost-dns-secondary-")
        self.zone = os.path.join(self.tmp, "sec.test.zone")
        self.state = os.path.join(self.tmp, "state")
        self.servers = []

    def tearDown(self):
        codes = [s.stop() for s in self.servers]
        for s in self.servers:
            s.__exit__()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(codes, [0] * len(codes))

    def start(self, args, wait_for=2):
        s = Server(["dns", "serve", "--threads", "2"] + args, wait_for=wait_for)
        self.servers.append(s)
        return s

    def stop(self, server):
        self.assertEqual(server.stop(), 0)
        server.__exit__()
        self.servers.remove(server)

    def test_follows_the_primary_through_notify_and_survives_a_restart(self):
        write_zone(self.zone, 1)
        sec_port = free_port()
        primary = self.start(["--listen", "127.0.0.1:0", "--zone", self.zone, "--allow-transfer", "127.0.0.1",
                              "--notify", "127.0.0.1:%d" % sec_port])
        p_addr = primary.address("dns", "udp")
        spec = "sec.test=127.0.0.1:%d" % p_addr[1]
        secondary = self.start(["--listen", "127.0.0.1:%d" % sec_port, "--secondary", spec, "--state", self.state])
        s_addr = ("127.0.0.1", sec_port)
        wait_until(transferred(secondary, 1), "the first transfer")
        r = ask(s_addr, "www.sec.test")
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertEqual(r.answer[0][0].to_text(), "192.0.2.1")
        r = ask(s_addr, "txt.sec.test", "TXT")
        self.assertEqual(r.answer[0][0].to_text(), '"a string with \\"quotes\\"" "and two strings"')
        saved = os.path.join(self.state, "sec.test.zone")
        with open(saved) as f:
            self.assertIn("www.sec.test.", f.read())

        # The primary's zone changes; SIGHUP makes it reload and NOTIFY the secondary, which transfers.
        write_zone(self.zone, 2, "new A 192.0.2.77")
        primary.proc.send_signal(signal.SIGHUP)
        primary.wait_log(lambda r: r.get("msg") == "NOTIFY acknowledged" and r.get("rcode") == "NOERROR")
        wait_until(transferred(secondary, 2), "the transfer after NOTIFY")
        # The secondary asked IXFR first, and the primary answered from its journal (RFC 1995).
        done = [r for r in secondary.log if r.get("msg") == "zone transferred" and r.get("serial") == 2]
        self.assertEqual(done[0].get("transfer"), "IXFR")
        served = [r for r in primary.log if r.get("msg") == "zone transfer" and r.get("serial") == 2]
        self.assertEqual(served[-1].get("form"), "IXFR")
        self.assertEqual(ask(s_addr, "new.sec.test").answer[0][0].to_text(), "192.0.2.77")
        self.assertEqual(ask(s_addr, "sec.test", "SOA").answer[0][0].serial, 2)

        # Both go down; the secondary comes back alone and serves its durable copy.
        self.stop(secondary)
        self.stop(primary)
        again = self.start(["--listen", "127.0.0.1:%d" % sec_port, "--secondary", spec, "--state", self.state])
        self.assertEqual(ask(s_addr, "new.sec.test").answer[0][0].to_text(), "192.0.2.77")
        again.wait_log(lambda r: r.get("msg") == "SOA check failed")

    def test_refresh_without_notify_and_expiry(self):
        write_zone(self.zone, 10, refresh=1, expire=4)
        primary = self.start(["--listen", "127.0.0.1:0", "--zone", self.zone, "--allow-transfer", "127.0.0.0/8"])
        p_addr = primary.address("dns", "udp")
        secondary = self.start(["--listen", "127.0.0.1:0", "--secondary", "sec.test=127.0.0.1:%d" % p_addr[1],
                                "--state", self.state])
        s_addr = secondary.address("dns", "udp")
        wait_until(transferred(secondary, 10), "the first transfer")
        # No --notify on the primary: the secondary notices the new serial at its next SOA refresh.
        write_zone(self.zone, 11, "later A 192.0.2.11", refresh=1, expire=4)
        primary.proc.send_signal(signal.SIGHUP)
        wait_until(transferred(secondary, 11), "the transfer at SOA refresh")
        self.assertEqual(ask(s_addr, "later.sec.test").answer[0][0].to_text(), "192.0.2.11")
        # With the primary gone for longer than EXPIRE, the secondary stops answering for the zone.
        self.stop(primary)
        secondary.wait_log(lambda r: r.get("msg", "").startswith("secondary zone expired"), timeout=30)
        wait_until(lambda: ask(s_addr, "www.sec.test").rcode() == dns.rcode.REFUSED, "REFUSED after expiry")

    def test_notify_only_from_the_primary(self):
        write_zone(self.zone, 1)
        primary = self.start(["--listen", "127.0.0.1:0", "--zone", self.zone, "--allow-transfer", "127.0.0.1"])
        p_addr = primary.address("dns", "udp")
        secondary = self.start(["--listen", "127.0.0.1:0", "--secondary", "sec.test=127.0.0.1:%d" % p_addr[1],
                                "--state", self.state])
        s_addr = secondary.address("dns", "udp")
        wait_until(transferred(secondary, 1), "the first transfer")

        def notify(zone, source):
            q = dns.message.make_query(zone, "SOA")
            q.flags = dns.flags.AA  # (flags first: dnspython keeps the opcode in them)
            q.set_opcode(dns.opcode.NOTIFY)
            return dns.query.udp(q, s_addr[0], port=s_addr[1], timeout=5, source=source)

        r = notify("sec.test", "127.0.0.2")  # not the primary's address
        self.assertEqual(r.opcode(), dns.opcode.NOTIFY)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        self.assertEqual(notify("other.test", "127.0.0.1").rcode(), dns.rcode.NOTAUTH)
        r = notify("sec.test", "127.0.0.1")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertEqual(r.question[0].name.to_text(), "sec.test.")
        # The accepted NOTIFY made it check the primary: same serial, so no second transfer.
        time.sleep(0.5)
        self.assertEqual(sum(1 for rec in secondary.log if rec.get("msg") == "zone transferred"), 1)

    def test_a_refused_transfer_is_retried_and_reported(self):
        write_zone(self.zone, 1)
        primary = self.start(["--listen", "127.0.0.1:0", "--zone", self.zone])  # no --allow-transfer
        p_addr = primary.address("dns", "udp")
        secondary = self.start(["--listen", "127.0.0.1:0", "--secondary", "sec.test=127.0.0.1:%d" % p_addr[1],
                                "--state", self.state])
        rec = secondary.wait_log(lambda r: r.get("msg") == "zone transfer failed")
        self.assertIn("REFUSED", rec.get("error", ""))
        # Nothing was installed: the secondary does not claim the zone.
        self.assertEqual(ask(secondary.address("dns", "udp"), "www.sec.test").rcode(), dns.rcode.REFUSED)
        self.assertFalse(os.path.exists(os.path.join(self.state, "sec.test.zone")))


KEY = "xfr-key:hmac-sha256:" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I="  # 32 octets
WRONG_KEY = "xfr-key:hmac-sha256:" + "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc="


class SecondaryWithTsig(TestCase):
    """RFC 8945 between our primary and our secondary: the secondary signs its SOA checks and transfer
    requests with `--secondary ZONE=PRIMARY,key=NAME`, the primary's `--allow-transfer` does not cover the
    secondary's address (only the key lets it transfer), the primary signs its NOTIFY (`--notify
    ADDR,key=NAME`), and the secondary takes a NOTIFY for a keyed zone only when it is signed."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="endhost-dns-tsig-")
        self.zone = os.path.join(self.tmp, "sec.test.zone")
        self.state = os.path.join(self.tmp, "state")
        self.servers = []

    def tearDown(self):
        codes = [s.stop() for s in self.servers]
        for s in self.servers:
            s.__exit__()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(codes, [0] * len(codes))

    def start(self, args):
        s = Server(["dns", "serve", "--threads", "2"] + args, wait_for=2)
        self.servers.append(s)
        return s

    def test_transfers_and_notify_authorized_by_the_key_alone(self):
        write_zone(self.zone, 1)
        sec_port = free_port()
        primary = self.start(["--listen", "127.0.0.1:0", "--zone", self.zone, "--allow-transfer", "192.0.2.0/24",
                              "--tsig-key", KEY, "--notify", "127.0.0.1:%d,key=xfr-key" % sec_port])
        p_port = primary.address("dns", "udp")[1]
        secondary = self.start(["--listen", "127.0.0.1:%d" % sec_port, "--tsig-key", KEY, "--secondary",
                                "sec.test=127.0.0.1:%d,key=xfr-key" % p_port, "--state", self.state])
        s_addr = ("127.0.0.1", sec_port)
        wait_until(transferred(secondary, 1), "the first, signed transfer")
        first = [r for r in secondary.log if r.get("msg") == "zone transferred"][0]
        self.assertEqual(first.get("transfer"), "AXFR")
        self.assertEqual(ask(s_addr, "www.sec.test").answer[0][0].to_text(), "192.0.2.1")

        # A reload with a higher serial: the signed NOTIFY is taken, and the IXFR is signed and verified.
        write_zone(self.zone, 2, "new A 192.0.2.77")
        primary.proc.send_signal(signal.SIGHUP)
        primary.wait_log(lambda r: r.get("msg") == "NOTIFY acknowledged" and r.get("rcode") == "NOERROR")
        wait_until(transferred(secondary, 2), "the signed transfer after NOTIFY")
        done = [r for r in secondary.log if r.get("msg") == "zone transferred" and r.get("serial") == 2]
        self.assertEqual(done[0].get("transfer"), "IXFR")
        self.assertEqual(ask(s_addr, "new.sec.test").answer[0][0].to_text(), "192.0.2.77")

        # An unsigned NOTIFY from the primary's address is not enough for a zone with a key.
        q = dns.message.make_query("sec.test", "SOA")
        q.flags = dns.flags.AA
        q.set_opcode(dns.opcode.NOTIFY)
        r = dns.query.udp(q, s_addr[0], port=s_addr[1], timeout=5, source="127.0.0.1")
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)
        secondary.wait_log(lambda r: r.get("msg", "").startswith("NOTIFY refused: not signed"))

        # Without the key the transfer is refused: the address is not in --allow-transfer.
        axfr = dns.message.make_query("sec.test", "AXFR")
        r = dns.query.tcp(axfr, "127.0.0.1", port=p_port, timeout=5)
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)

    def test_a_wrong_key_installs_nothing_and_says_why(self):
        write_zone(self.zone, 1)
        primary = self.start(["--listen", "127.0.0.1:0", "--zone", self.zone, "--allow-transfer", "192.0.2.0/24",
                              "--tsig-key", KEY])
        p_port = primary.address("dns", "udp")[1]
        secondary = self.start(["--listen", "127.0.0.1:0", "--tsig-key", WRONG_KEY, "--secondary",
                                "sec.test=127.0.0.1:%d,key=xfr-key" % p_port, "--state", self.state])
        rec = secondary.wait_log(lambda r: r.get("msg") == "SOA check failed" and "TSIG" in r.get("error", ""))
        self.assertIn("BADSIG", rec["error"])
        self.assertEqual(ask(secondary.address("dns", "udp"), "www.sec.test").rcode(), dns.rcode.REFUSED)
        self.assertFalse(os.path.exists(os.path.join(self.state, "sec.test.zone")))
        self.assertFalse(any(r.get("msg") == "zone transferred" for r in secondary.log))

    def test_a_key_name_that_is_not_configured_is_refused_at_start(self):
        args = ["dns", "serve", "--listen", "127.0.0.1:0", "--secondary", "sec.test=127.0.0.1:53,key=nokey",
                "--state", self.state]
        p = run(args, timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no --tsig-key named nokey", p.stderr)
