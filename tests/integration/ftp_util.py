"""Helpers for the FTP server's integration tests: a tree to serve, a users file made with htpasswd -B (a
bare bcrypt hash, which the Dovecot-style users file accepts), `endhost ftp serve` started on an ephemeral
port, a raw control connection for exact bytes, and the independent clients (curl, lftp) run with deadlines."""

import ftplib
import hashlib
import io
import os
import shutil
import subprocess

import line_client
from endhost_test import Server, TestCase
from line_client import LineClient
from web_util import make_site


def make_tree(files):
    """A temporary directory holding `files` ({relative path: bytes or str}); returns its path."""
    return make_site(files)


def source(payload):
    """A file object for ftplib's storbinary."""
    return io.BytesIO(payload)


def users_file(directory, users):
    """Writes `directory`/users from {name: (password, home)} with `htpasswd -nbB` hashes; returns the path."""
    # The users file's fields after the hash are uid:gid:gecos:home:shell:extra.
    return line_client.users_file(directory, {n: pw for n, (pw, _) in users.items()}, "FTP",
                                  lambda name: "::::" + users[name][1] + "::")


def start_ftp(root, *extra, wait_for=1):
    """`endhost ftp serve --root ROOT --listen 127.0.0.1:0 EXTRA…`; returns (server, port)."""
    server = Server(["ftp", "serve", "--root", root, "--listen", "127.0.0.1:0"] + list(extra), wait_for=wait_for)
    return server, server.address("ftp")[1]


def stop(server):
    code = server.stop()
    server.__exit__(None, None, None)
    return code


def connect(port, user=None, password=None, timeout=10, passive=True):
    """An ftplib.FTP logged in (anonymous when user is None)."""
    ftp = ftplib.FTP(timeout=timeout)
    ftp.connect("127.0.0.1", port)
    ftp.set_pasv(passive)
    if user is None:
        ftp.login()
    else:
        ftp.login(user, password)
    return ftp


def read(path):
    with open(path, "rb") as f:
        return f.read()


def retr(ftp, path, rest=None):
    chunks = []
    ftp.retrbinary("RETR " + path, chunks.append, rest=rest)
    return b"".join(chunks)


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_of(root):
    """{relative path: sha256} of every regular file under root (for comparing mirrored trees)."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            out[os.path.relpath(p, root)] = digest(p)
    return out


def curl(*args, timeout=60):
    """curl -sS ARGS; CompletedProcess with bytes stdout."""
    return subprocess.run(["curl", "-sS", "--max-time", str(timeout)] + list(args), capture_output=True,
                          timeout=timeout + 10)


def lftp(port, script, user="anonymous", password="", cwd=None, timeout=120):
    """lftp -e SCRIPT against 127.0.0.1:port (quits at the end); CompletedProcess with text output."""
    settings = "set net:max-retries 1; set net:timeout 10; set xfer:clobber on; "
    return subprocess.run(["lftp", "-u", "%s,%s" % (user, password), "-p", str(port), "-e",
                           settings + script + "; quit", "127.0.0.1"], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


class Control(LineClient):
    """A raw control connection: send exact bytes, read whole replies (multi-line per RFC 959 §4.2)."""

    WHAT = "control connection"


def pasv_port(reply):
    """The port of a 227 reply (RFC 959 §4.1.2: h1,h2,h3,h4,p1,p2)."""
    inner = reply[reply.index("(") + 1:reply.index(")")]
    nums = [int(x) for x in inner.split(",")]
    return nums[4] * 256 + nums[5]


def rmtree(*paths):
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


class ServerTestCase(TestCase):
    """A test class with one `endhost ftp serve` for all its tests (cls.server, cls.port). setUpClass calls
    cls.serve(ROOT, ARGS…) and lists in cls.temporary what to remove afterwards; tearDownClass stops the
    server (it must exit 0) and removes them."""

    temporary = ()

    @classmethod
    def serve(cls, root, *args):
        cls.server, cls.port = start_ftp(root, *args)

    @classmethod
    def tearDownClass(cls):
        code = stop(cls.server)
        rmtree(*cls.temporary)
        assert code == 0, code
