"""The mail queue and relay of `endhost mail serve`, end to end: an `endhost dns serve` with the zones crepes.fr
and hamburger.edu (MX to 127.0.0.1 names, crepes.fr's DKIM key and SPF), and two mail servers that relay to
each other by MX. A message for bob@hamburger.edu given to crepes.fr arrives once, with Received: from both,
crepes.fr's DKIM-Signature and an Authentication-Results saying dkim=pass; with the receiver down it waits in
the queue (`endhost mail queue` lists it with its error) until the receiver is back and the queue is flushed;
a 5xx gives the local sender a multipart/report bounce (and a bounce is never bounced); `mail queue delete`
removes a waiting message; a kill -9 of the sender loses nothing and delivers once after restart."""

import os
import re
import shutil
import signal
import socket
import smtplib
import tempfile
import threading
import time

from endhost_test import Server, TestCase, free_port, run
from mail_util import maildir_messages, parse, users_file

QUEUE_ID = re.compile(r"^([0-9A-F]{16}B?)\s", re.M)


def zone_text(origin, extra=""):
    return ("$ORIGIN %s.\n$TTL 60\n"
            "@    SOA ns1 hostmaster 1 3600 600 86400 60\n"
            "@    NS  ns1\n"
            "ns1  A   127.0.0.1\n"
            "@    MX  10 mx\n"
            "mx   A   127.0.0.1\n" % origin) + extra


def with_subject(messages, subject):
    """The raw messages (bytes) of a {name: bytes} Maildir listing whose Subject is subject."""
    return [raw for raw in messages.values() if parse(raw)["Subject"] == subject]


class Relay(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="endhost-mailq-")
        cls.crepes_dir = os.path.join(cls.base, "crepes")
        cls.hamburger_dir = os.path.join(cls.base, "hamburger")
        for d in (cls.crepes_dir, cls.hamburger_dir):
            os.makedirs(d)
        cls.crepes_mail = os.path.join(cls.crepes_dir, "mail")
        cls.hamburger_mail = os.path.join(cls.hamburger_dir, "mail")
        cls.crepes_users = users_file(cls.crepes_dir, {"alice": "alicepass"})
        cls.hamburger_users = users_file(cls.hamburger_dir, {"bob": "bobpass"})

        # crepes.fr's DKIM key before its server starts; its TXT line goes into the zone.
        r = run(["mail", "dkim-key", "--mail-dir", cls.crepes_mail, "--domain", "crepes.fr",
                 "--algorithm", "ed25519"])
        assert r.returncode == 0, r.stdout + r.stderr
        dkim_line = [l for l in r.stdout.splitlines() if "_domainkey" in l]
        assert dkim_line, r.stdout
        crepes_zone = os.path.join(cls.base, "crepes.fr.zone")
        with open(crepes_zone, "w") as f:
            f.write(zone_text("crepes.fr", '@    TXT "v=spf1 ip4:127.0.0.0/8 -all"\n' + dkim_line[0] + "\n"))
        hamburger_zone = os.path.join(cls.base, "hamburger.edu.zone")
        with open(hamburger_zone, "w") as f:
            f.write(zone_text("hamburger.edu", '@    TXT "v=spf1 ip4:127.0.0.0/8 -all"\n'))

        # a domain whose SPF policy allows no host at all: its mail fails SPF from anywhere
        spoof_zone = os.path.join(cls.base, "spoof.test.zone")
        with open(spoof_zone, "w") as f:
            f.write(zone_text("spoof.test", '@    TXT "v=spf1 -all"\n'))
        cls.dns_port = free_port()
        cls.dns = Server(["dns", "serve", "--listen", "127.0.0.1:%d" % cls.dns_port, "--threads", "1",
                          "--zone", crepes_zone, "--zone", hamburger_zone, "--zone", spoof_zone], wait_for=2)
        cls.crepes_port = free_port()
        cls.hamburger_port = free_port()
        while cls.hamburger_port == cls.crepes_port:
            cls.hamburger_port = free_port()
        cls.crepes = cls.start_crepes()
        cls.hamburger = cls.start_hamburger()

    @classmethod
    def common(cls):
        return ["--resolver", "127.0.0.1:%d" % cls.dns_port, "--retry-min", "1", "--retry-max", "2",
                "--queue-run-interval", "1", "--threads", "1", "--grace", "2"]

    @classmethod
    def start_crepes(cls):
        return Server(["mail", "serve", "--domain", "crepes.fr", "--mail-dir", cls.crepes_mail,
                       "--users", cls.crepes_users, "--listen", "127.0.0.1:%d" % cls.crepes_port,
                       "--submission-listen", "off", "--pop3", "off", "--imap", "off",
                       "--relay-from", "127.0.0.0/8", "--relay-port", str(cls.hamburger_port),
                       "--dkim-algorithm", "ed25519"] + cls.common())

    @classmethod
    def start_hamburger(cls):
        return Server(["mail", "serve", "--domain", "hamburger.edu", "--mail-dir", cls.hamburger_mail,
                       "--users", cls.hamburger_users, "--listen", "127.0.0.1:%d" % cls.hamburger_port,
                       "--submission-listen", "off", "--pop3", "off", "--imap", "off",
                       "--relay-port", str(cls.crepes_port)] + cls.common())

    @classmethod
    def tearDownClass(cls):
        codes = {}
        for name in ("crepes", "hamburger", "dns"):
            server = getattr(cls, name, None)
            if server is not None:
                codes[name] = server.stop()
                server.__exit__(None, None, None)
        shutil.rmtree(cls.base, ignore_errors=True)
        assert all(c == 0 for c in codes.values()), "exit codes: %s" % codes

    # --- helpers ---

    def setUp(self):
        # every test starts with both servers up and crepes.fr's queue empty
        if self.hamburger.proc.poll() is not None:
            self.restart_hamburger()
        if self.crepes.proc.poll() is not None:
            self.restart_crepes()
        self.wait_queue_empty()

    def stop_hamburger(self):
        code = self.hamburger.stop()
        self.hamburger.__exit__(None, None, None)
        self.assertEqual(code, 0, "hamburger.edu's server exited %s" % code)

    def restart_hamburger(self):
        type(self).hamburger = self.start_hamburger()

    def restart_crepes(self):
        type(self).crepes = self.start_crepes()

    def send(self, sender, rcpts, subject, port=None):
        body = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@crepes.fr>\r\n\r\nDo you like ketchup?\r\n"
                % (sender or "MAILER-DAEMON@crepes.fr", ", ".join(rcpts), subject,
                   subject.replace(" ", "-")))
        with smtplib.SMTP("127.0.0.1", port or self.crepes_port, timeout=10) as s:
            s.ehlo("client.crepes.fr")
            refused = s.sendmail(sender, rcpts, body)
            self.assertEqual(refused, {})

    def queue(self, *args):
        r = run(["mail", "queue", "--mail-dir", self.crepes_mail] + list(args))
        self.assertEqual(r.returncode, 0, "mail queue %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r.stdout

    def wait_queue(self, predicate, timeout=20, what="queue state"):
        deadline = time.monotonic() + timeout
        out = self.queue()
        while not predicate(out):
            if time.monotonic() > deadline:
                self.fail("%s not reached within %ss; `mail queue` says:\n%s" % (what, timeout, out))
            time.sleep(0.1)
            out = self.queue()
        return out

    def wait_queue_empty(self, timeout=20):
        return self.wait_queue(lambda out: "Mail queue is empty" in out, timeout, "empty queue")

    def wait_listed(self, rcpt, timeout=20, with_error=True):
        """Waits until rcpt is listed (with a last error in parentheses when with_error); returns the output."""
        def ok(out):
            if rcpt not in out:
                return False
            return not with_error or re.search(r"^\s+\(.+\)$", out, re.M) is not None
        return self.wait_queue(ok, timeout, "%s listed%s" % (rcpt, " with an error" if with_error else ""))

    def wait_mail(self, mail_dir, user, subject, count=1, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            got = with_subject(maildir_messages(mail_dir, user), subject)
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    # --- tests ---

    def test_1_relayed_by_mx_once_with_received_dkim_and_authentication_results(self):
        subject = "relay %d" % time.time_ns()
        self.send("alice@crepes.fr", ["bob@hamburger.edu"], subject)
        got = self.wait_mail(self.hamburger_mail, "bob", subject)
        self.assertEqual(len(got), 1, "bob's new/: %s" % list(maildir_messages(self.hamburger_mail, "bob")))
        self.wait_queue_empty()
        self.assertEqual(len(with_subject(maildir_messages(self.hamburger_mail, "bob"), subject)), 1)
        raw = got[0]
        msg = parse(raw)
        received = [str(v) for v in msg.get_all("Received", [])]
        self.assertTrue(any("by hamburger.edu" in r for r in received), received)
        self.assertTrue(any("by crepes.fr" in r for r in received), received)
        self.assertTrue(raw.startswith(b"Return-Path: <alice@crepes.fr>\r\n"), raw[:200])
        sigs = [str(v) for v in msg.get_all("DKIM-Signature", [])]
        self.assertTrue(sigs, raw[:2000])
        self.assertTrue(any(re.search(r"\bd=crepes\.fr\b", s) for s in sigs), sigs)
        self.assertTrue(any(re.search(r"\bs=endhost\b", s) for s in sigs), sigs)
        ar = [str(v) for v in msg.get_all("Authentication-Results", [])]
        self.assertTrue(ar, raw[:2000])
        self.assertTrue(any(a.startswith("hamburger.edu") for a in ar), ar)
        self.assertTrue(any(re.search(r"\bdkim=pass\b", a) for a in ar), ar)
        self.assertTrue(any(re.search(r"\bspf=pass\b", a) for a in ar), ar)
        self.assertIn(b"Do you like ketchup?", raw)

    def test_2_receiver_down_waits_then_flush_delivers(self):
        self.stop_hamburger()
        subject = "waits %d" % time.time_ns()
        self.send("alice@crepes.fr", ["bob@hamburger.edu"], subject)
        out = self.wait_listed("bob@hamburger.edu")
        ids = QUEUE_ID.findall(out)
        self.assertEqual(len(ids), 1, out)
        self.assertIn("alice@crepes.fr", out)
        self.assertRegex(out, r"bob@hamburger\.edu\s+\[attempts \d+, next try", out)
        self.assertIn("-- 1 Kbytes in 1 Request.", out)
        self.assertEqual(with_subject(maildir_messages(self.hamburger_mail, "bob"), subject), [])
        self.restart_hamburger()
        flushed = self.queue("flush")
        self.assertIn("is due now", flushed)
        got = self.wait_mail(self.hamburger_mail, "bob", subject, timeout=10)
        self.assertEqual(len(got), 1, got)
        # crepes.fr's Received: names the mail by the id its queue listed (RFC 5321 §4.4 "id")
        received = [" ".join(str(v).split()) for v in parse(got[0]).get_all("Received", [])]
        self.assertTrue(any("by crepes.fr" in r and (" id %s " % ids[0]) in r for r in received),
                        (ids, received))
        self.wait_queue_empty(timeout=10)
        self.assertEqual(len(with_subject(maildir_messages(self.hamburger_mail, "bob"), subject)), 1)

    def test_3_unknown_user_bounces_to_the_local_sender_once(self):
        subject = "bounce %d" % time.time_ns()
        before = set(maildir_messages(self.crepes_mail, "alice"))
        self.send("alice@crepes.fr", ["nobody@hamburger.edu"], subject)
        deadline = time.monotonic() + 20
        new = {}
        while time.monotonic() < deadline:
            new = {k: v for k, v in maildir_messages(self.crepes_mail, "alice").items() if k not in before}
            if new:
                break
            time.sleep(0.05)
        self.assertEqual(len(new), 1, "alice's new/: %s" % list(new))
        self.wait_queue_empty()
        raw = next(iter(new.values()))
        msg = parse(raw)
        self.assertEqual(msg.get_content_type(), "multipart/report", raw[:1500])
        self.assertEqual(msg.get_param("report-type"), "delivery-status")
        self.assertIn("MAILER-DAEMON@", str(msg["From"]))
        self.assertEqual(str(msg["Auto-Submitted"]), "auto-replied")
        text = raw.decode("utf-8", "replace")
        self.assertIn("Final-Recipient: rfc822; nobody@hamburger.edu", text)
        self.assertIn("Action: failed", text)
        self.assertRegex(text, r"Status: 5\.\d+\.\d+")
        self.assertRegex(text, r"Diagnostic-Code: smtp; 550")
        self.assertIn(subject, text)  # the original (or its headers) comes back
        # nothing more: no second bounce, nothing queued, nothing to postmaster@hamburger.edu
        self.assertEqual(len({k for k in maildir_messages(self.crepes_mail, "alice") if k not in before}), 1)

        # a bounce (sender <>) that fails is recorded, never bounced
        before = set(maildir_messages(self.crepes_mail, "alice"))
        subject = "no bounce of a bounce %d" % time.time_ns()
        self.send("", ["nobody@hamburger.edu"], subject)
        self.wait_queue_empty()
        self.assertEqual({k for k in maildir_messages(self.crepes_mail, "alice") if k not in before}, set())
        self.assertEqual([n for n in os.listdir(os.path.join(self.crepes_mail, "queue"))
                          if n.endswith(".env") or n.endswith(".msg")], [])
        # delivered into a mailbox, the bounce gets its envelope sender in Return-Path, as every final
        # delivery does (RFC 5321 §4.4; RFC 3464 §2: a DSN's is <>)
        self.assertTrue(raw.startswith(b"Return-Path: <>\r\n"), raw[:200])

    def test_4_queue_delete_removes_a_waiting_message(self):
        self.stop_hamburger()
        subject = "delete %d" % time.time_ns()
        self.send("alice@crepes.fr", ["bob@hamburger.edu"], subject)
        out = self.wait_listed("bob@hamburger.edu", with_error=False)
        ids = QUEUE_ID.findall(out)
        self.assertEqual(len(ids), 1, out)
        removed = self.queue("delete", ids[0])
        self.assertIn("%s: removed" % ids[0], removed)
        self.assertIn("Mail queue is empty", self.queue())
        queue_dir = os.path.join(self.crepes_mail, "queue")
        self.assertEqual([n for n in os.listdir(queue_dir) if n.startswith(ids[0])], [])
        r = run(["mail", "queue", "--mail-dir", self.crepes_mail, "delete", ids[0]])
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)  # already gone
        # the receiver back: the deleted message never arrives
        self.restart_hamburger()
        self.queue("flush")
        probe = "after delete %d" % time.time_ns()
        self.send("alice@crepes.fr", ["bob@hamburger.edu"], probe)
        self.assertEqual(len(self.wait_mail(self.hamburger_mail, "bob", probe)), 1)
        self.wait_queue_empty()
        self.assertEqual(with_subject(maildir_messages(self.hamburger_mail, "bob"), subject), [])

    def test_5_kill_9_of_the_sender_loses_nothing(self):
        self.stop_hamburger()
        subject = "kill -9 %d" % time.time_ns()
        self.send("alice@crepes.fr", ["bob@hamburger.edu"], subject)
        out = self.wait_listed("bob@hamburger.edu")
        ids = QUEUE_ID.findall(out)
        self.assertEqual(len(ids), 1, out)
        self.crepes.stop(signal.SIGKILL)
        self.crepes.__exit__(None, None, None)
        self.restart_crepes()
        out = self.queue()
        self.assertEqual(QUEUE_ID.findall(out), ids, out)
        self.assertIn("bob@hamburger.edu", out)
        self.restart_hamburger()
        got = self.wait_mail(self.hamburger_mail, "bob", subject, timeout=15)
        self.assertEqual(len(got), 1, got)
        self.wait_queue_empty()
        self.assertEqual(len(with_subject(maildir_messages(self.hamburger_mail, "bob"), subject)), 1)

    def test_6_kill_9_while_the_receiver_holds_the_data_loses_nothing(self):
        """kill -9 of the sender mid-delivery: the receiver has the whole DATA but has not answered it, so the
        message is not delivered as far as the sender knows, and after a restart it goes again, once."""
        self.stop_hamburger()
        stalled = threading.Event()
        release = threading.Event()
        got_data = []
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.hamburger_port))
        listener.listen(4)
        listener.settimeout(30)

        def stalling_receiver():
            # A minimal RFC 5321 server (no extensions, so the sender sends one command at a time) that reads
            # the message and then never gives the final 250.
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.settimeout(30)
            f = conn.makefile("rb")
            conn.sendall(b"220 mx.hamburger.edu ESMTP stalling\r\n")
            try:
                while True:
                    line = f.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 mx.hamburger.edu\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        body = b""
                        while not body.endswith(b"\r\n.\r\n"):
                            chunk = f.readline()
                            if not chunk:
                                return
                            body += chunk
                        got_data.append(body)
                        stalled.set()
                        release.wait(20)  # holding the reply until the sender is gone
                        return
                    else:
                        conn.sendall(b"250 ok\r\n")
            except OSError:
                return
            finally:
                conn.close()

        t = threading.Thread(target=stalling_receiver, daemon=True)
        t.start()
        subject = "kill -9 mid-delivery %d" % time.time_ns()
        try:
            self.send("alice@crepes.fr", ["bob@hamburger.edu"], subject)
            self.assertTrue(stalled.wait(20), "crepes.fr never delivered to the stalling receiver")
            self.assertIn(subject.encode(), got_data[0])
            self.crepes.stop(signal.SIGKILL)
            self.crepes.__exit__(None, None, None)
        finally:
            release.set()
            t.join(5)
            listener.close()
        self.restart_crepes()
        out = self.queue()
        self.assertIn("bob@hamburger.edu", out)  # still queued: the receiver never said 250
        self.restart_hamburger()
        self.queue("flush")
        got = self.wait_mail(self.hamburger_mail, "bob", subject, timeout=15)
        self.assertEqual(len(got), 1, got)
        self.wait_queue_empty()
        self.assertEqual(len(with_subject(maildir_messages(self.hamburger_mail, "bob"), subject)), 1)

    def test_7_a_mistyped_mail_dir_is_an_error_not_an_empty_queue(self):
        typo = os.path.join(self.base, "crepes", "mial")
        r = run(["mail", "queue", "--mail-dir", typo])
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("holds no mail queue", r.stderr)
        self.assertFalse(os.path.exists(typo), "`mail queue` created %s" % typo)

    def test_8_postmaster_is_accepted_without_a_user_of_that_name(self):
        # RFC 5321 §4.5.1: hamburger.edu has no --postmaster and no such user, and still takes the mail.
        subject = "to postmaster %d" % time.time_ns()
        with smtplib.SMTP("127.0.0.1", self.hamburger_port, timeout=10) as s:
            s.ehlo("client.crepes.fr")
            refused = s.sendmail("alice@crepes.fr", ["postmaster@hamburger.edu"],
                                 "From: alice@crepes.fr\r\nSubject: %s\r\n\r\nhello\r\n" % subject)
            self.assertEqual(refused, {})
        self.assertEqual(len(self.wait_mail(self.hamburger_mail, "postmaster", subject)), 1)

    def test_9_dkim_key_defaults_to_rsa_like_the_server(self):
        mail_dir = os.path.join(self.base, "dkim-default")
        r = run(["mail", "dkim-key", "--mail-dir", mail_dir, "--domain", "example.org"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("k=rsa", r.stdout)
        self.assertIn("(rsa", r.stderr)
        # asked again for ed25519, the key is kept (and it says so)
        r = run(["mail", "dkim-key", "--mail-dir", mail_dir, "--domain", "example.org", "--algorithm", "ed25519"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("k=rsa", r.stdout)
        self.assertIn("kept the existing", r.stderr)

    def test_10_spf_reject_refuses_with_5_7_23_and_keeps_nothing(self):
        strict_dir = os.path.join(self.base, "strict")
        os.makedirs(strict_dir, exist_ok=True)
        mail_dir = os.path.join(strict_dir, "mail")
        users = users_file(strict_dir, {"bob": "bobpass"})
        port = free_port()
        with Server(["mail", "serve", "--domain", "hamburger.edu", "--mail-dir", mail_dir, "--users", users,
                     "--listen", "127.0.0.1:%d" % port, "--submission-listen", "off", "--pop3", "off", "--imap", "off", "--spf-reject",
                     "--resolver", "127.0.0.1:%d" % self.dns_port, "--threads", "1"]) as strict:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
                s.ehlo("client.spoof.test")
                with self.assertRaises(smtplib.SMTPDataError) as refused:
                    s.sendmail("eve@spoof.test", ["bob@hamburger.edu"], "Subject: spoofed\r\n\r\nx\r\n")
                self.assertEqual(refused.exception.smtp_code, 550)
                self.assertIn(b"5.7.23", refused.exception.smtp_error)
                # mail from a domain that allows 127.0.0.0/8 still goes in
                self.assertEqual(s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                                            "Subject: allowed\r\n\r\nx\r\n"), {})
            self.assertEqual(len(self.wait_mail(mail_dir, "bob", "allowed")), 1)
            self.assertEqual(with_subject(maildir_messages(mail_dir, "bob"), "spoofed"), [])
            self.assertEqual(strict.stop(), 0)
