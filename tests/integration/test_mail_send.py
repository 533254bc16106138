"""`endhost mail send` against independent SMTP servers: Postfix's smtp-sink (with -d, which dumps each
transaction to a file), and a small SMTP server written here on Python's ssl module that offers STARTTLS,
implicit TLS, AUTH PLAIN/LOGIN and refuses what it is told to. The message that arrives is read back with
Python's email package, an independent MIME parser.
"""

import base64
import email
import email.policy
import glob
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from endhost_test import ENDHOST, Server, TestCase, free_port, run


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


class SmtpServer:
    """A threaded SMTP server for one test: records the commands and messages it got."""

    def __init__(self, cert=None, key=None, implicit_tls=False, users=None, pipelining=True,
                 refuse_rcpt=(), starttls=True):
        self.commands = []
        self.messages = []   # (mail_from, [rcpt], data bytes, tls, user)
        self.users = users or {}
        self.refuse_rcpt = set(refuse_rcpt)
        self.context = None
        if cert:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(cert, key)
        self.implicit_tls = implicit_tls
        self.pipelining = pipelining
        self.offer_starttls = starttls and cert is not None
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                outer.session(self.request)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def session(self, sock):
        tls = False
        if self.implicit_tls:
            sock = self.context.wrap_socket(sock, server_side=True)
            tls = True
        f = sock.makefile("rb")

        def send(text):
            sock.sendall(text.encode() + b"\r\n")

        send("220 hamburger.edu ESMTP test")
        mail_from, rcpts, user = None, [], ""
        while True:
            line = f.readline()
            if not line:
                return
            line = line.rstrip(b"\r\n").decode("utf-8", "replace")
            self.commands.append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                ext = ["hamburger.edu"]
                if self.pipelining:
                    ext.append("PIPELINING")
                ext += ["SIZE 1000000", "8BITMIME", "ENHANCEDSTATUSCODES"]
                if self.offer_starttls and not tls:
                    ext.append("STARTTLS")
                if self.users:
                    ext.append("AUTH LOGIN PLAIN")
                for i, e in enumerate(ext):
                    send(("250 " if i == len(ext) - 1 else "250-") + e)
            elif verb == "STARTTLS":
                send("220 2.0.0 Ready to start TLS")
                sock = self.context.wrap_socket(sock, server_side=True)
                f = sock.makefile("rb")
                tls = True
            elif verb == "AUTH":
                parts = line.split(" ")
                if parts[1].upper() == "PLAIN":
                    raw = base64.b64decode(parts[2]).split(b"\0")
                    name, password = raw[1].decode(), raw[2].decode()
                else:
                    send("334 VXNlcm5hbWU6")
                    name = base64.b64decode(f.readline().strip()).decode()
                    send("334 UGFzc3dvcmQ6")
                    password = base64.b64decode(f.readline().strip()).decode()
                if self.users.get(name) == password:
                    user = name
                    send("235 2.7.0 Authentication successful")
                else:
                    send("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                mail_from, rcpts = line[10:].split(">")[0].lstrip("<"), []
                send("250 2.1.0 Ok")
            elif verb == "RCPT":
                addr = line[8:].split(">")[0].lstrip("<")
                if addr in self.refuse_rcpt:
                    send("550 5.1.1 <%s>: Recipient address rejected: User unknown" % addr)
                else:
                    rcpts.append(addr)
                    send("250 2.1.5 Ok")
            elif verb == "DATA":
                if not rcpts:
                    send("554 5.5.1 Error: no valid recipients")
                    continue
                send("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    l = f.readline()
                    if not l or l == b".\r\n":
                        break
                    if l.startswith(b".."):
                        l = l[1:]
                    data += l
                self.messages.append((mail_from, rcpts, data, tls, user))
                send("250 2.0.0 Ok: queued as 4F2A")
            elif verb == "QUIT":
                send("221 2.0.0 Bye")
                return
            elif verb in ("RSET", "NOOP"):
                send("250 2.0.0 Ok")
            else:
                send("502 5.5.2 Error: command not recognized")


class MailSendTest(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mail-send-")
        cls.cert, cls.key = make_cert(cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def server(self, **kw):
        s = SmtpServer(**kw)
        self.addCleanup(s.close)
        return s

    def send(self, port, *args, input=None):
        return run(["mail", "send", "--server", "127.0.0.1:%d" % port, "--from", "Alice <alice@crepes.fr>",
                    "--to", "bob@hamburger.edu"] + list(args), input=input)

    def parsed(self, data):
        return email.message_from_bytes(data, policy=email.policy.default)

    def test_textbook_conversation_with_v(self):
        s = self.server(pipelining=False)
        r = self.send(s.port, "--subject", "Ketchup", "--body", "Do you like ketchup?\nHow about pickles?", "-v")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.splitlines()
        self.assertIn("S: 220 hamburger.edu ESMTP test", out)
        self.assertIn("C: EHLO crepes.fr", out)
        self.assertTrue(any(l.startswith("C: MAIL FROM:<alice@crepes.fr>") for l in out), out)
        self.assertIn("C: RCPT TO:<bob@hamburger.edu>", out)
        self.assertIn("C: DATA", out)
        self.assertIn("C: Do you like ketchup?", out)
        self.assertIn("C: .", out)
        self.assertIn("S: 221 2.0.0 Bye", out)
        self.assertEqual(len(s.messages), 1)
        mail_from, rcpts, data, tls, _ = s.messages[0]
        self.assertEqual((mail_from, rcpts, tls), ("alice@crepes.fr", ["bob@hamburger.edu"], False))
        msg = self.parsed(data)
        self.assertEqual(msg["Subject"], "Ketchup")
        self.assertEqual(msg["To"], "bob@hamburger.edu")
        self.assertTrue(msg["Message-ID"].endswith("@crepes.fr>"))
        self.assertIsNotNone(msg["Date"].datetime)
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), "Do you like ketchup?\nHow about pickles?\n")

    def test_pipelined_group(self):
        s = self.server(pipelining=True)
        r = self.send(s.port, "--to", "carol@hamburger.edu", "--body", "hi")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(s.messages[0][1], ["bob@hamburger.edu", "carol@hamburger.edu"])

    def test_mime_attachments_and_encoded_words(self):
        s = self.server()
        binary = bytes(range(256)) * 20
        path = os.path.join(self.dir, "data.bin")
        with open(path, "wb") as f:
            f.write(binary)
        text_path = os.path.join(self.dir, "notes.txt")
        with open(text_path, "w", encoding="utf-8") as f:
            f.write("première ligne\n.starts with a dot\n")
        r = self.send(s.port, "--subject", "Crêpes für alle ✓", "--body", "Voilà.\n", "--attach", path,
                      "--attach", text_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = s.messages[0][2]
        self.assertTrue(all(b < 128 for b in data), "the message is 7-bit on the wire")
        msg = self.parsed(data)
        self.assertEqual(msg["Subject"], "Crêpes für alle ✓")
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        parts = list(msg.iter_parts())
        self.assertEqual(len(parts), 3)
        self.assertEqual(parts[0].get_content().replace("\r\n", "\n"), "Voilà.\n")
        self.assertEqual(parts[0]["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(parts[1].get_filename(), "data.bin")
        self.assertEqual(parts[1]["Content-Transfer-Encoding"], "base64")
        self.assertEqual(parts[1].get_content(), binary)
        self.assertEqual(parts[2].get_filename(), "notes.txt")
        self.assertEqual(parts[2]["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(parts[2].get_content().replace("\r\n", "\n"), "première ligne\n.starts with a dot\n")

    def test_starttls_and_auth_plain(self):
        s = self.server(cert=self.cert, key=self.key, users={"alice": "secret"})
        r = self.send(s.port, "--starttls", "--auth", "alice:secret", "--body", "over TLS", "-v")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertEqual(s.messages[0][3:], (True, "alice"))
        self.assertIn("C: STARTTLS", r.stdout)
        self.assertIn("C: AUTH PLAIN ****", r.stdout)
        self.assertNotIn("secret", r.stdout)
        self.assertIn("(TLS)", r.stdout)
        # EHLO twice: before and after TLS (RFC 3207 §4.2).
        self.assertEqual(sum(1 for c in s.commands if c.startswith("EHLO")), 2)

    def test_starttls_verify_against_the_ca(self):
        s = self.server(cert=self.cert, key=self.key)
        ok = run(["mail", "send", "--server", "localhost:%d" % s.port, "--from", "alice@crepes.fr", "--to",
                  "bob@hamburger.edu", "--starttls", "--verify", "--cacert", self.cert, "--body", "x"])
        self.assertEqual(ok.returncode, 0, ok.stderr)
        bad = self.send(s.port, "--starttls", "--verify", "--body", "x")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("STARTTLS", bad.stderr)

    def test_implicit_tls_and_auth_login_password_from_stdin(self):
        s = self.server(cert=self.cert, key=self.key, implicit_tls=True, users={"alice": "pw:with:colons"})
        r = self.send(s.port, "--tls", "--auth", "alice", "--body", "x", input="pw:with:colons\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(s.messages[0][3:], (True, "alice"))

    def test_auth_failure_exits_1_with_the_reply(self):
        s = self.server(users={"alice": "secret"})
        r = self.send(s.port, "--auth", "alice:wrong", "--body", "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("535 5.7.8 Authentication credentials invalid", r.stderr)
        self.assertEqual(s.messages, [])

    def test_starttls_required_but_not_offered(self):
        s = self.server()
        r = self.send(s.port, "--starttls", "--body", "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not offer STARTTLS", r.stderr)
        self.assertEqual(s.messages, [])

    def test_refused_recipient(self):
        s = self.server(refuse_rcpt={"nobody@hamburger.edu"})
        r = self.send(s.port, "--to", "nobody@hamburger.edu", "--body", "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("550 5.1.1", r.stderr)
        self.assertEqual(s.messages[0][1], ["bob@hamburger.edu"])  # the other one got it
        only = run(["mail", "send", "--server", "127.0.0.1:%d" % s.port, "--from", "alice@crepes.fr",
                    "--to", "nobody@hamburger.edu", "--body", "x"])
        self.assertEqual(only.returncode, 1)
        # one line: the refused recipient and the reply, not a second one saying the same
        lines = only.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, only.stderr)
        self.assertIn("nobody@hamburger.edu refused: 550 5.1.1", lines[0])

    def test_connection_refused_and_usage(self):
        r = self.send(free_port(), "--body", "x")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.strip())
        r = run(["mail", "send", "--server", "127.0.0.1:1", "--from", "a@b"])
        self.assertEqual(r.returncode, 2)
        r = run(["mail", "send", "--server", "127.0.0.1:1", "--from", "a@b", "--to", "c@d", "--tls", "--starttls"])
        self.assertEqual(r.returncode, 2)
        r = run(["mail", "send", "--server", "foo:bar", "--from", "a@b", "--to", "c@d", "--body", "x"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--server", r.stderr)
        missing = os.path.join(tempfile.gettempdir(), "endhost-no-such-attachment-%d" % os.getpid())
        r = run(["mail", "send", "--server", "127.0.0.1:1", "--from", "a@b", "--to", "c@d", "--body", "x",
                 "--attach", missing])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("No such file or directory", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_implicit_tls_to_a_plain_port_says_so(self):
        s = self.server()
        r = self.send(s.port, "--tls", "--body", "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("failed at the TLS handshake", r.stderr)
        self.assertNotIn("STARTTLS:", r.stderr)
        self.assertIn("--starttls", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertEqual(s.messages, [])

    def test_server_that_never_answers_times_out(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            start = time.monotonic()
            r = self.send(listener.getsockname()[1], "--timeout", "1", "--body", "x")
            self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no reply within 1 s", r.stderr)


ZONE = """$ORIGIN hamburger.edu.
$TTL 60
@ SOA ns hostmaster 1 60 60 60 60
@ NS ns
ns A 127.0.0.1
@ MX 20 mx2
@ MX 10 mx1
mx1 A 127.0.0.2
mx2 A 127.0.0.1
"""

NULL_MX_ZONE = """$ORIGIN nomail.test.
$TTL 60
@ SOA ns hostmaster 1 60 60 60 60
@ NS ns
ns A 127.0.0.1
@ MX 0 .
"""


class MxTest(TestCase):
    """Without --server: the MX records of the recipient's domain through `endhost dns serve`, by preference;
    mx1 (127.0.0.2) has nothing listening on the port, so the delivery goes to mx2."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="mail-send-mx-")
        zones = []
        for name, text in (("hamburger.edu", ZONE), ("nomail.test", NULL_MX_ZONE)):
            path = os.path.join(cls.dir, name + ".zone")
            with open(path, "w") as f:
                f.write(text)
            zones += ["--zone", path]
        cls.dns = Server(["dns", "serve", "--listen", "127.0.0.1:0"] + zones, wait_for=2)
        cls.resolver = "%s:%d" % cls.dns.address("dns", "udp")

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()
        cls.dns.__exit__()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_delivery_by_mx_preference(self):
        s = SmtpServer()
        self.addCleanup(s.close)
        r = run(["mail", "send", "--resolver", self.resolver, "--mx-port", str(s.port), "--from",
                 "alice@crepes.fr", "--to", "bob@hamburger.edu", "--body", "by MX", "-v",
                 "--connect-timeout", "2"])
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertEqual(len(s.messages), 1)
        out = r.stdout
        self.assertIn("MX mx1.hamburger.edu (127.0.0.2)", out)
        self.assertIn("MX mx2.hamburger.edu (127.0.0.1)", out)
        self.assertLess(out.index("mx1.hamburger.edu"), out.index("mx2.hamburger.edu"))

    def test_null_mx_and_unknown_domain(self):
        r = run(["mail", "send", "--resolver", self.resolver, "--from", "alice@crepes.fr", "--to",
                 "x@nomail.test", "--body", "x"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("null MX", r.stderr)


@unittest.skipUnless(shutil.which("smtp-sink") or os.path.exists("/usr/sbin/smtp-sink"), "no smtp-sink")
class SmtpSinkTest(TestCase):
    """Postfix's smtp-sink as the peer: pipelining, and -d's dump of what it received."""

    def test_delivery_to_smtp_sink(self):
        sink_bin = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
        d = tempfile.mkdtemp(prefix="smtp-sink-")
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o777)
        port = free_port()
        args = [sink_bin, "-c", "-d", os.path.join(d, "%M."), "-h", "hamburger.edu"]
        if os.geteuid() == 0:
            args += ["-u", "nobody"]
        proc = subprocess.Popen(args + ["127.0.0.1:%d" % port, "10"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        r = run(["mail", "send", "--server", "127.0.0.1:%d" % port, "--from", "alice@crepes.fr", "--to",
                 "bob@hamburger.edu", "--to", "carol@hamburger.edu", "--subject", "sink",
                 "--body", ".dot first\nsecond line", "-v"])
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertIn("S: 250-PIPELINING", r.stdout)
        files = []
        while time.monotonic() < deadline and not files:
            files = glob.glob(os.path.join(d, "*"))
            time.sleep(0.1)
        self.assertEqual(len(files), 1, files)
        with open(files[0], "rb") as f:
            dump = f.read()
        # smtp-sink writes the envelope as X-Client-Addr/X-Mail-From/X-Rcpt-To lines, then the message.
        self.assertIn(b"alice@crepes.fr", dump)
        self.assertIn(b"bob@hamburger.edu", dump)
        self.assertIn(b"carol@hamburger.edu", dump)
        self.assertIn(b"\n.dot first", dump.replace(b"\r\n", b"\n"))
        self.assertIn(b"Subject: sink", dump)


if __name__ == "__main__":
    unittest.main()
