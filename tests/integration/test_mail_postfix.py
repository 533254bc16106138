"""Postfix as a peer both ways (issue 11 §5): a private Postfix instance started by the test (its own
config_directory, queue_directory and data_directory under a temp directory, SMTP on a loopback port,
`postfix -c DIR start`, stopped at the end; bench/mail/postfix_instance.py), then
  - our server relays to it: a message for a Postfix domain, accepted by `endhost mail serve` from a
    --relay-from client, leaves our queue for Postfix (its --relay-host), and lands in Postfix's Maildir intact;
  - it relays to ours: a message for our domain, accepted by Postfix (transport_maps names our port), lands
    in our user's Maildir intact, with Postfix's Received: line and ours;
  - Postfix retries us: while our server is down, Postfix keeps the message deferred; once we are back, it
    delivers (its retry, not ours).
Skipped when Postfix is not installed.
"""

import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest

from endhost_test import ENDHOST, Server, TestCase, free_port, run

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "mail"))

import postfix_instance  # noqa: E402

HAVE_POSTFIX = shutil.which("postfix") or os.path.exists("/usr/sbin/postfix")

OURS = "ours.test"
THEIRS = "pf.test"


def message(subject, body_lines, sender, to):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s@test>\r\n\r\n" % (sender, to, subject, subject)
            + "".join(line + "\r\n" for line in body_lines))


# A body with what SMTP must carry through both ways: a line of a single dot and lines starting with dots
# (dot-stuffing, RFC 5321 §4.5.2), a long line, trailing spaces.
BODY = ["first line", ".", "..two dots", ". a dot and a space", "x" * 900, "trailing spaces   ", "last line"]


def wait_for(what, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s" % what)


def body_of(raw):
    text = raw.replace(b"\r\n", b"\n").decode("utf-8", "replace")
    return text.split("\n\n", 1)[1].split("\n")


@unittest.skipUnless(HAVE_POSTFIX, "Postfix is not installed")
class MailPostfix(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="endhost-mail-postfix-")
        os.chmod(cls.tmp, 0o755)
        cls.our_port = free_port()
        cls.pf_port = free_port()
        cls.mail_dir = os.path.join(cls.tmp, "ours")
        cls.users = os.path.join(cls.tmp, "users")
        added = run(["mail", "adduser", "--users", cls.users, "alice"], input="wonderland\n")
        if added.returncode != 0:  # the same file format; `mail adduser` may not be in every build
            added = run(["ftp", "adduser", "--users", cls.users, "alice"], input="wonderland\n")
        assert added.returncode == 0, added.stderr
        os.makedirs(os.path.join(cls.tmp, "postfix"))
        cls.postfix = postfix_instance.Postfix(
            cls.pf_port, domains=[THEIRS], users=["bob"], hostname="mx.pf.test",
            routes={OURS: "127.0.0.1:%d" % cls.our_port}, base=os.path.join(cls.tmp, "postfix"))
        cls.postfix.start()
        cls.server = cls.start_ours()

    @classmethod
    def start_ours(cls):
        return Server(["mail", "serve", "--domain", OURS, "--hostname", "mx.ours.test", "--mail-dir", cls.mail_dir,
                       "--users", cls.users, "--listen", "127.0.0.1:%d" % cls.our_port, "--submission-listen", "off",
                       "--pop3", "off", "--imap", "off",
                       "--relay-from", "127.0.0.1/32", "--relay-host", "127.0.0.1:%d" % cls.pf_port,
                       "--retry-min", "1", "--retry-max", "2", "--queue-run-interval", "1"])

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
            cls.server.__exit__(None, None, None)
        finally:
            cls.postfix.stop()
            shutil.rmtree(cls.tmp, ignore_errors=True)
        assert code == 0, "endhost mail serve exited with %s after SIGTERM" % code

    def our_messages(self, user="alice"):
        new = os.path.join(self.mail_dir, "users", user, "new")
        if not os.path.isdir(new):
            return []
        out = []
        for n in sorted(os.listdir(new)):
            with open(os.path.join(new, n), "rb") as f:
                out.append(f.read())
        return out

    def find(self, messages, subject):
        return [m for m in messages if ("Subject: %s" % subject).encode() in m]

    def test_ours_relays_to_postfix(self):
        subject = "ours-to-postfix-%d" % time.monotonic_ns()
        with smtplib.SMTP("127.0.0.1", self.our_port, timeout=30) as s:
            s.ehlo("client.ours.test")
            refused = s.sendmail("alice@%s" % OURS, ["bob@%s" % THEIRS],
                                 message(subject, BODY, "alice@%s" % OURS, "bob@%s" % THEIRS))
            self.assertEqual(refused, {})
        got = wait_for("the message in Postfix's Maildir",
                       lambda: self.find(self.postfix.delivered(THEIRS, "bob"), subject), 60)
        self.assertEqual(len(got), 1)
        raw = got[0]
        self.assertEqual(body_of(raw)[:len(BODY)], BODY)
        self.assertIn(b"Return-Path: <alice@ours.test>", raw)
        # Our Received: line (by our hostname), then Postfix's, which names us as its peer.
        self.assertIn(b"by mx.ours.test", raw)
        self.assertIn(b"by mx.pf.test (Postfix)", raw)
        self.assertIn("status=sent (delivered to maildir)", self.postfix.log_tail(200))
        # Nothing is left in our queue.
        listing = run(["mail", "queue", "--mail-dir", self.mail_dir])
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertNotIn("bob@pf.test", listing.stdout)

    def test_postfix_relays_to_ours(self):
        subject = "postfix-to-ours-%d" % time.monotonic_ns()
        with smtplib.SMTP("127.0.0.1", self.pf_port, timeout=30) as s:
            s.ehlo("client.pf.test")
            refused = s.sendmail("bob@%s" % THEIRS, ["alice@%s" % OURS],
                                 message(subject, BODY, "bob@%s" % THEIRS, "alice@%s" % OURS))
            self.assertEqual(refused, {})
        got = wait_for("the message in our Maildir", lambda: self.find(self.our_messages(), subject), 60)
        self.assertEqual(len(got), 1)
        raw = got[0]
        self.assertEqual(body_of(raw)[:len(BODY)], BODY)
        self.assertIn(b"Return-Path: <bob@pf.test>", raw)
        self.assertIn(b"by mx.pf.test (Postfix)", raw)
        self.assertIn(b"by mx.ours.test", raw)
        # Postfix's log says our server took it (250) over SMTP.
        wait_for("Postfix's status=sent line",
                 lambda: "relay=127.0.0.1[127.0.0.1]:%d" % self.our_port in self.postfix.log_tail(400)
                 and "status=sent" in self.postfix.log_tail(400), 30)

    def test_postfix_retries_while_ours_is_down(self):
        type(self).server.stop()
        type(self).server.__exit__(None, None, None)
        subject = "retry-%d" % time.monotonic_ns()
        try:
            with smtplib.SMTP("127.0.0.1", self.pf_port, timeout=30) as s:
                s.sendmail("bob@%s" % THEIRS, ["alice@%s" % OURS],
                           message(subject, ["while you were out"], "bob@%s" % THEIRS, "alice@%s" % OURS))
            # Postfix defers it (connection refused) and keeps it in its queue.
            wait_for("Postfix to defer", lambda: "status=deferred" in self.postfix.log_tail(400), 30)
            self.assertGreaterEqual(self.postfix.queue_count(), 1)
            self.assertEqual(self.find(self.our_messages(), subject), [])
        finally:
            type(self).server = self.start_ours()
        self.postfix.flush()  # its next try now, rather than after its backoff (5 s here)
        got = wait_for("the retried message in our Maildir", lambda: self.find(self.our_messages(), subject), 60)
        self.assertEqual(len(got), 1)
        wait_for("Postfix's queue to empty", lambda: self.postfix.queue_count() == 0, 30)


if __name__ == "__main__":
    unittest.main()
