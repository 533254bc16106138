"""Helpers for the mail server's integration tests: a users file (htpasswd -B hashes, which the Dovecot-style
users file accepts), `endhost mail serve` started on ephemeral ports, the Maildirs it writes, a raw SMTP
connection for exact bytes, and swaks run with a deadline."""

import email
import email.policy
import os
import shutil
import socket
import subprocess
import tempfile
import time

from endhost_test import Server, TestCase


def users_file(directory, users):
    """Writes `directory`/users from {name: password} with `htpasswd -nbB` hashes; returns the path."""
    lines = []
    for name, password in users.items():
        out = subprocess.run(["htpasswd", "-nbB", "-C", "5", name, password], capture_output=True, text=True,
                             check=True, timeout=30).stdout.strip()
        lines.append(out)
    path = os.path.join(directory, "users")
    with open(path, "w") as f:
        f.write("# made by the mail integration tests\n" + "\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def start_mail(mail_dir, domains, *extra, wait_for=1):
    """`endhost mail serve --domain D… --mail-dir DIR --listen 127.0.0.1:0 EXTRA…`; returns the Server."""
    args = ["mail", "serve", "--mail-dir", mail_dir, "--listen", "127.0.0.1:0"]
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


class Smtp:
    """A raw SMTP connection: send exact bytes, read whole replies (all lines of one code)."""

    def __init__(self, port, host="127.0.0.1", timeout=10, read_greeting=True):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.greeting = self.reply() if read_greeting else None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; unread: %r" % self.buf)
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line.decode("utf-8", "replace")

    def reply(self):
        """The next reply as one string, lines joined with \\n ("250-a\\n250 b")."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return "\n".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self, timeout=5):
        """True when the server closed the connection (after whatever it still sends)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


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
