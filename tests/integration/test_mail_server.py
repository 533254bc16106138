"""`endhost mail serve` with independent clients (issue 11 §1 and §5): python's smtplib and swaks deliver into
Maildirs (Return-Path and Received added, dot-stuffing undone), the textbook's session comes out of --trace,
unknown users get 550 at RCPT, open-relay attempts are refused, bare LF / CR and `<LF>.<LF>` smuggling never
end a message or deliver anything, pipelining abuse and talking before the greeting are refused, the limits
(SIZE, message size, recipients, errors) hold, AUTH PLAIN/LOGIN over loopback, STARTTLS with commands
injected behind it dropped, submission needs AUTH, kill -9 during DATA delivers nothing and after the 250
exactly once; `endhost mail adduser` writes a users file the server reads."""

import os
import shutil
import signal
import smtplib
import ssl
import subprocess
import tempfile
import time
import unittest

from endhost_test import TestCase, run
from mail_util import (MailTestCase, Smtp, maildir_messages, parse, ports, start_mail, swaks, users_file,
                       wait_messages)
from test_tls_serve import Pki, tls_args

TEXTBOOK = [
    "HELO crepes.fr",
    "MAIL FROM: <alice@crepes.fr>",
    "RCPT TO: <bob@hamburger.edu>",
    "DATA",
]


class LocalDelivery(MailTestCase):
    DOMAINS = ["hamburger.edu", "crepes.fr"]
    USERS = {"bob": "bobpass", "alice@crepes.fr": "alicepass", "root": "rootpass"}
    EXTRA = ["--trace", "--postmaster", "root", "--max-message-size", "64K", "--max-recipients", "5",
             "--max-errors", "3"]

    def test_smtplib_delivers_into_bobs_maildir(self):
        self.clear("bob")
        body = ("From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: ketchup\r\n\r\n"
                "Do you like ketchup?\r\n.leading dot\r\nHow about pickles?\r\n")
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.ehlo("crepes.fr")
            refused = s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], body)
            self.assertEqual(refused, {})
        got = wait_messages(self.mail_dir, "bob", 1)
        self.assertEqual(len(got), 1, got)
        name, raw = next(iter(got.items()))
        self.assertRegex(name, r"^\d+\.M\d+P\d+Q\d+\.[^,/]+,S=%d$" % len(raw))
        self.assertTrue(raw.startswith(b"Return-Path: <alice@crepes.fr>\r\nReceived: from crepes.fr"), raw[:200])
        self.assertIn(b"by hamburger.edu with ESMTP id ", raw)
        self.assertIn(b"for <bob@hamburger.edu>", raw)
        # smtplib stuffs the leading dot; the server takes it off again (RFC 5321 §4.5.2).
        self.assertTrue(raw.endswith(b"Do you like ketchup?\r\n.leading dot\r\nHow about pickles?\r\n"), raw)
        msg = parse(raw)
        self.assertEqual(msg["Subject"], "ketchup")
        mode = os.stat(os.path.join(self.mail_dir, "users", "bob", "new", name)).st_mode & 0o777
        self.assertEqual(mode, 0o600)
        self.assertEqual(os.listdir(os.path.join(self.mail_dir, "users", "bob", "tmp")), [])

    def test_textbook_session_in_the_trace(self):
        self.clear("bob")
        c = Smtp(self.port)
        self.assertTrue(c.greeting.startswith("220 hamburger.edu"), c.greeting)
        for line in TEXTBOOK[:-1]:
            self.assertTrue(c.cmd(line).startswith("250"), line)
        self.assertTrue(c.cmd("DATA").startswith("354"))
        c.send("Do you like ketchup?\r\nHow about pickles?\r\n.\r\n")
        self.assertTrue(c.reply().startswith("250"))
        self.assertTrue(c.cmd("QUIT").startswith("221"))
        self.assertTrue(c.closed())
        stored = wait_messages(self.mail_dir, "bob", 1)
        self.assertEqual(len(stored), 1)
        # The textbook's message has no header section: it gets an empty one, so the Received: the server
        # puts in front ends at a blank line and the first line stays body (RFC 5322 §3.5).
        raw = next(iter(stored.values()))
        self.assertIn(b"\r\n\r\nDo you like ketchup?\r\nHow about pickles?\r\n", raw)
        self.assertEqual(sorted(set(parse(raw).keys())), ["Authentication-Results", "Received", "Return-Path"], raw)
        expected = ["S: 220 hamburger.edu", "C: HELO crepes.fr", "S: 250", "C: MAIL FROM: <alice@crepes.fr>",
                    "S: 250", "C: RCPT TO: <bob@hamburger.edu>", "S: 250", "C: DATA", "S: 354",
                    "C: Do you like ketchup?", "C: How about pickles?", "C: .", "S: 250", "C: QUIT", "S: 221"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lines = [l for l in self.server.stdout_lines if " C: " in l or " S: " in l]
            text = [l[l.index(" C: ") + 1:] if " C: " in l else l[l.index(" S: ") + 1:] for l in lines]
            # the last session's lines, from its greeting on
            starts = [i for i, t in enumerate(text) if t.startswith("S: 220 ")]
            if starts:
                mine = text[starts[-1]:]
                if len(mine) >= len(expected):
                    break
            time.sleep(0.05)
        for want, got in zip(expected, mine):
            self.assertTrue(got.startswith(want), "%r does not start with %r in %s" % (got, want, mine))
        self.assertIn("hamburger.edu closing connection", mine[len(expected) - 1])

    def test_full_address_user_and_postmaster(self):
        for u in ("alice@crepes.fr", "root"):
            self.clear(u)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.sendmail("bob@hamburger.edu", ["Alice@CREPES.fr", "postmaster@hamburger.edu"], "Subject: x\r\n\r\nx\r\n")
        self.assertEqual(len(wait_messages(self.mail_dir, "alice@crepes.fr", 1)), 1)
        self.assertEqual(len(wait_messages(self.mail_dir, "root", 1)), 1)

    def test_unknown_user_gets_550_at_rcpt(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.ehlo("crepes.fr")
            s.mail("alice@crepes.fr")
            code, text = s.rcpt("nobody@hamburger.edu")
            self.assertEqual(code, 550, text)
            self.assertIn(b"5.1.1", text)
            code, text = s.rcpt("alice@hamburger.edu")  # alice is only alice@crepes.fr
            self.assertEqual(code, 550, text)

    def test_open_relay_is_refused(self):
        before = os.listdir(os.path.join(self.mail_dir, "queue"))
        r = swaks("--server", "127.0.0.1:%d" % self.port, "--from", "spammer@example.org", "--to",
                  "victim@example.com", "--helo", "spam.example")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("554 5.7.1 <victim@example.com>: Relay access denied", r.stdout)
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.mail("alice@crepes.fr")
            code, text = s.rcpt("victim@example.com")
            self.assertGreaterEqual(code, 500, text)
        self.assertEqual(os.listdir(os.path.join(self.mail_dir, "queue")), before)

    def test_swaks_with_pipelining(self):
        self.clear("bob")
        r = swaks("--server", "127.0.0.1:%d" % self.port, "--from", "alice@crepes.fr", "--to", "bob@hamburger.edu",
                  "--pipeline", "--helo", "crepes.fr")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(wait_messages(self.mail_dir, "bob", 1)), 1)

    def test_ehlo_extensions(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            code, _ = s.ehlo("crepes.fr")
            self.assertEqual(code, 250)
            for ext in ("pipelining", "size", "8bitmime", "enhancedstatuscodes", "smtputf8", "chunking", "auth"):
                self.assertTrue(s.has_extn(ext), (ext, s.esmtp_features))
            self.assertEqual(s.esmtp_features["size"], str(64 * 1024))
            self.assertFalse(s.has_extn("starttls"), "no certificate: no STARTTLS")
            code, _ = s.verify("bob")
            self.assertEqual(code, 252)

    def test_size_limits(self):
        self.clear("bob")
        c = Smtp(self.port)
        c.cmd("EHLO crepes.fr")
        self.assertTrue(c.cmd("MAIL FROM:<alice@crepes.fr> SIZE=1000000").startswith("552"))
        self.assertTrue(c.cmd("MAIL FROM:<alice@crepes.fr>").startswith("250"))
        self.assertTrue(c.cmd("RCPT TO:<bob@hamburger.edu>").startswith("250"))
        self.assertTrue(c.cmd("DATA").startswith("354"))
        c.send(("x" * 70 + "\r\n") * 2000 + ".\r\n")  # 144 KB > 64K
        self.assertTrue(c.reply().startswith("552"))
        self.assertTrue(c.cmd("QUIT").startswith("221"))
        time.sleep(0.3)
        self.assertEqual(self.messages("bob"), {}, "nothing of a refused message is delivered")

    def test_too_many_recipients(self):
        c = Smtp(self.port)
        c.cmd("EHLO crepes.fr")
        c.cmd("MAIL FROM:<alice@crepes.fr>")
        rcpts = ["bob@hamburger.edu", "bob@crepes.fr", "alice@crepes.fr", "root@hamburger.edu", "root@crepes.fr",
                 "postmaster@crepes.fr"]
        codes = [c.cmd("RCPT TO:<%s>" % r)[:3] for r in rcpts]
        self.assertEqual(codes[:5], ["250"] * 5)
        self.assertEqual(codes[5], "452")
        c.close()

    def test_bare_lf_and_smuggling_deliver_nothing(self):
        self.clear("bob")
        c = Smtp(self.port)
        c.cmd("EHLO crepes.fr")
        c.cmd("MAIL FROM:<alice@crepes.fr>")
        c.cmd("RCPT TO:<bob@hamburger.edu>")
        self.assertTrue(c.cmd("DATA").startswith("354"))
        # <LF>.<LF> must not end the message; what follows it must not run as commands.
        c.send("Subject: first\r\n\r\nhello\n.\nMAIL FROM:<forged@hamburger.edu>\r\nRCPT TO:<bob@hamburger.edu>\r\n"
               "DATA\r\nSubject: smuggled\r\n\r\n.\r\n")
        reply = c.reply()
        self.assertTrue(reply.startswith("550") or reply.startswith("554") or reply.startswith("500"), reply)
        c.close()
        time.sleep(0.3)
        for raw in self.messages("bob").values():
            self.assertNotIn(b"smuggled", raw)
        self.assertEqual(self.messages("bob"), {})
        c = Smtp(self.port)
        reply = c.cmd("EHLO crepes.fr\nMAIL FROM:<a@b>")  # a bare LF in a command line
        self.assertTrue(reply.startswith("500"), reply)
        c.close()

    def test_talking_before_the_greeting_is_refused(self):
        c = Smtp(self.port, read_greeting=False)
        c.send("EHLO spam.example\r\nMAIL FROM:<a@example.org>\r\n")
        reply = c.reply()
        # Refused before the 220 when the bytes were there in time; else the pipelined MAIL behind EHLO (which
        # ends a group) is refused the same way.
        if reply.startswith("220"):
            reply = c.reply()
        self.assertTrue(reply.startswith("554"), reply)
        self.assertTrue(c.closed())

    def test_pipelining_past_data_is_refused(self):
        c = Smtp(self.port)
        c.cmd("EHLO crepes.fr")
        # DATA ends a group (RFC 2920 §3.1): the body must wait for the 354.
        c.send("MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\n")
        replies = [c.reply() for _ in range(3)]
        self.assertTrue(replies[0].startswith("250") and replies[1].startswith("250"), replies)
        self.assertTrue(replies[2].startswith("554"), replies)
        self.assertTrue(c.closed())

    def test_junk_is_disconnected_after_repeated_errors(self):
        c = Smtp(self.port)
        replies = []
        try:
            for _ in range(6):
                replies.append(c.cmd("FOO bar"))
        except (EOFError, ConnectionResetError, BrokenPipeError):
            pass
        self.assertRegex(replies[0], r"^50[02] ", replies)  # 502: not recognized (RFC 5321 §4.2.4)
        self.assertTrue(any(r.startswith("421") for r in replies), replies)
        self.assertTrue(c.closed())

    def bdat(self, *chunks):
        """One BDAT transaction to bob of these chunks (the last with LAST); returns bob's one new message."""
        self.clear("bob")
        c = Smtp(self.port)
        c.cmd("EHLO crepes.fr")
        c.cmd("MAIL FROM:<alice@crepes.fr>")
        c.cmd("RCPT TO:<bob@hamburger.edu>")
        for k, chunk in enumerate(chunks):
            last = b" LAST" if k == len(chunks) - 1 else b""
            c.send(b"BDAT %d%s\r\n" % (len(chunk), last) + chunk)
            self.assertTrue(c.reply().startswith("250"))
        c.cmd("QUIT")
        got = wait_messages(self.mail_dir, "bob", 1)
        self.assertEqual(len(got), 1)
        return next(iter(got.values()))

    def test_bdat(self):
        first = b"Subject: chunks\r\n\r\n"
        last = b"one\r\ntwo\r\n"
        self.assertTrue(self.bdat(first, last).endswith(first + last))
        # bare LFs in a chunk are stored as the CRLF lines DATA would have given (RFC 3030 §3)
        stored = self.bdat(b"Subject: bare\n\none\ntwo")
        self.assertTrue(stored.endswith(b"\r\nSubject: bare\r\n\r\none\r\ntwo\r\n"), stored)

    def test_auth_plain_and_login_on_loopback(self):
        for mech in ("PLAIN", "LOGIN"):
            with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
                s.ehlo("crepes.fr")
                s.user, s.password = "bob", "bobpass"
                code, _ = s.auth(mech, getattr(s, "auth_" + mech.lower()))
                self.assertEqual(code, 235, mech)
            with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
                s.ehlo("crepes.fr")
                s.user, s.password = "bob", "wrong"
                with self.assertRaises(smtplib.SMTPAuthenticationError):
                    s.auth(mech, getattr(s, "auth_" + mech.lower()))
        r = swaks("--server", "127.0.0.1:%d" % self.port, "--from", "bob@hamburger.edu", "--to",
                  "bob@hamburger.edu", "--auth", "PLAIN", "--auth-user", "bob", "--auth-password", "bobpass")
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_passwords_never_in_the_trace(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.ehlo("crepes.fr")
            s.login("bob", "bobpass")
        time.sleep(0.2)
        joined = "\n".join(self.server.stdout_lines)
        import base64
        self.assertNotIn(base64.b64encode(b"\0bob\0bobpass").decode(), joined)
        self.assertNotIn("bobpass", joined)


class TlsAndSubmission(MailTestCase):
    DOMAINS = ["crepes.fr"]
    USERS = {"alice": "alicepass"}

    @classmethod
    def server_args(cls):
        cls.pki = Pki()
        cert, key = cls.pki.leaf("mail", ["mail.crepes.fr"])
        cls.sub_port_wanted = 0
        return tls_args((cert, key)) + ["--submission-listen", "127.0.0.1:0", "--hostname", "mail.crepes.fr"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.pki.close()

    def test_starttls_then_auth_and_send(self):
        self.clear("alice")
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            s.ehlo("client.example")
            self.assertTrue(s.has_extn("starttls"))
            s.starttls(context=self.pki.client_context())
            s.ehlo("client.example")
            self.assertFalse(s.has_extn("starttls"), "STARTTLS once only")
            s.login("alice", "alicepass")
            s.sendmail("alice@crepes.fr", ["alice@crepes.fr"], "Subject: tls\r\n\r\nover tls\r\n")
        got = wait_messages(self.mail_dir, "alice", 1)
        self.assertEqual(len(got), 1)
        self.assertIn(b"with ESMTPSA", next(iter(got.values())))

    def test_swaks_starttls(self):
        r = swaks("--server", "127.0.0.1:%d" % self.port, "--tls", "--from", "x@example.org", "--to",
                  "alice@crepes.fr")
        if "requires Net::SSLeay" in r.stdout + r.stderr:
            self.skipTest("swaks without Net::SSLeay (libnet-ssleay-perl) cannot STARTTLS")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_commands_injected_behind_starttls_are_refused(self):
        # CVE-2011-0411: a command pipelined behind STARTTLS must never run as if it came over TLS. STARTTLS
        # ends a group (RFC 2920 §3.1), so the client broke the rule: 554 and close, no handshake.
        c = Smtp(self.port)
        c.cmd("EHLO client.example")
        c.send("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
        reply = c.reply()
        self.assertTrue(reply.startswith("554"), reply)
        self.assertTrue(c.closed())

    def test_submission_needs_auth(self):
        sub = self.ports[1]
        with smtplib.SMTP("127.0.0.1", sub, timeout=10) as s:
            s.ehlo("client.example")
            code, text = s.mail("alice@crepes.fr")
            self.assertEqual(code, 530, text)
        with smtplib.SMTP("127.0.0.1", sub, timeout=10) as s:
            s.ehlo("client.example")
            s.login("alice", "alicepass")
            s.sendmail("alice@crepes.fr", ["alice@crepes.fr"], "Subject: sub\r\n\r\nsub\r\n")


class RelayThroughTheQueue(TestCase):
    """crepes.fr's server takes mail for hamburger.edu from a --relay-from peer, queues it and relays it to
    hamburger.edu's server (--relay-host: no DNS needed), which puts it into bob's Maildir."""

    def test_relay_to_another_server(self):
        base = tempfile.mkdtemp(prefix="endhost-mail-relay-")
        servers = []
        try:
            bob_dir = os.path.join(base, "bob-mail")
            bob_users = users_file(base, {"bob": "x"})
            bob = start_mail(bob_dir, ["hamburger.edu"], "--users", bob_users)
            servers.append(bob)
            bob_port = ports(bob)[0]
            alice_dir = os.path.join(base, "alice-mail")
            alice = start_mail(alice_dir, ["crepes.fr"], "--relay-from", "127.0.0.0/8", "--relay-host",
                               "127.0.0.1:%d" % bob_port, "--retry-min", "1", "--queue-run-interval", "1",
                               "--trace")
            servers.append(alice)
            alice_port = ports(alice)[0]
            with smtplib.SMTP("127.0.0.1", alice_port, timeout=10) as s:
                s.ehlo("client.crepes.fr")
                s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], "Subject: relayed\r\n\r\nvia the queue\r\n")
            got = wait_messages(bob_dir, "bob", 1, timeout=20)
            self.assertEqual(len(got), 1, "\n".join(alice.stdout_lines[-40:]))
            raw = next(iter(got.values()))
            self.assertIn(b"Subject: relayed", raw)
            self.assertEqual(raw.count(b"Return-Path:"), 1, raw)  # only the final delivery's
            self.assertGreaterEqual(raw.count(b"Received:"), 2, raw)  # both hops
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(n.endswith(".env") for n in os.listdir(os.path.join(alice_dir, "queue"))):
                time.sleep(0.05)
            self.assertFalse([n for n in os.listdir(os.path.join(alice_dir, "queue")) if n.endswith(".env")],
                             "delivered mail leaves the queue")
        finally:
            for srv in servers:
                code = srv.stop()
                srv.__exit__(None, None, None)
                self.assertEqual(code, 0)
            shutil.rmtree(base, ignore_errors=True)


class CrashDuringData(TestCase):
    """kill -9 during DATA delivers nothing; after the 250 the message is there exactly once."""

    def test_kill_during_and_after_data(self):
        base = tempfile.mkdtemp(prefix="endhost-mail-crash-")
        try:
            mail_dir = os.path.join(base, "mail")
            users = users_file(base, {"bob": "x"})
            server = start_mail(mail_dir, ["hamburger.edu"], "--users", users)
            port = ports(server)[0]
            c = Smtp(port)
            c.cmd("EHLO crepes.fr")
            c.cmd("MAIL FROM:<alice@crepes.fr>")
            c.cmd("RCPT TO:<bob@hamburger.edu>")
            self.assertTrue(c.cmd("DATA").startswith("354"))
            c.send("Subject: half\r\n\r\n" + "half a message\r\n" * 100)
            time.sleep(0.2)
            server.stop(signal.SIGKILL)
            server.__exit__(None, None, None)
            self.assertEqual(maildir_messages(mail_dir, "bob"), {})
            self.assertEqual(maildir_messages(mail_dir, "bob", "tmp"), {})

            server = start_mail(mail_dir, ["hamburger.edu"], "--users", users)
            port = ports(server)[0]
            c = Smtp(port)
            c.cmd("EHLO crepes.fr")
            c.cmd("MAIL FROM:<alice@crepes.fr>")
            c.cmd("RCPT TO:<bob@hamburger.edu>")
            c.cmd("DATA")
            c.send("Subject: whole\r\n\r\nwhole\r\n.\r\n")
            self.assertTrue(c.reply().startswith("250"))
            server.stop(signal.SIGKILL)
            server.__exit__(None, None, None)
            got = maildir_messages(mail_dir, "bob")
            self.assertEqual(len(got), 1)
            self.assertIn(b"Subject: whole", next(iter(got.values())))
            server = start_mail(mail_dir, ["hamburger.edu"], "--users", users)
            time.sleep(0.3)
            self.assertEqual(len(maildir_messages(mail_dir, "bob")), 1, "nothing delivered twice after restart")
            self.assertEqual(server.stop(), 0)
            server.__exit__(None, None, None)
        finally:
            shutil.rmtree(base, ignore_errors=True)


class AddUser(TestCase):
    def test_adduser_writes_a_file_the_server_reads(self):
        base = tempfile.mkdtemp(prefix="endhost-mail-adduser-")
        try:
            users = os.path.join(base, "users.txt")
            mail_dir = os.path.join(base, "mail")
            r = run(["mail", "adduser", "--users", users, "--mail-dir", mail_dir, "carol"], input="carolpass\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(os.stat(users).st_mode & 0o777, 0o600)
            self.assertTrue(os.path.isdir(os.path.join(mail_dir, "users", "carol", "new")))
            r = run(["mail", "adduser", "--users", users, "carol"], input="again\n")
            self.assertNotEqual(r.returncode, 0)
            r = run(["mail", "adduser", "--users", users, "a/b"], input="x\n")
            self.assertNotEqual(r.returncode, 0)
            server = start_mail(mail_dir, ["example.net"], "--users", users)
            port = ports(server)[0]
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
                s.login("carol", "carolpass")
                s.sendmail("carol@example.net", ["carol@example.net"], "Subject: me\r\n\r\nme\r\n")
            self.assertEqual(len(wait_messages(mail_dir, "carol", 1)), 1)
            self.assertEqual(server.stop(), 0)
            server.__exit__(None, None, None)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def test_serve_refuses_bad_options(self):
        r = run(["mail", "serve", "--mail-dir", "/tmp/x-mail-never"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--domain", r.stderr)


if __name__ == "__main__":
    unittest.main()
