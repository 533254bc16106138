"""`endhost mail serve --webmail` with python's http.client (issue 12 §3 and §5): login, its cookie
(HttpOnly, SameSite=Strict) and the security headers; the login rate limit (429 with Retry-After); the idle
timeout; CSRF refusals (no token, a wrong one, no X-Webmail, a foreign Origin); folders with unread counts;
the list with paging, newest first; reading a text and an HTML message (sanitised, remote images blocked
unless asked, the frame's CSP); an attachment downloaded byte-identical with Content-Disposition:
attachment and a type that cannot render; mark, move, delete to Trash and expunge from it; search; compose
with an attachment, which arrives in the other user's INBOX (read with imaplib), DKIM-signed, with a \\Seen
copy in Sent; the event stream telling of a delivery; HTTPS with --tls-cert (a Secure cookie), and over plain
HTTP a login only from a loopback peer (403 from any other). Each test uses its own user."""

import email
import email.policy
import imaplib
import os
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest
from email.message import EmailMessage

import socket
import ssl

from endhost_test import ENDHOST, TestCase
from mail_util import start_mail, users_file
from test_tls_serve import Pki, tls_args
from webmail_util import Web, read_until

PASSWORD = "web-secret"
USERS = ["bob", "alice", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "kate"]


def start(base, extra=(), webmail="127.0.0.1:0"):
    mail_dir = os.path.join(base, "mail")
    users = users_file(base, {u: PASSWORD for u in USERS})
    server = start_mail(mail_dir, ["hamburger.edu"], "--users", users, "--imap", "127.0.0.1:0", "--webmail",
                        webmail, *extra, wait_for=3)
    return server, mail_dir


def mail_files(mail_dir, user):
    """{"cur/NAME": bytes} of the user's INBOX."""
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(mail_dir, "users", user, sub)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                out[sub + "/" + name] = f.read()
    return out


class WebmailCase(TestCase):
    EXTRA = ()
    WEBMAIL = "127.0.0.1:0"

    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="endhost-webmail-")
        cls.server, cls.mail_dir = start(cls.base, cls.EXTRA, cls.WEBMAIL)
        cls.smtp_port = cls.server.address("mail", "tcp")[1]
        cls.imap_port = cls.server.address("mail", "imap")[1]
        cls.web_port = cls.server.address("mail", "webmail")[1]

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.base, ignore_errors=True)
        assert code == 0, "endhost mail serve exited %s" % code

    def web(self, user=None):
        w = Web(self.web_port)
        if user:
            status, body = w.login(user, PASSWORD)
            self.assertEqual(status, 200, body)
        return w

    def deliver(self, user, msg):
        """Sends `msg` (an EmailMessage or bytes) to user@hamburger.edu by SMTP; waits for the Maildir."""
        before = self.count(user)
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as s:
            raw = msg if isinstance(msg, bytes) else msg.as_bytes(policy=email.policy.SMTP)
            s.sendmail("alice@crepes.fr", ["%s@hamburger.edu" % user], raw)
        deadline = time.monotonic() + 10
        while self.count(user) <= before and time.monotonic() < deadline:
            time.sleep(0.05)

    def count(self, user, folder=""):
        n = 0
        for sub in ("new", "cur"):
            path = os.path.join(self.mail_dir, "users", user, folder, sub)
            if os.path.isdir(path):
                n += len(os.listdir(path))
        return n

    def simple(self, subject, body="Hello.\n", sender="Alice <alice@crepes.fr>"):
        m = EmailMessage()
        m["From"] = sender
        m["To"] = "someone@hamburger.edu"
        m["Subject"] = subject
        m.set_content(body)
        return m


class Webmail(WebmailCase):
    def test_login_cookie_and_headers(self):
        w = self.web()
        status, body = w.login("bob", "wrong")
        self.assertEqual(status, 401, body)
        status, body = w.login("bob", PASSWORD)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["address"], "bob@hamburger.edu")
        cookie = w.last_headers["set-cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP on loopback
        status, body = w.get("/api/session")
        self.assertEqual((status, body["user"]), (200, "bob"))
        self.assertEqual(body["csrf"], w.csrf)
        status, page = w.get_raw("/")
        self.assertEqual(status, 200)
        self.assertIn(b"/app.js", page)
        h = w.last_headers
        self.assertEqual(h["x-content-type-options"], "nosniff")
        self.assertIn("frame-ancestors 'none'", h["content-security-policy"])
        self.assertIn("script-src 'self'", h["content-security-policy"])
        self.assertNotIn("unsafe-inline", h["content-security-policy"])
        self.assertEqual(h["x-frame-options"], "DENY")
        self.assertEqual(self.web().get("/api/folders")[0], 401)
        # Logout ends the session on the server, whatever the browser keeps.
        cookie = w.cookie
        self.assertEqual(w.post("/api/logout")[0], 200)
        w.cookie = cookie
        self.assertEqual(w.get("/api/folders")[0], 401)

    def test_csrf_refusals(self):
        self.deliver("carol", self.simple("csrf"))
        w = self.web("carol")
        uid = w.get("/api/messages", folder="INBOX")[1]["messages"][0]["uid"]
        fields = {"folder": "INBOX", "uids": str(uid), "flag": "flagged", "set": "1"}
        self.assertEqual(w.post("/api/flags", fields, csrf=False)[0], 403)
        self.assertEqual(w.post("/api/flags", fields, csrf=False, extra={"X-CSRF-Token": "0" * 32})[0], 403)
        # A cross-site form can send neither X-Webmail nor a token; a foreign Origin is refused too.
        status, _ = w.request("POST", "/api/flags", body="folder=INBOX&uids=%d&flag=flagged" % uid,
                              headers={"Content-Type": "application/x-www-form-urlencoded",
                                       "X-CSRF-Token": w.csrf})
        self.assertEqual(status, 403)
        self.assertEqual(w.post("/api/flags", fields, extra={"Origin": "http://evil.example"})[0], 403)
        self.assertEqual(w.post("/api/flags", fields, extra={"Sec-Fetch-Site": "cross-site"})[0], 403)
        self.assertFalse(w.get("/api/messages", folder="INBOX")[1]["messages"][0]["flagged"])
        status, body = w.post("/api/flags", fields, extra={"Origin": "http://127.0.0.1:%d" % self.web_port})
        self.assertEqual(status, 200, body)
        self.assertTrue(w.get("/api/messages", folder="INBOX")[1]["messages"][0]["flagged"])
        # Login itself needs X-Webmail (no login CSRF from a foreign form).
        status, _ = Web(self.web_port).request("POST", "/api/login", body="user=carol&password=" + PASSWORD,
                                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)

    def test_folders_with_unread_counts(self):
        for i in range(3):
            self.deliver("dave", self.simple("unread %d" % i))
        w = self.web("dave")
        folders = {f["name"]: f for f in w.get("/api/folders")[1]["folders"]}
        self.assertEqual(set(folders), {"INBOX", "Drafts", "Junk", "Sent", "Trash"})
        self.assertEqual((folders["INBOX"]["total"], folders["INBOX"]["unread"]), (3, 3))
        self.assertEqual(folders["Sent"]["special_use"], "\\Sent")
        uid = w.get("/api/messages", folder="INBOX")[1]["messages"][0]["uid"]
        self.assertEqual(w.post("/api/flags", {"folder": "INBOX", "uids": str(uid), "flag": "seen"})[0], 200)
        folders = {f["name"]: f for f in w.get("/api/folders")[1]["folders"]}
        self.assertEqual(folders["INBOX"]["unread"], 2)

    def test_list_with_paging(self):
        for i in range(7):
            self.deliver("erin", self.simple("page %d" % i))
        w = self.web("erin")
        status, first = w.get("/api/messages", folder="INBOX", size=3, page=0)
        self.assertEqual(status, 200, first)
        self.assertEqual((first["total"], first["pages"]), (7, 3))
        self.assertEqual([m["subject"] for m in first["messages"]], ["page 6", "page 5", "page 4"])
        self.assertEqual(first["messages"][0]["from"], "Alice <alice@crepes.fr>")
        self.assertGreater(first["messages"][0]["size"], 0)
        last = w.get("/api/messages", folder="INBOX", size=3, page=2)[1]
        self.assertEqual([m["subject"] for m in last["messages"]], ["page 0"])
        self.assertEqual(w.get("/api/messages", folder="INBOX", size=0)[0], 400)
        self.assertEqual(w.get("/api/messages", folder="Nope")[0], 404)

    def test_read_text_and_sanitised_html(self):
        m = EmailMessage()
        m["From"] = "Alice <alice@crepes.fr>"
        m["To"] = "frank@hamburger.edu"
        m["Subject"] = "Caf\u00e9 menu"
        m.set_content("Plain caf\u00e9 text.\n")
        m.add_alternative('<p onclick="steal()">Rich <b>caf\u00e9</b><script>alert(1)</script>'
                          '<img src="http://tracker.example/pixel.gif"><a href="javascript:alert(2)">x</a></p>',
                          subtype="html")
        self.deliver("frank", m)
        w = self.web("frank")
        uid = w.get("/api/messages", folder="INBOX")[1]["messages"][0]["uid"]
        status, msg = w.get("/api/message", folder="INBOX", uid=uid)
        self.assertEqual(status, 200, msg)
        self.assertEqual(msg["subject"], "Caf\u00e9 menu")
        self.assertEqual(msg["text"].strip(), "Plain caf\u00e9 text.")
        self.assertTrue(msg["html"])
        self.assertEqual(msg["remote_blocked"], 1)
        status, html = w.get_raw("/api/message/html", folder="INBOX", uid=uid)
        self.assertEqual(status, 200)
        text = html.decode()
        self.assertIn("<b>caf\u00e9</b>", text)
        for bad in ("<script", "onclick", "javascript:", "tracker.example"):
            self.assertNotIn(bad, text)
        csp = w.last_headers["content-security-policy"]
        self.assertIn("sandbox", csp)
        self.assertNotIn("allow-scripts", csp)
        self.assertIn("default-src 'none'", csp)
        self.assertEqual(w.last_headers["x-frame-options"], "SAMEORIGIN")
        # A click shows the remote images: the frame asks again with remote=1.
        status, html = w.get_raw("/api/message/html", folder="INBOX", uid=uid, remote=1)
        self.assertIn(b'src="http://tracker.example/pixel.gif"', html)
        self.assertIn("img-src data: http: https:", w.last_headers["content-security-policy"])
        # Reading did not mark it: the page marks it \Seen with a POST.
        self.assertFalse(w.get("/api/message", folder="INBOX", uid=uid)[1]["seen"])

    def test_attachment_download_is_byte_identical(self):
        data = os.urandom(200_000) + b"\r\n\x00end"
        m = self.simple("with attachment")
        m.add_attachment(data, maintype="application", subtype="octet-stream", filename="blob.bin")
        m.add_attachment(b"<script>alert(1)</script>", maintype="text", subtype="html", filename="page.html")
        self.deliver("grace", m)
        w = self.web("grace")
        uid = w.get("/api/messages", folder="INBOX")[1]["messages"][0]["uid"]
        msg = w.get("/api/message", folder="INBOX", uid=uid)[1]
        parts = {a["filename"]: a for a in msg["attachments"]}
        self.assertEqual(parts["blob.bin"]["size"], len(data))
        status, got = w.get_raw("/api/part", folder="INBOX", uid=uid, part=parts["blob.bin"]["part"])
        self.assertEqual(status, 200)
        self.assertEqual(got, data)
        self.assertTrue(w.last_headers["content-disposition"].startswith('attachment; filename="blob.bin"'))
        status, got = w.get_raw("/api/part", folder="INBOX", uid=uid, part=parts["page.html"]["part"])
        self.assertEqual(got, b"<script>alert(1)</script>")
        self.assertEqual(w.last_headers["content-type"], "application/octet-stream")  # never text/html
        self.assertEqual(w.get_raw("/api/part", folder="INBOX", uid=uid, part="9")[0], 404)

    def test_message_source_and_attached_message_download_as_eml(self):
        inner = self.simple("the inner one")
        m = self.simple('Re: "plans" for Friday/Saturday')
        m.add_attachment(inner)  # message/rfc822, no file name of its own
        m.add_attachment(b"x", maintype="application", subtype="octet-stream",
                         filename="../../etc/evil\".bin")
        self.deliver("kate", m)
        w = self.web("kate")
        uid = w.get("/api/messages", folder="INBOX")[1]["messages"][0]["uid"]
        status, raw = w.get_raw("/api/source", folder="INBOX", uid=uid)
        self.assertEqual(status, 200)
        stored = [b for name, b in mail_files(self.mail_dir, "kate").items()]
        self.assertEqual([raw], stored, "the stored bytes, whole")
        disposition = w.last_headers["content-disposition"]
        self.assertTrue(disposition.startswith('attachment; filename="Re plans for Friday Saturday.eml"'), disposition)
        self.assertEqual(w.last_headers["content-type"], "message/rfc822")
        self.assertEqual(w.get_raw("/api/source", folder="INBOX", uid=uid + 100)[0], 404)
        self.assertEqual(self.web().get_raw("/api/source", folder="INBOX", uid=uid)[0], 401)

        parts = w.get("/api/message", folder="INBOX", uid=uid)[1]["attachments"]
        attached = [a for a in parts if a["type"] == "message/rfc822"][0]
        status, got = w.get_raw("/api/part", folder="INBOX", uid=uid, part=attached["part"])
        self.assertEqual(status, 200)
        self.assertIn(b"Subject: the inner one", got)
        self.assertTrue(w.last_headers["content-disposition"].startswith('attachment; filename="message.eml"'))
        evil = [a for a in parts if a["type"] == "application/octet-stream"][0]
        w.get_raw("/api/part", folder="INBOX", uid=uid, part=evil["part"])
        self.assertTrue(w.last_headers["content-disposition"].startswith('attachment; filename="evil_.bin"'),
                        w.last_headers["content-disposition"])

    def test_mark_move_delete(self):
        for i in range(3):
            self.deliver("heidi", self.simple("move %d" % i))
        w = self.web("heidi")
        uids = [m["uid"] for m in w.get("/api/messages", folder="INBOX")[1]["messages"]]
        status, body = w.post("/api/flags", {"folder": "INBOX", "uids": ",".join(map(str, uids)), "flag": "seen"})
        self.assertEqual((status, body["changed"]), (200, 3))
        self.assertTrue(all(m["seen"] for m in w.get("/api/messages", folder="INBOX")[1]["messages"]))
        # The flags are in the Maildir file names, where IMAP and POP3 see them (maildir(5): S).
        cur = os.listdir(os.path.join(self.mail_dir, "users", "heidi", "cur"))
        self.assertTrue(all(":2," in n and "S" in n.split(":2,")[1] for n in cur), cur)
        w.post("/api/flags", {"folder": "INBOX", "uids": str(uids[0]), "flag": "seen", "set": "0"})
        self.assertFalse(w.get("/api/message", folder="INBOX", uid=uids[0])[1]["seen"])
        status, body = w.post("/api/move", {"folder": "INBOX", "uids": str(uids[0]), "to": "Junk"})
        self.assertEqual((status, body["moved"]), (200, 1))
        self.assertEqual(self.count("heidi", ".Junk"), 1)
        status, body = w.post("/api/delete", {"folder": "INBOX", "uids": str(uids[1])})
        self.assertEqual((status, body["to"]), (200, "Trash"))
        self.assertEqual(self.count("heidi", ".Trash"), 1)
        self.assertEqual(self.count("heidi"), 1)
        trash_uid = w.get("/api/messages", folder="Trash")[1]["messages"][0]["uid"]
        self.assertEqual(w.post("/api/delete", {"folder": "Trash", "uids": str(trash_uid)})[0], 200)
        self.assertEqual(self.count("heidi", ".Trash"), 0)  # expunged from Trash
        self.assertEqual(w.post("/api/move", {"folder": "INBOX", "uids": "x", "to": "Junk"})[0], 400)
        self.assertEqual(w.post("/api/move", {"folder": "INBOX", "uids": str(uids[2]), "to": "INBOX"})[0], 400)

    def test_search(self):
        self.deliver("ivan", self.simple("fruit", "I like bananas.\n"))
        self.deliver("ivan", self.simple("veg", "Carrots only.\n"))
        self.deliver("ivan", self.simple("Banana split", "Dessert.\n"))
        w = self.web("ivan")
        hits = w.get("/api/messages", folder="INBOX", q="BANANA")[1]
        self.assertEqual(sorted(m["subject"] for m in hits["messages"]), ["Banana split", "fruit"])
        self.assertEqual(w.get("/api/messages", folder="INBOX", q="nothing-like-this")[1]["total"], 0)

    def test_compose_with_attachment_arrives_over_imap(self):
        w = self.web("bob")
        data = os.urandom(50_000)
        status, body = w.send({"to": "Alice <alice@hamburger.edu>", "cc": "", "subject": "Report \u00e9t\u00e9",
                               "body": "See the file.\n"}, [("report.bin", data, "application/octet-stream")])
        self.assertEqual(status, 200, body)
        self.assertTrue(body["filed"])
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
        imap.login("alice", PASSWORD)
        imap.select("INBOX")
        deadline = time.monotonic() + 10
        ids = []
        while not ids and time.monotonic() < deadline:
            ids = imap.search(None, "SUBJECT", "Report")[1][0].split()
            if not ids:
                time.sleep(0.1)
                imap.noop()
        self.assertEqual(len(ids), 1)
        raw = imap.fetch(ids[0], "(BODY.PEEK[])")[1][0][1]
        imap.logout()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Report \u00e9t\u00e9")
        self.assertEqual(msg["From"], "bob@hamburger.edu")
        self.assertIn("DKIM-Signature", msg)  # signed as an AUTH submission is
        self.assertIn("webmail", msg["Received"])
        files = [p for p in msg.iter_attachments()]
        self.assertEqual([p.get_filename() for p in files], ["report.bin"])
        self.assertEqual(files[0].get_content(), data)
        # The copy in bob's Sent, read already.
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
        imap.login("bob", PASSWORD)
        imap.select("Sent")
        flags = imap.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1]
        imap.logout()
        self.assertIn(b"\\Seen", flags[0][0])
        # Refusals: no recipient, a bad address, an unknown local user.
        self.assertEqual(w.send({"to": "", "subject": "x", "body": "x"})[0], 400)
        self.assertEqual(w.send({"to": "not an address", "subject": "x", "body": "x"})[0], 400)
        self.assertEqual(w.send({"to": "nobody@hamburger.edu", "subject": "x", "body": "x"})[0], 400)

    def test_event_stream_tells_of_new_mail(self):
        w = self.web("judy")
        sock, head, rest = w.open_events()
        try:
            self.assertIn(" 200 ", head.split("\r\n")[0])
            self.assertIn("text/event-stream", head)
            got = read_until(sock, rest, b": connected", 10)
            self.assertIsNotNone(got)
            self.deliver("judy", self.simple("live"))
            got = read_until(sock, got, b"event: mail", 10)
            self.assertIsNotNone(got, "no event within 10 s of the delivery")
            self.assertIn(b'"unread":1', got)
        finally:
            sock.close()
        # At most three streams per session.
        socks = [w.open_events() for _ in range(3)]
        try:
            s, head, _ = w.open_events()
            s.close()
            self.assertIn(" 429 ", head.split("\r\n")[0])
        finally:
            for s, _, _ in socks:
                s.close()

    def test_limits(self):
        w = self.web()
        status, _ = w.request("GET", "/api/session", headers={"X-Big": "a" * 20000})
        self.assertEqual(status, 431)
        self.assertEqual(w.request("PUT", "/api/login")[0], 405)
        self.assertEqual(w.get("/nope")[0], 404)


class WebmailRateLimit(WebmailCase):
    """Its own server: the limit counts per client address, and every test comes from 127.0.0.1."""

    def test_five_failures_then_429(self):
        w = self.web()
        for _ in range(5):
            self.assertEqual(w.login("bob", "wrong")[0], 401)
        status, body = w.login("bob", PASSWORD)
        self.assertEqual(status, 429, body)  # even the right password, until the window passes
        self.assertGreaterEqual(int(w.last_headers["retry-after"]), 1)
        self.assertLessEqual(int(w.last_headers["retry-after"]), 60)
        self.assertEqual(w.login("alice", PASSWORD)[0], 429)  # per address too


class WebmailTimeout(WebmailCase):
    EXTRA = ("--webmail-idle-timeout", "1")

    def test_idle_session_is_logged_out(self):
        w = self.web("bob")
        self.assertEqual(w.get("/api/folders")[0], 200)
        time.sleep(1.5)
        status, _ = w.get("/api/folders")
        self.assertEqual(status, 401)


class WebmailTls(WebmailCase):
    """--tls-cert/--tls-key: the webmail is HTTPS, with the certificate STARTTLS uses."""

    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.EXTRA = tls_args(cls.pki.leaf("webmail", ["mail.hamburger.edu"]))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.pki.close()

    def test_https_login_sets_a_secure_cookie(self):
        w = Web(self.web_port, tls=self.pki.client_context())
        status, body = w.login("bob", PASSWORD)
        self.assertEqual(status, 200, body)
        cookie = w.last_headers["set-cookie"]
        self.assertIn("; Secure", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertEqual(w.get("/api/session")[1]["user"], "bob")
        self.assertEqual(w.post("/api/logout")[0], 200)
        self.assertIn("; Secure", w.last_headers["set-cookie"], "the clearing cookie too")

    def test_plain_http_on_the_tls_port_gets_no_page(self):
        with socket.create_connection(("127.0.0.1", self.web_port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data.startswith(b"HTTP/1.1 200"), data[:80])


def non_loopback_address():
    """An address of this machine that is not loopback (where the default route leaves), or None."""
    for target in ("10.255.255.255", "192.0.2.1", "198.51.100.1"):  # a UDP connect sends nothing
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((target, 9))
                a = s.getsockname()[0]
        except OSError:
            continue
        if not a.startswith("127.") and a != "0.0.0.0":
            return a
    return None


class WebmailPlainLogin(WebmailCase):
    """No certificate, listening on every address: a login over plain HTTP only from loopback."""
    WEBMAIL = "0.0.0.0:0"

    def test_loopback_peer_may_log_in(self):
        w = Web(self.web_port)
        status, body = w.login("bob", PASSWORD)
        self.assertEqual(status, 200, body)
        self.assertNotIn("Secure", w.last_headers["set-cookie"])

    def test_other_peer_gets_403_saying_to_use_tls(self):
        address = non_loopback_address()
        if not address:
            self.skipTest("this machine has no non-loopback address")
        w = Web(self.web_port, host=address)
        status, body = w.login("alice", PASSWORD)
        self.assertEqual(status, 403, body)
        self.assertIn("HTTPS", body["error"])
        self.assertIn("--tls-cert", body["error"])
        self.assertNotIn("set-cookie", w.last_headers)
        self.assertEqual(w.get("/")[0], 200, "the page itself is served")


class WebmailOptions(TestCase):
    def test_needs_users(self):
        base = tempfile.mkdtemp(prefix="endhost-webmail-")
        try:
            r = subprocess.run([ENDHOST, "mail", "serve", "--domain", "hamburger.edu", "--mail-dir", base,
                                "--listen", "127.0.0.1:0", "--webmail", "127.0.0.1:0"],
                               capture_output=True, text=True, timeout=20)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("--webmail needs --users", r.stderr)
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
