"""Helpers for the mail server's integration tests: a users file (htpasswd -B hashes, which the Dovecot-style
users file accepts), `endhost mail serve` started on ephemeral ports, the Maildirs it writes, a raw SMTP
connection for exact bytes, and swaks run with a deadline."""

import email
import email.policy
import os
import shutil
import subprocess
import tempfile
import time

import line_client
from endhost_test import Server, TestCase
from line_client import LineClient


def users_file(directory, users):
    """Writes `directory`/users from {name: password} with `htpasswd -nbB` hashes; returns the path."""
    return line_client.users_file(directory, users, "mail")


def start_mail(mail_dir, domains, *extra, wait_for=1):
    """`endhost mail serve --domain D… --mail-dir DIR --listen 127.0.0.1:0 EXTRA…`; returns the Server.
    Submission, POP3 and IMAP are off unless EXTRA gives --submission-listen, --pop3 or --imap: their default
    ports (587, 110 and 143 as root) are one for the whole machine, and tests run side by side."""
    args = ["mail", "serve", "--mail-dir", mail_dir, "--listen", "127.0.0.1:0"]
    if "--submission-listen" not in extra:
        args += ["--submission-listen", "off"]
    if "--pop3" not in extra:
        args += ["--pop3", "off"]
    if "--imap" not in extra:
        args += ["--imap", "off"]
    for d in domains:
        args += ["--domain", d]
    return Server(args + list(extra), wait_for=wait_for)


def ports(server):
    """The ports of the `mail` listeners, in the order they were bound (SMTP, then submission)."""
    out = []
    for rec in server.listening:
        if rec.get("service") == "mail":
            out.append(int(rec["address"].rpartition(":")[2]))
    return out


def maildir_messages(mail_dir, user, folder="new"):
    """{file name: bytes} of a user's Maildir folder (empty when it does not exist)."""
    path = os.path.join(mail_dir, "users", user, folder)
    if not os.path.isdir(path):
        return {}
    out = {}
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name), "rb") as f:
            out[name] = f.read()
    return out


def wait_messages(mail_dir, user, count, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = maildir_messages(mail_dir, user)
        if len(got) >= count:
            return got
        time.sleep(0.05)
    return maildir_messages(mail_dir, user)


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class Smtp(LineClient):
    """A raw SMTP connection: send exact bytes, read whole replies (all lines of one code)."""

    CLOSE_TIMEOUT = 5


def swaks(*args, timeout=60):
    """Runs swaks; returns CompletedProcess (text). swaks exits 0 on success, non-zero with the failing step."""
    return subprocess.run(["swaks", "--hide-informational", "--no-hints"] + list(args), capture_output=True,
                          text=True, timeout=timeout)


class MailTestCase(TestCase):
    """One server per class: subclasses set DOMAINS, USERS and EXTRA (or override server_args)."""

    DOMAINS = ["hamburger.edu"]
    USERS = {"bob": "bobpass"}
    EXTRA = []

    @classmethod
    def server_args(cls):
        return list(cls.EXTRA)

    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="endhost-mail-")
        cls.mail_dir = os.path.join(cls.base, "mail")
        cls.users = users_file(cls.base, cls.USERS) if cls.USERS else None
        extra = cls.server_args()
        if cls.users:
            extra = ["--users", cls.users] + extra
        wait_for = 2 if "--submission-listen" in extra else 1
        cls.server = start_mail(cls.mail_dir, cls.DOMAINS, *extra, wait_for=wait_for)
        cls.ports = ports(cls.server)
        cls.port = cls.ports[0]

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.base, ignore_errors=True)
        assert code == 0, "endhost mail serve exited %s" % code

    def messages(self, user):
        return maildir_messages(self.mail_dir, user)

    def clear(self, user):
        for folder in ("new", "cur", "tmp"):
            path = os.path.join(self.mail_dir, "users", user, folder)
            if os.path.isdir(path):
                for name in os.listdir(path):
                    os.unlink(os.path.join(path, name))
