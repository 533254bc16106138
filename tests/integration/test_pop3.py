"""`endhost mail serve --pop3` with independent clients (issue 12 §1 and §5): python's poplib (USER/PASS,
STAT, LIST, UIDL, TOP, RETR of a small and a 3 MB message, DELE and QUIT removing, DELE and a dropped
connection removing nothing, RSET, STLS, AUTH PLAIN with and without an initial response), curl's pop3://
(list and retrieve), fetchmail in both of the textbook's modes (download-and-delete, and --keep, whose second
run fetches nothing by UIDL), [IN-USE] for a second session, \\Seen in the Maildir file name after RETR and
QUIT, mail delivered by SMTP showing in the next session and not in the open one, passwords hidden in
--trace, UIDL stable across a restart (a long file name gets a digest), and --pop3 refused without --users.
Each test uses its own user, so the tests of one server do not see each other's mail."""

import base64
import os
import re
import poplib
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest

from endhost_test import TestCase, run
from mail_util import start_mail, users_file
from test_tls_serve import Pki, tls_args

PASSWORD = "pop-secret"


def mail_files(mail_dir, user):
    """{folder/name: bytes} of a user's Maildir (new/ and cur/)."""
    out = {}
    for folder in ("new", "cur"):
        path = os.path.join(mail_dir, "users", user, folder)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                with open(os.path.join(path, name), "rb") as f:
                    out[folder + "/" + name] = f.read()
    return out


def wait_count(mail_dir, user, count, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mail_files(mail_dir, user)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("%s has %d messages, not %d" % (user, len(mail_files(mail_dir, user)), count))


class Pop3Case(TestCase):
    """One server per class with POP3 on an ephemeral port and a user per test."""

    USERS = ["bob", "alice", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory"]
    EXTRA = []

    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="endhost-pop3-")
        cls.mail_dir = os.path.join(cls.base, "mail")
        cls.users = users_file(cls.base, {u: PASSWORD for u in cls.USERS})
        cls.server = start_mail(cls.mail_dir, ["hamburger.edu"], "--users", cls.users, "--pop3", "127.0.0.1:0",
                                "--trace", *cls.EXTRA, wait_for=2)
        cls.smtp_port = cls.server.address("mail", "tcp")[1]
        cls.pop3_port = cls.server.address("mail", "pop3")[1]

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.base, ignore_errors=True)
        assert code == 0, "endhost mail serve exited %s" % code

    def deliver(self, user, subject, body="Hello.\r\n", count=1):
        """Sends `count` messages to user@hamburger.edu by SMTP and waits until they are in the Maildir."""
        before = len(mail_files(self.mail_dir, user))
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as s:
            for i in range(count):
                msg = "From: alice@crepes.fr\r\nTo: %s@hamburger.edu\r\nSubject: %s %d\r\n\r\n%s" % (
                    user, subject, i + 1, body)
                s.sendmail("alice@crepes.fr", ["%s@hamburger.edu" % user], msg)
        wait_count(self.mail_dir, user, before + count)

    def pop(self, user, login=True):
        p = poplib.POP3("127.0.0.1", self.pop3_port, timeout=10)
        if login:
            p.user(user)
            p.pass_(PASSWORD)
        return p

    def login_when_free(self, user, timeout=10):
        """A session for `user` once an earlier one (dropped, not yet noticed) has let the mailbox go."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.pop(user, login=False)
            p.user(user)
            try:
                p.pass_(PASSWORD)
                return p
            except poplib.error_proto as e:
                p.close()
                if b"[IN-USE]" not in e.args[0] or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


class Pop3WithPoplib(Pop3Case):
    def test_user_pass_stat_list_uidl_top_retr(self):
        self.deliver("bob", "ketchup", ".leading dot\r\nline 2\r\nline 3\r\n", count=3)
        files = mail_files(self.mail_dir, "bob")
        p = self.pop("bob")
        self.assertTrue(p.getwelcome().startswith(b"+OK hamburger.edu POP3"), p.getwelcome())
        count, octets = p.stat()
        self.assertEqual(count, 3)
        # The Maildir files hold CRLF (SMTP wrote them): their sizes are the octets (RFC 1939 §5).
        self.assertEqual(octets, sum(len(b) for b in files.values()))
        resp, listing, _ = p.list()
        self.assertTrue(resp.startswith(b"+OK 3 messages"), resp)
        sizes = [int(line.split()[1]) for line in listing]
        self.assertEqual([int(line.split()[0]) for line in listing], [1, 2, 3])
        self.assertEqual(sum(sizes), octets)
        self.assertEqual(p.list(2), b"+OK 2 %d" % sizes[1])
        _, uidls, _ = p.uidl()
        uids = [line.split()[1].decode() for line in uidls]
        # UIDL is the Maildir base name (RFC 1939 §7), the file name before ':'.
        self.assertEqual(sorted(uids), sorted(name.split("/")[1].split(":")[0] for name in
                                              mail_files(self.mail_dir, "bob")))
        self.assertEqual(p.uidl(3), b"+OK 3 " + uids[2].encode())
        _, top, _ = p.top(1, 1)
        blank = top.index(b"")
        self.assertIn(b"Subject: ketchup 1", top[:blank])
        self.assertEqual(top[blank + 1:], [b".leading dot"], "the header, the blank line, one body line")
        _, lines, _ = p.retr(2)
        # poplib takes the stuffed dot off again: the client's copy is the stored one.
        stored = [b for name, b in mail_files(self.mail_dir, "bob").items()
                  if name.split("/")[1].split(":")[0] == uids[1]]
        self.assertEqual(len(stored), 1)
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", stored[0])
        self.assertEqual(len(stored[0]), sizes[1])
        self.assertTrue(p.quit().startswith(b"+OK hamburger.edu POP3 server signing off (3 messages left)"))

    def test_large_message_is_streamed(self):
        body = "".join(".%06d a line of the big message that starts with a dot\r\n" % i for i in range(60000))
        self.assertGreater(len(body), 3_000_000)
        self.deliver("alice", "big", body)
        p = self.pop("alice")
        _, size = p.stat()
        _, lines, _ = p.retr(1)
        got = b"\r\n".join(lines) + b"\r\n"
        self.assertEqual(len(got), size)
        self.assertTrue(got.endswith(body.encode()), "every line of the body, unstuffed")
        p.quit()

    def test_dele_and_quit_removes_and_retr_marks_seen(self):
        self.deliver("carol", "one", count=3)
        p = self.pop("carol")
        p.retr(1)
        self.assertEqual(p.dele(2), b"+OK message 2 deleted")
        with self.assertRaisesRegex(poplib.error_proto, "already deleted"):
            p.retr(2)
        self.assertEqual(p.stat()[0], 2)
        _, listing, _ = p.list()
        self.assertEqual([line.split()[0] for line in listing], [b"1", b"3"])
        # RFC 1939 §6: the +OK of UPDATE counts what is left once the DELE'd message is gone.
        self.assertEqual(p.quit(), b"+OK hamburger.edu POP3 server signing off (2 messages left)")
        files = mail_files(self.mail_dir, "carol")
        self.assertEqual(len(files), 2, files.keys())
        flags = sorted(name.rpartition(":2,")[2] for name in files)
        # RETR set \Seen (the Maildir info "S", which IMAP reads as \Seen); message 3 was not retrieved.
        self.assertEqual(flags, ["", "S"], files.keys())
        self.assertTrue(all(name.startswith("cur/") for name in files))
        p = self.pop("carol")
        self.assertEqual(p.stat()[0], 2)
        self.assertIn(b"one 1", b"\n".join(p.top(1, 0)[1]))
        self.assertIn(b"one 3", b"\n".join(p.top(2, 0)[1]))
        p.quit()

    def test_dele_and_a_dropped_connection_remove_nothing(self):
        self.deliver("dave", "keep", count=2)
        p = self.pop("dave")
        p.retr(1)
        p.dele(1)
        p.dele(2)
        p.sock.close()  # no QUIT: RFC 1939 §6, no UPDATE state
        p.file.close()
        p = self.login_when_free("dave")
        self.assertEqual(p.stat()[0], 2)
        p.quit()
        files = mail_files(self.mail_dir, "dave")
        self.assertEqual(len(files), 2)
        self.assertTrue(all(not name.endswith("S") for name in files), "no \\Seen without QUIT: %s" % files.keys())

    def test_rset_unmarks(self):
        self.deliver("erin", "rset", count=2)
        p = self.pop("erin")
        p.dele(1)
        p.dele(2)
        self.assertEqual(p.stat(), (0, 0))
        self.assertTrue(p.rset().startswith(b"+OK maildrop has 2 messages"))
        self.assertEqual(p.stat()[0], 2)
        p.quit()
        self.assertEqual(len(mail_files(self.mail_dir, "erin")), 2)

    def test_second_session_is_refused_in_use(self):
        self.deliver("heidi", "lock")
        first = self.pop("heidi")
        second = self.pop("heidi", login=False)
        second.user("heidi")
        with self.assertRaisesRegex(poplib.error_proto, r"\[IN-USE\]"):
            second.pass_(PASSWORD)
        # AUTHORIZATION goes on (RFC 1939 §4): the client may try again once the first is done.
        first.quit()
        second.user("heidi")
        second.pass_(PASSWORD)
        self.assertEqual(second.stat()[0], 1)
        second.quit()

    def test_smtp_delivery_shows_in_the_next_session(self):
        self.deliver("ivan", "before")
        p = self.pop("ivan")
        self.assertEqual(p.stat()[0], 1)
        self.deliver("ivan", "during")
        self.assertEqual(p.stat()[0], 1, "the snapshot taken at login does not change (RFC 1939 §5)")
        p.quit()
        p = self.pop("ivan")
        self.assertEqual(p.stat()[0], 2)
        self.assertIn(b"Subject: during 1", p.top(2, 0)[1])
        p.quit()

    def test_auth_plain_with_and_without_initial_response(self):
        self.deliver("judy", "sasl")
        p = self.pop("judy", login=False)
        capa = p.capa()
        self.assertIn("SASL", capa)
        self.assertEqual(capa["SASL"], ["PLAIN"])
        self.assertIn("USER", capa, "loopback: plain-text login is offered")
        self.assertIn("UIDL", capa)
        self.assertNotIn("STLS", capa, "no certificate")
        ir = base64.b64encode(b"\0judy\0" + PASSWORD.encode()).decode()
        self.assertTrue(p._shortcmd("AUTH PLAIN " + ir).startswith(b"+OK judy's maildrop has 1 message"))
        p.quit()
        p = self.pop("judy", login=False)
        p._putcmd("AUTH PLAIN")
        self.assertEqual(p._getline()[0], b"+ ")  # RFC 5034 §4: the empty challenge
        p._putcmd(ir)
        self.assertTrue(p._getresp().startswith(b"+OK"))
        p.quit()
        p = self.pop("judy", login=False)
        wrong = base64.b64encode(b"\0judy\0wrong").decode()
        with self.assertRaisesRegex(poplib.error_proto, r"\[AUTH\] Authentication failed"):
            p._shortcmd("AUTH PLAIN " + wrong)
        p.quit()

    def test_passwords_are_not_traced(self):
        p = self.pop("mallory")
        p.quit()
        lines = list(self.server.stdout_lines)
        self.assertTrue(any(line.endswith("C: USER mallory") for line in lines), lines[-20:])
        self.assertTrue(any(line.endswith("C: PASS ****") for line in lines), lines[-20:])
        self.assertFalse(any(PASSWORD in line for line in lines))
        self.assertTrue(any("S: +OK mallory's maildrop" in line for line in lines), lines[-20:])


class Pop3WithCurlAndFetchmail(Pop3Case):
    def test_curl_lists_and_retrieves(self):
        self.deliver("bob", "curl", count=2)
        url = "pop3://127.0.0.1:%d/" % self.pop3_port
        listing = subprocess.run(["curl", "-sS", "--max-time", "20", "-u", "bob:" + PASSWORD, url],
                                 capture_output=True, timeout=30)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        sizes = sorted(len(b) for b in mail_files(self.mail_dir, "bob").values())
        lines = listing.stdout.decode().split("\r\n")
        self.assertEqual([line.split()[0] for line in lines if line], ["1", "2"])
        self.assertEqual(sorted(int(line.split()[1]) for line in lines if line), sizes)
        got = subprocess.run(["curl", "-sS", "--max-time", "20", "-u", "bob:" + PASSWORD, url + "2"],
                             capture_output=True, timeout=30)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertIn(b"Subject: curl 2\r\n", got.stdout)
        self.assertIn(got.stdout, mail_files(self.mail_dir, "bob").values())

    def fetchmail(self, user, *extra):
        """Runs fetchmail once against the server for `user`; returns (exit code, the mbox it wrote)."""
        home = tempfile.mkdtemp(prefix="fetchmail-", dir=self.base)
        mbox = os.path.join(home, "mbox")
        rc = os.path.join(home, "fetchmailrc")
        with open(rc, "w") as f:
            f.write('poll 127.0.0.1 service %d protocol POP3 timeout 20\n'
                    '  user "%s" password "%s" is root here\n'
                    '  mda "cat >> %s"\n' % (self.pop3_port, user, PASSWORD, mbox))
        os.chmod(rc, 0o600)
        idfile = os.path.join(self.base, user + ".fetchids")
        env = dict(os.environ, HOME=home)
        r = subprocess.run(["fetchmail", "-f", rc, "--idfile", idfile, "--nosyslog", "--nodetach", "--sslproto",
                            ""] + list(extra), capture_output=True, text=True, env=env, timeout=60)
        got = b""
        if os.path.exists(mbox):
            with open(mbox, "rb") as f:
                got = f.read()
        return r, got

    @unittest.skipUnless(shutil.which("fetchmail"), "fetchmail is not installed (scripts/setup)")
    def test_fetchmail_download_and_delete(self):
        self.deliver("frank", "fetch", count=2)
        r, mbox = self.fetchmail("frank")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(b"Subject: fetch 1", mbox)
        self.assertIn(b"Subject: fetch 2", mbox)
        self.assertEqual(mail_files(self.mail_dir, "frank"), {}, "the textbook's default: deleted once fetched")

    @unittest.skipUnless(shutil.which("fetchmail"), "fetchmail is not installed (scripts/setup)")
    def test_fetchmail_download_and_keep(self):
        self.deliver("grace", "kept", count=2)
        r, mbox = self.fetchmail("grace", "--keep", "--uidl")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(mbox.count(b"Subject: kept "), 2)
        files = mail_files(self.mail_dir, "grace")
        self.assertEqual(len(files), 2, "--keep leaves them on the server")
        # fetchmail --keep reads by TOP n 99999999 so as to leave them unseen; TOP sets no \Seen.
        self.assertTrue(all(name.endswith(":2,") for name in files), files.keys())
        # The second run knows them by UIDL (stable across sessions) and fetches nothing: exit 1, no mail.
        again, mbox2 = self.fetchmail("grace", "--keep", "--uidl")
        self.assertEqual(again.returncode, 1, again.stdout + again.stderr)
        self.assertEqual(mbox2, b"")
        self.deliver("grace", "new")
        third, mbox3 = self.fetchmail("grace", "--keep", "--uidl")
        self.assertEqual(third.returncode, 0, third.stdout + third.stderr)
        self.assertEqual(mbox3.count(b"Subject: "), 1)
        self.assertIn(b"Subject: new 1", mbox3)


class Pop3Stls(Pop3Case):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cert, key = cls.pki.leaf("pop3", ["mail.hamburger.edu"])
        cls.EXTRA = tls_args((cert, key))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.pki.close()

    def test_stls_then_login(self):
        self.deliver("bob", "secret")
        p = self.pop("bob", login=False)
        self.assertIn("STLS", p.capa())
        p.stls(context=self.pki.client_context())
        self.assertNotIn("STLS", p.capa(), "RFC 2595 §4: offered only before TLS")
        p.user("bob")
        p.pass_(PASSWORD)
        _, lines, _ = p.retr(1)
        self.assertIn(b"Subject: secret 1", lines)
        p.quit()

    def test_commands_sent_behind_stls_are_dropped(self):
        s = socket.create_connection(("127.0.0.1", self.pop3_port), timeout=10)
        f = s.makefile("rb")
        self.assertTrue(f.readline().startswith(b"+OK"))
        s.sendall(b"STLS\r\nUSER alice\r\n")  # the USER must never run (CVE-2011-0411)
        self.assertTrue(f.readline().startswith(b"+OK Begin TLS"))
        tls = self.pki.client_context().wrap_socket(s, server_hostname="127.0.0.1")
        tf = tls.makefile("rb")
        tls.sendall(b"PASS " + PASSWORD.encode() + b"\r\n")
        self.assertTrue(tf.readline().startswith(b"-ERR No username given"))
        tls.sendall(b"QUIT\r\n")
        self.assertTrue(tf.readline().startswith(b"+OK"))
        tls.close()


class Pop3Restart(TestCase):
    def test_uidl_stable_across_a_restart(self):
        base = tempfile.mkdtemp(prefix="endhost-pop3-restart-")
        self.addCleanup(shutil.rmtree, base, True)
        mail_dir = os.path.join(base, "mail")
        users = users_file(base, {"bob": PASSWORD})
        args = ["--users", users, "--pop3", "127.0.0.1:0"]

        def uidl(server):
            p = poplib.POP3("127.0.0.1", server.address("mail", "pop3")[1], timeout=10)
            p.user("bob")
            p.pass_(PASSWORD)
            _, lines, _ = p.uidl()
            p.quit()
            return lines

        with start_mail(mail_dir, ["hamburger.edu"], *args, wait_for=2) as first:
            with smtplib.SMTP("127.0.0.1", first.address("mail", "tcp")[1], timeout=10) as s:
                for i in range(3):
                    s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], "Subject: %d\r\n\r\nHi.\r\n" % i)
            wait_count(mail_dir, "bob", 3)
            # A file another program put there, with a name too long to be a unique-id (RFC 1939 §7).
            long_name = "1700000000.M1P1Q1." + "x" * 80 + ",S=12"
            with open(os.path.join(mail_dir, "users", "bob", "new", long_name), "wb") as f:
                f.write(b"Subject: x\r\n\r\n")
            before = uidl(first)
            self.assertEqual(first.stop(), 0)
        self.assertEqual(len(before), 4)
        # The long name's unique-id is a digest (32 hex digits); the others are their file names, which can
        # be 32 characters long too (time, microseconds, pid, host and size vary), so length alone says nothing.
        digests = [line.split()[1] for line in before if re.fullmatch(rb"[0-9a-f]{32}", line.split()[1])]
        self.assertEqual(len(digests), 1, before)
        with start_mail(mail_dir, ["hamburger.edu"], *args, wait_for=2) as second:
            after = uidl(second)
            self.assertEqual(second.stop(), 0)
        self.assertEqual(after, before)

    def test_pop3_needs_users(self):
        base = tempfile.mkdtemp(prefix="endhost-pop3-nousers-")
        self.addCleanup(shutil.rmtree, base, True)
        r = run(["mail", "serve", "--domain", "hamburger.edu", "--mail-dir", os.path.join(base, "m"), "--listen",
                 "127.0.0.1:0", "--submission-listen", "off", "--pop3", "127.0.0.1:0"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--pop3 needs --users", r.stderr)


if __name__ == "__main__":
    unittest.main()
