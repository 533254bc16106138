"""The authoritative server (`endhost dns serve`) as dig and dnspython see it: A/AAAA/MX/CNAME answers with AA,
NXDOMAIN and NODATA with the SOA for negative caching, referrals with glue, truncation over UDP then TCP,
pipelined TCP queries, malformed queries, round-robin, wildcards, and AXFR allowed and refused."""

import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsigkeyring
import dns.xfr
import dns.zone

from endhost_test import Server, TestCase, run

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = os.path.join(HERE, "..", "..", "examples", "zones")

TEST_ZONE = """$ORIGIN test.
$TTL 300
@       SOA ns1 hostmaster 1 3600 600 86400 60
@       NS  ns1
ns1     A   127.0.0.1
rr      A   10.1.0.1
rr      A   10.1.0.2
rr      A   10.1.0.3
*.wild  A   10.2.0.1
""" + "".join("big A 10.0.0.%d\n" % i for i in range(1, 61))


TSIG_SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0"  # base64 of "secretsecretsecret"


def dig(server, *args):
    host, port = server
    r = subprocess.run(["dig", "@" + host, "-p", str(port), "+tries=1", "+time=5"] + list(args),
                       capture_output=True, text=True, timeout=30)
    return r.stdout


def udp_query(server, name, rdtype, **kw):
    q = dns.message.make_query(name, rdtype, **kw)
    q.flags &= ~dns.flags.RD
    return dns.query.udp(q, server[0], port=server[1], timeout=5)


class Authoritative(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="endhost-dns-")
        test_zone = os.path.join(cls.tmp, "test.zone")
        with open(test_zone, "w") as f:
            f.write(TEST_ZONE)
        big_zone = os.path.join(cls.tmp, "bigxfr.test.zone")
        with open(big_zone, "w") as f:
            f.write("$ORIGIN bigxfr.test.\n$TTL 60\n@ SOA ns hm 1 1 1 1 1\n@ NS ns\nns A 127.0.0.1\n")
            f.write("".join("t%d TXT \"%s\"\n" % (i, "x" * 100) for i in range(1500)))
        cls.server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--threads", "2",
                             "--zone", os.path.join(ZONES, "networkutopia.com.zone"),
                             "--zone", os.path.join(ZONES, "com.zone"),
                             "--zone", test_zone, "--zone", big_zone,
                             "--tsig-key", "xfr-key:hmac-sha256:" + TSIG_SECRET,
                             "--version-string", "test-version 1.2"], wait_for=2)
        cls.udp = cls.server.address("dns", "udp")
        cls.tcp = cls.server.address("dns", "tcp")

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert code == 0, code

    def test_udp_and_tcp_share_the_port(self):
        self.assertEqual(self.udp, self.tcp)

    def test_a_record_is_authoritative(self):
        out = dig(self.udp, "www.networkutopia.com", "A", "+norec")
        self.assertIn("status: NOERROR", out)
        self.assertRegex(out, r"flags: qr aa;")
        self.assertRegex(out, r"www\.networkutopia\.com\.\s+3600\s+IN\s+A\s+212\.212\.71\.4")

    def test_aaaa_record(self):
        r = udp_query(self.udp, "www.networkutopia.com", "AAAA")
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertEqual([rd.to_text() for rd in r.answer[0]], ["2001:db8:71::4"])

    def test_mx_with_target_address_in_additional(self):
        r = udp_query(self.udp, "networkutopia.com", "MX")
        self.assertEqual([rd.to_text() for rd in r.answer[0]], ["10 mail.networkutopia.com."])
        additional = {(rrset.name.to_text(), rd.to_text()) for rrset in r.additional for rd in rrset}
        self.assertIn(("mail.networkutopia.com.", "212.212.71.5"), additional)

    def test_ns_targets_addresses_in_additional(self):
        r = udp_query(self.udp, "networkutopia.com", "NS")
        self.assertTrue(r.flags & dns.flags.AA)
        additional = {rd.to_text() for rrset in r.additional for rd in rrset}
        self.assertTrue({"212.212.212.1", "212.212.212.2"} <= additional, additional)

    def test_cname_chain_followed_inside_the_zone(self):
        out = dig(self.udp, "ftp.networkutopia.com", "A", "+norec")
        self.assertRegex(out, r"ftp\.networkutopia\.com\.\s+3600\s+IN\s+CNAME\s+www\.networkutopia\.com\.")
        self.assertRegex(out, r"www\.networkutopia\.com\.\s+3600\s+IN\s+A\s+212\.212\.71\.4")
        self.assertRegex(out, r"flags: qr aa;")

    def test_nxdomain_carries_the_soa_with_the_negative_ttl(self):
        r = udp_query(self.udp, "nope.networkutopia.com", "A")
        self.assertEqual(r.rcode(), dns.rcode.NXDOMAIN)
        self.assertTrue(r.flags & dns.flags.AA)
        self.assertEqual(r.answer, [])
        soa = r.authority[0]
        self.assertEqual(soa.rdtype, dns.rdatatype.SOA)
        self.assertEqual(soa.name.to_text(), "networkutopia.com.")
        self.assertEqual(soa.ttl, 300)  # RFC 2308: min(SOA TTL 3600, MINIMUM 5m)

    def test_nodata_carries_the_soa(self):
        out = dig(self.udp, "mail.networkutopia.com", "AAAA", "+norec")
        self.assertIn("status: NOERROR", out)
        self.assertIn("ANSWER: 0", out)
        self.assertRegex(out, r"AUTHORITY SECTION:\nnetworkutopia\.com\.\s+300\s+IN\s+SOA")

    def test_referral_with_glue_from_the_tld(self):
        # Asked com. about a name in the delegated networkutopia.com: NS in authority, glue, AA clear.
        com_only = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", os.path.join(ZONES, "com.zone")],
                          wait_for=2)
        try:
            server = com_only.address("dns", "udp")
            r = udp_query(server, "www.networkutopia.com", "A")
            self.assertEqual(r.rcode(), dns.rcode.NOERROR)
            self.assertFalse(r.flags & dns.flags.AA)
            self.assertEqual(r.answer, [])
            ns = r.authority[0]
            self.assertEqual(ns.name.to_text(), "networkutopia.com.")
            self.assertEqual(sorted(rd.to_text() for rd in ns),
                             ["dns1.networkutopia.com.", "dns2.networkutopia.com."])
            glue = sorted((rrset.name.to_text(), rd.to_text()) for rrset in r.additional for rd in rrset)
            self.assertEqual(glue, [("dns1.networkutopia.com.", "212.212.212.1"),
                                    ("dns2.networkutopia.com.", "212.212.212.2")])
        finally:
            self.assertEqual(com_only.stop(), 0)
            com_only.__exit__()

    def test_names_outside_our_zones_are_refused(self):
        r = udp_query(self.udp, "www.example.org", "A")
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)

    def test_truncated_over_udp_then_complete_over_tcp(self):
        q = dns.message.make_query("big.test", "A")  # no EDNS: 512 octets at most
        r = dns.query.udp(q, self.udp[0], port=self.udp[1], timeout=5)
        self.assertTrue(r.flags & dns.flags.TC)
        r = dns.query.tcp(q, self.tcp[0], port=self.tcp[1], timeout=5)
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(len(r.answer[0]), 60)
        # dig does the same on its own: TC, then a retry over TCP.
        out = dig(self.udp, "big.test", "A", "+noedns")
        self.assertIn(";; Truncated, retrying in TCP mode.", out)
        self.assertIn("ANSWER: 60", out)

    def test_edns_payload_size_is_honoured(self):
        q = dns.message.make_query("big.test", "A", use_edns=0, payload=4096)
        r = dns.query.udp(q, self.udp[0], port=self.udp[1], timeout=5)
        # 60 A records fit in 1232 octets, our advertised maximum.
        self.assertFalse(r.flags & dns.flags.TC)
        self.assertEqual(len(r.answer[0]), 60)
        self.assertEqual(r.payload, 1232)

    def test_pipelined_tcp_queries_on_one_connection(self):
        names = ["www.networkutopia.com", "mail.networkutopia.com", "ftp.networkutopia.com", "nope.networkutopia.com"]
        queries = [dns.message.make_query(n, "A", id=1000 + i) for i, n in enumerate(names)]
        payload = b"".join(struct.pack("!H", len(w)) + w for w in (q.to_wire() for q in queries))
        with socket.create_connection(self.tcp, timeout=5) as s:
            s.sendall(payload)  # all four at once, before reading anything
            answers = {}
            buf = b""
            while len(answers) < 4:
                chunk = s.recv(65535)
                self.assertTrue(chunk, "server closed early")
                buf += chunk
                while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                    n = struct.unpack("!H", buf[:2])[0]
                    m = dns.message.from_wire(buf[2:2 + n])
                    answers[m.id] = m
                    buf = buf[2 + n:]
        self.assertEqual(answers[1000].answer[0][0].to_text(), "212.212.71.4")
        self.assertEqual(answers[1001].answer[0][0].to_text(), "212.212.71.5")
        self.assertEqual(answers[1003].rcode(), dns.rcode.NXDOMAIN)

    def test_malformed_queries_get_formerr_or_nothing(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(3)
            # QDCOUNT 2 with one question: FORMERR, ID echoed.
            good = dns.message.make_query("www.networkutopia.com", "A", id=0x4242).to_wire()
            bad = good[:4] + b"\x00\x02" + good[6:]
            s.sendto(bad, self.udp)
            data, _ = s.recvfrom(4096)
            m = dns.message.from_wire(data, question_only=True)
            self.assertEqual(m.id, 0x4242)
            self.assertEqual(m.rcode(), dns.rcode.FORMERR)
            # A compression pointer loop in the question: FORMERR, the server survives.
            loop = struct.pack("!HHHHHH", 0x4343, 0, 1, 0, 0, 0) + b"\xc0\x0c" + b"\x00\x01\x00\x01"
            s.sendto(loop, self.udp)
            data, _ = s.recvfrom(4096)
            self.assertEqual(struct.unpack("!H", data[:2])[0], 0x4343)
            self.assertEqual(data[3] & 0x0F, 1)  # FORMERR
            # Shorter than a header, and a response (QR set): no answer at all (RFC 1035 §7.3, no reflection).
            s.sendto(b"\x12\x34\x01", self.udp)
            s.sendto(dns.message.make_response(dns.message.make_query("x.test", "A", id=0x5555)).to_wire(),
                     self.udp)
            s.sendto(dns.message.make_query("www.networkutopia.com", "A", id=0x6666).to_wire(), self.udp)
            data, _ = s.recvfrom(4096)
            self.assertEqual(struct.unpack("!H", data[:2])[0], 0x6666)  # the first reply is to the good query

    def test_unknown_opcode_is_notimp(self):
        q = dns.message.make_query("www.networkutopia.com", "A")
        q.set_opcode(dns.opcode.STATUS)
        r = dns.query.udp(q, self.udp[0], port=self.udp[1], timeout=5)
        self.assertEqual(r.rcode(), dns.rcode.NOTIMP)

    def test_multi_address_rrsets_rotate(self):
        firsts = set()
        for _ in range(6):
            r = udp_query(self.udp, "rr.test", "A")
            self.assertEqual(sorted(rd.to_text() for rd in r.answer[0]), ["10.1.0.1", "10.1.0.2", "10.1.0.3"])
            firsts.add(r.answer[0][0].to_text())
        self.assertGreater(len(firsts), 1, "every answer listed the same address first")

    def test_wildcard_synthesis(self):
        r = udp_query(self.udp, "anything.wild.test", "A")
        self.assertEqual(r.answer[0].name.to_text(), "anything.wild.test.")
        self.assertEqual(r.answer[0][0].to_text(), "10.2.0.1")

    def test_axfr_is_refused_without_allow_transfer(self):
        with self.assertRaises(dns.xfr.TransferError) as e:
            dns.zone.from_xfr(dns.query.xfr(self.tcp[0], "networkutopia.com", port=self.tcp[1], timeout=5))
        self.assertEqual(e.exception.rcode, dns.rcode.REFUSED)
        out = dig(self.tcp, "networkutopia.com", "AXFR")
        self.assertIn("Transfer failed.", out)

    def test_axfr_over_udp_is_refused(self):
        r = udp_query(self.udp, "networkutopia.com", "AXFR")
        self.assertEqual(r.rcode(), dns.rcode.REFUSED)


    # TSIG (RFC 8945), against dig -y and dnspython's own implementation.
    def test_tsig_signed_query_is_answered_signed(self):
        out = dig(self.udp, "-y", "hmac-sha256:xfr-key:" + TSIG_SECRET, "networkutopia.com", "SOA")
        self.assertIn("status: NOERROR", out)
        self.assertIn("TSIG PSEUDOSECTION", out)
        self.assertNotIn("failure", out.lower())
        keyring = dns.tsigkeyring.from_text({"xfr-key.": ("hmac-sha256", TSIG_SECRET)})
        q = dns.message.make_query("www.networkutopia.com", "A")
        q.use_tsig(keyring, keyname="xfr-key.")
        r = dns.query.tcp(q, self.tcp[0], port=self.tcp[1], timeout=5)  # dnspython verifies the answer's MAC
        self.assertTrue(r.had_tsig)
        self.assertEqual(r.rcode(), dns.rcode.NOERROR)

    def tsig_error(self, wire):
        """The RCODE of the answer to `wire` over UDP, its TSIG error and its TSIG MAC size."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(wire, self.udp)
            data = s.recv(65535)
        at = data.rindex(b"\x0bhmac-sha256\x00") + 13  # the TSIG's algorithm name, then its fields
        mac_size = struct.unpack("!H", data[at + 8:at + 10])[0]
        at += 10 + mac_size
        error = struct.unpack("!H", data[at + 2:at + 4])[0]
        return data[3] & 0x0F, error, mac_size

    def test_tsig_errors(self):
        q = dns.message.make_query("networkutopia.com", "SOA")
        unknown = dns.tsigkeyring.from_text({"nobody.": ("hmac-sha256", TSIG_SECRET)})
        q.use_tsig(unknown, keyname="nobody.")
        rcode, error, mac_size = self.tsig_error(q.to_wire())
        self.assertEqual((rcode, error), (dns.rcode.NOTAUTH, 17), "unknown key: NOTAUTH, BADKEY")
        self.assertEqual(mac_size, 0, "BADKEY is unsigned")
        wrong = dns.tsigkeyring.from_text({"xfr-key.": ("hmac-sha256", "b3RoZXJzZWNyZXQ=")})
        q = dns.message.make_query("networkutopia.com", "SOA")
        q.use_tsig(wrong, keyname="xfr-key.")
        self.assertEqual(self.tsig_error(q.to_wire())[:2], (dns.rcode.NOTAUTH, 16), "BADSIG")
        good = dns.tsigkeyring.from_text({"xfr-key.": ("hmac-sha256", TSIG_SECRET)})
        # Signed ten minutes ago: BADTIME, and that answer is signed.
        old = dns.message.make_query("networkutopia.com", "SOA")
        old.use_tsig(good, keyname="xfr-key.")
        real_time = time.time
        try:
            time.time = lambda: real_time() - 600
            wire = old.to_wire()
        finally:
            time.time = real_time
        rcode, error, mac_size = self.tsig_error(wire)
        self.assertEqual((rcode, error), (dns.rcode.NOTAUTH, 18), "BADTIME")
        self.assertEqual(mac_size, 32, "BADTIME is signed")

    def test_tsig_signed_axfr_every_message(self):
        # Unsigned: refused (no --allow-transfer here); signed with our key: allowed, every message signed
        # and chained (dnspython verifies each one).
        keyring = dns.tsigkeyring.from_text({"xfr-key.": ("hmac-sha256", TSIG_SECRET)})
        messages = list(dns.query.xfr(self.tcp[0], "bigxfr.test", port=self.tcp[1], keyring=keyring,
                                      keyname="xfr-key.", timeout=10, lifetime=30))
        self.assertGreater(len(messages), 1, "a multi-message transfer")
        for m in messages:
            self.assertTrue(m.had_tsig)
        records = sum(len(rrset) for m in messages for rrset in m.answer)
        self.assertGreaterEqual(records, 1500)
        out = dig(self.tcp, "-y", "hmac-sha256:xfr-key:" + TSIG_SECRET, "bigxfr.test", "AXFR")
        self.assertIn("t1499.bigxfr.test.", out)
        self.assertNotIn("failure", out.lower())

    def test_tsig_refusals_of_a_verified_request_are_signed(self):
        # RFC 8945 §5.3: the request verified, so the answer is signed even when policy refuses it; dnspython
        # checks each answer's MAC against the request's.
        keyring = dns.tsigkeyring.from_text({"xfr-key.": ("hmac-sha256", TSIG_SECRET)})
        for name, rdclass, rcode in (("nowhere.test", "IN", dns.rcode.NOTAUTH),
                                     ("bigxfr.test", "CH", dns.rcode.REFUSED)):
            q = dns.message.make_query(name, "AXFR", rdclass)
            q.use_tsig(keyring, keyname="xfr-key.")
            r = dns.query.tcp(q, self.tcp[0], port=self.tcp[1], timeout=5)
            self.assertEqual(r.rcode(), rcode, name)
            self.assertTrue(r.had_tsig, "a refused signed AXFR of %s %s is answered signed" % (rdclass, name))
        # A signed NOTIFY for a zone that is not a secondary here: NOTAUTH (RFC 1996 §3.10), signed.
        notify = dns.message.make_query("networkutopia.com", "SOA")
        notify.set_opcode(dns.opcode.NOTIFY)
        notify.flags &= ~dns.flags.RD
        notify.use_tsig(keyring, keyname="xfr-key.")
        r = dns.query.udp(notify, self.udp[0], port=self.udp[1], timeout=5)
        self.assertEqual(r.rcode(), dns.rcode.NOTAUTH)
        self.assertTrue(r.had_tsig)
        # A signed UPDATE (not implemented): NOTIMP, signed as well.
        update = dns.message.make_query("networkutopia.com", "SOA")
        update.set_opcode(dns.opcode.UPDATE)
        update.flags &= ~dns.flags.RD
        update.use_tsig(keyring, keyname="xfr-key.")
        r = dns.query.udp(update, self.udp[0], port=self.udp[1], timeout=5)
        self.assertEqual(r.rcode(), dns.rcode.NOTIMP)
        self.assertTrue(r.had_tsig, "a signed UPDATE's NOTIMP is signed")

    def test_notimp_to_an_edns_request_carries_an_opt(self):
        # RFC 6891 §6.1.1: dig +opcode=15 with EDNS; no "retry with +noedns" warning.
        q = dns.message.make_query("networkutopia.com", "SOA", use_edns=0)
        q.flags = 0
        wire = bytearray(q.to_wire())
        wire[2] = 15 << 3
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(bytes(wire), self.udp)
            data = s.recv(65535)
        self.assertEqual(data[2:4], bytes([0x80 | 15 << 3, dns.rcode.NOTIMP]), "QR, opcode and rcode only")
        self.assertEqual(struct.unpack("!H", data[10:12])[0], 1, "one additional record: the OPT")
        self.assertEqual(data[-11:-8], b"\x00\x00\x29", "root-owned OPT")


class TcpLimits(TestCase):
    def setUp(self):
        self.server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--idle-timeout", "0.3",
                              "--zone", os.path.join(ZONES, "networkutopia.com.zone")], wait_for=2)
        self.tcp = self.server.address("dns", "tcp")

    def tearDown(self):
        self.assertEqual(self.server.stop(), 0)
        self.server.__exit__()

    def test_idle_connection_is_closed(self):
        with socket.create_connection(self.tcp, timeout=10) as s:
            wire = dns.message.make_query("www.networkutopia.com", "A").to_wire()
            s.sendall(struct.pack("!H", len(wire)) + wire)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                chunk = s.recv(4096)
                self.assertTrue(chunk)
                data += chunk
            # Then silence: the server hangs up after --idle-timeout (RFC 7766 §6.2.3).
            self.assertEqual(s.recv(4096), b"")

    def test_a_message_shorter_than_a_header_closes_the_connection(self):
        with socket.create_connection(self.tcp, timeout=10) as s:
            s.sendall(b"\x00\x03abc")
            self.assertEqual(s.recv(4096), b"")

    def test_a_message_split_across_writes_is_reassembled(self):
        wire = dns.message.make_query("mail.networkutopia.com", "A", id=77).to_wire()
        framed = struct.pack("!H", len(wire)) + wire
        with socket.create_connection(self.tcp, timeout=10) as s:
            for i in range(len(framed)):
                s.sendall(framed[i:i + 1])
                time.sleep(0.001)
            head = s.recv(2)
            while len(head) < 2:
                head += s.recv(2 - len(head))
            n = struct.unpack("!H", head)[0]
            body = b""
            while len(body) < n:
                body += s.recv(n - len(body))
        m = dns.message.from_wire(body)
        self.assertEqual(m.id, 77)
        self.assertEqual(m.answer[0][0].to_text(), "212.212.71.5")


class ZoneTransfer(TestCase):
    def setUp(self):
        self.server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--allow-transfer", "127.0.0.0/8",
                              "--zone", os.path.join(ZONES, "networkutopia.com.zone")], wait_for=2)
        self.tcp = self.server.address("dns", "tcp")

    def tearDown(self):
        self.assertEqual(self.server.stop(), 0)
        self.server.__exit__()

    def test_dig_axfr_lists_the_zone_between_two_soas(self):
        out = dig(self.tcp, "networkutopia.com", "AXFR")
        records = [l for l in out.splitlines() if l and not l.startswith(";")]
        self.assertRegex(records[0], r"^networkutopia\.com\.\s+3600\s+IN\s+SOA")
        self.assertRegex(records[-1], r"^networkutopia\.com\.\s+3600\s+IN\s+SOA")
        text = "\n".join(records)
        self.assertRegex(text, r"ftp\.networkutopia\.com\.\s+3600\s+IN\s+CNAME\s+www\.networkutopia\.com\.")
        self.assertRegex(text, r"_http\._tcp\.networkutopia\.com\.\s+3600\s+IN\s+SRV\s+0 5 80 www")
        self.assertEqual(len(records), 13)  # the zone's 12 records, then the SOA again

    def test_dnspython_builds_the_same_zone(self):
        z = dns.zone.from_xfr(dns.query.xfr(self.tcp[0], "networkutopia.com", port=self.tcp[1], timeout=5))
        self.assertEqual(z.find_rdataset("www", "A")[0].to_text(), "212.212.71.4")
        self.assertEqual(z.find_rdataset("@", "SOA")[0].serial, 2024010101)
        self.assertEqual(z.find_rdataset("ftp", "CNAME")[0].to_text(), "www")
        self.server.wait_log(lambda r: r.get("msg") == "zone transfer" and r.get("zone") == "networkutopia.com.")

    def test_axfr_of_a_zone_not_served_is_notauth(self):
        with self.assertRaises(dns.xfr.TransferError) as e:
            dns.zone.from_xfr(dns.query.xfr(self.tcp[0], "example.org", port=self.tcp[1], timeout=5))
        self.assertEqual(e.exception.rcode, dns.rcode.NOTAUTH)


class Usage(TestCase):
    def test_nothing_to_serve_is_a_usage_error(self):
        r = run(["dns", "serve", "--listen", "127.0.0.1:0"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--zone", r.stderr)

    def test_broken_zone_file_names_file_and_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False) as f:
            f.write("$ORIGIN bad.\n@ 300 SOA ns hm 1 2 3 4 5\n@ 300 NS ns\nns 300 A 300.1.1.1\n")
        try:
            r = run(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", f.name])
            self.assertEqual(r.returncode, 1)
            self.assertIn(f.name + ":4", r.stderr)
        finally:
            os.unlink(f.name)

    def test_secondary_without_state_is_a_usage_error(self):
        r = run(["dns", "serve", "--listen", "127.0.0.1:0", "--secondary", "example.com=127.0.0.1:53"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--state", r.stderr)

    def test_bad_allow_transfer_block(self):
        r = run(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", os.path.join(ZONES, "com.zone"),
                 "--allow-transfer", "10.0.0.1/8"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("10.0.0.1/8", r.stderr)


class Trace(TestCase):
    def test_trace_prints_the_conversation(self):
        server = Server(["dns", "serve", "--listen", "127.0.0.1:0", "--trace",
                         "--zone", os.path.join(ZONES, "networkutopia.com.zone")], wait_for=2)
        try:
            udp_query(server.address("dns", "udp"), "www.networkutopia.com", "A")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "NOERROR aa" not in "\n".join(server.stdout_lines):
                time.sleep(0.05)
            text = "\n".join(server.stdout_lines)
            self.assertRegex(text, r"C: query id \d+ www\.networkutopia\.com\. IN A")
            self.assertRegex(text, r"S: NOERROR aa, 1 answer, 0 authority")
        finally:
            self.assertEqual(server.stop(), 0)
            server.__exit__()


class Identity(TestCase):
    """CH-class identity (RFC 4892): configured strings, REFUSED for other names and when disabled."""

    def test_identity_strings_and_refusals(self):
        with Server(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", os.path.join(ZONES, "com.zone"),
                     "--version-string", "test-version 1.2", "--identity", "ns-under-test"], wait_for=2) as s:
            addr = s.address("dns", "udp")
            self.assertIn('"test-version 1.2"', dig(addr, "version.bind", "CH", "TXT", "+short"))
            self.assertIn('"test-version 1.2"', dig(addr, "version.server", "CH", "TXT", "+short"))
            for name in ("hostname.bind", "id.server", "hostname.server"):
                self.assertIn('"ns-under-test"', dig(addr, name, "CH", "TXT", "+short"), name)
            self.assertIn("status: REFUSED", dig(addr, "other.bind", "CH", "TXT"))
            self.assertEqual(s.stop(), 0)
        with Server(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", os.path.join(ZONES, "com.zone"),
                     "--no-identity"], wait_for=2) as s:
            self.assertIn("status: REFUSED", dig(s.address("dns", "udp"), "version.bind", "CH", "TXT"))
            self.assertEqual(s.stop(), 0)
        with Server(["dns", "serve", "--listen", "127.0.0.1:0", "--zone", os.path.join(ZONES, "com.zone")],
                    wait_for=2) as s:
            self.assertIn('"endhost ', dig(s.address("dns", "udp"), "version.bind", "CH", "TXT", "+short"))
            self.assertEqual(s.stop(), 0)

