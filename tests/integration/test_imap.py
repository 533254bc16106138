"""`endhost mail serve --imap` with independent clients (issue 12 §2 and §5): python's imaplib (LOGIN,
CAPABILITY, LIST with the special-use folders, SELECT, FETCH of a multipart delivered by SMTP: ENVELOPE,
BODYSTRUCTURE, BODY.PEEK[1], a partial BODY[2]<0.1024> of a large attachment, RFC822.SIZE, UID FETCH; STORE and
the Maildir file name's flags, SEARCH, APPEND with APPENDUID, COPY with COPYUID, MOVE, EXPUNGE, CREATE/RENAME/
DELETE and their Maildir++ directories, SUBSCRIBE/LSUB, STATUS, AUTHENTICATE PLAIN, a wrong password, STARTTLS
and commands injected behind it), IDLE over a raw socket woken by an SMTP delivery, curl's imap:// (LIST, a
message by UID, SEARCH by -X), concurrency (two sessions, one expunging while the other fetches; POP3 and IMAP
on one mailbox), UIDVALIDITY and UIDs across a restart and a lost index, and hostile input (BAD, BYE after
many BADs, a huge literal, an over-long line). mbsync is in test_imap_sync.py.
Each test uses its own user, so the tests of one server do not see each other's mail."""

import base64
import datetime
import imaplib
import os
import poplib
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from endhost_test import TestCase
from mail_util import start_mail, users_file
from test_tls_serve import Pki, tls_args

PASSWORD = "imap-secret"
FLAG_LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"}


def folder_path(mail_dir, user, folder="INBOX"):
    """The Maildir of a folder: the user's root for INBOX, `.Name` beside it for the others (Maildir++)."""
    root = os.path.join(mail_dir, "users", user)
    return root if folder.upper() == "INBOX" else os.path.join(root, "." + folder)


def mail_files(mail_dir, user, folder="INBOX"):
    """{sub/name: bytes} of one folder's messages (new/ and cur/)."""
    out = {}
    base = folder_path(mail_dir, user, folder)
    for sub in ("new", "cur"):
        path = os.path.join(base, sub)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                with open(os.path.join(path, name), "rb") as f:
                    out[sub + "/" + name] = f.read()
    return out


def file_flags(name):
    """The Maildir info letters of a file name ("cur/123.M1P2.host:2,FS" -> "FS")."""
    return name.rpartition(":2,")[2] if ":2," in name else ""


def wait_count(mail_dir, user, count, folder="INBOX", timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mail_files(mail_dir, user, folder)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("%s has %d messages, not %d" % (user, len(mail_files(mail_dir, user, folder)), count))


def simple_message(user, subject, body="Hello.\r\n", sender="alice@crepes.fr", date=None):
    date = date or "Tue, 03 Dec 2024 10:00:00 +0000"
    return ("From: %s\r\nTo: %s@hamburger.edu\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s.%s@crepes.fr>\r\n"
            "\r\n%s" % (sender, user, subject, date, re.sub(r"\W", "", subject), user, body)).encode()


def literals(data):
    """The literal strings of an imaplib FETCH answer, in order."""
    return [item[1] for item in data if isinstance(item, tuple)]


def text_of(data):
    """An imaplib answer as one string: plain items, and the parts around literals."""
    out = []
    for item in data:
        if isinstance(item, tuple):
            out.append(item[0].decode("utf-8", "replace"))
        elif item is not None:
            out.append(item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item))
    return "\n".join(out)


class Raw:
    """A raw IMAP connection: exact bytes out, whole response lines in (a literal `{n}` at a line's end is
    read with its n octets and the rest of the line, as RFC 3501 §4.3 has it)."""

    LITERAL = re.compile(rb"\{(\d+)\+?\}$")

    def __init__(self, port, timeout=10, sock=None):
        self.sock = sock or socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.greeting = self.line() if sock is None else None

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _raw_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; unread: %r" % self.buf[:200])
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a literal")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def line(self):
        """One response, literals included, as bytes."""
        out = self._raw_line()
        while True:
            m = self.LITERAL.search(out)
            if not m:
                return out
            out += b"\r\n" + self._read(int(m.group(1)))
            out += self._raw_line()

    def until(self, tag):
        """(untagged and continuation lines, the tagged line) up to the response tagged `tag`."""
        lines = []
        prefix = tag.encode() + b" "
        while True:
            line = self.line()
            if line.startswith(prefix):
                return lines, line
            lines.append(line)

    def cmd(self, tag, text):
        self.send("%s %s\r\n" % (tag, text))
        return self.until(tag)

    def login(self, user, password=PASSWORD):
        _, ok = self.cmd("L1", "LOGIN %s %s" % (user, password))
        assert ok.startswith(b"L1 OK"), ok
        return self

    def closed(self, timeout=10):
        """Whether the server closes the connection within timeout (whatever it still sends goes to buf)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except (socket.timeout, TimeoutError):
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class ImapCase(TestCase):
    """One server per class with IMAP (and POP3 when POP3 is set) on ephemeral ports and a user per test."""

    USERS = ["bob", "alice", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
             "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter"]
    EXTRA = []
    POP3 = False

    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="endhost-imap-")
        cls.mail_dir = os.path.join(cls.base, "mail")
        cls.users = users_file(cls.base, {u: PASSWORD for u in cls.USERS})
        extra = ["--users", cls.users, "--imap", "127.0.0.1:0"] + list(cls.EXTRA)
        if cls.POP3:
            extra += ["--pop3", "127.0.0.1:0"]
        cls.server = start_mail(cls.mail_dir, ["hamburger.edu"], *extra, wait_for=3 if cls.POP3 else 2)
        cls.smtp_port = cls.server.address("mail", "tcp")[1]
        cls.imap_port = cls.server.address("mail", "imap")[1]
        cls.pop3_port = cls.server.address("mail", "pop3")[1] if cls.POP3 else None

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.base, ignore_errors=True)
        assert code == 0, "endhost mail serve exited %s" % code

    def deliver(self, user, *messages):
        """Sends each message (bytes, CRLF) to user@hamburger.edu by SMTP and waits until it is in the
        Maildir; returns the INBOX files."""
        before = len(mail_files(self.mail_dir, user))
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as s:
            for msg in messages:
                s.sendmail("alice@crepes.fr", ["%s@hamburger.edu" % user], msg)
        wait_count(self.mail_dir, user, before + len(messages))
        return mail_files(self.mail_dir, user)

    def imap(self, user=None, password=PASSWORD):
        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        self.addCleanup(self._logout, m)
        if user:
            m.login(user, password)
        return m

    @staticmethod
    def _logout(m):
        try:
            m.logout()
        except Exception:
            pass

    def raw(self, user=None):
        r = Raw(self.imap_port)
        self.addCleanup(r.close)
        if user:
            r.login(user)
        return r

    def files(self, user, folder="INBOX"):
        return mail_files(self.mail_dir, user, folder)


def multipart_with_attachment(user, attachment):
    """A multipart/mixed message: a text part and `attachment` as base64; returns (message, the text part's
    body, the attachment part's body), the bodies as BODY[1] and BODY[2] are to return them (RFC 3501 §6.4.5:
    the octets between the part's header and the CRLF that belongs to the next boundary)."""
    text = "Hi Bob,\r\nthe menu is attached.\r\nAlice\r\n"
    b64 = base64.b64encode(attachment).decode()
    lines = [b64[i:i + 76] for i in range(0, len(b64), 76)]
    part2 = "\r\n".join(lines)
    msg = ("From: Alice <alice@crepes.fr>\r\nTo: Bob <%s@hamburger.edu>\r\nSubject: Lunch menu\r\n"
           "Date: Tue, 03 Dec 2024 10:00:00 +0000\r\nMessage-ID: <menu.%s@crepes.fr>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b0undary\"\r\n\r\nThis is a multipart message.\r\n"
           "--b0undary\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
           "%s\r\n--b0undary\r\nContent-Type: application/octet-stream; name=\"menu.bin\"\r\n"
           "Content-Disposition: attachment; filename=\"menu.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           "%s\r\n--b0undary--\r\n" % (user, user, text, part2))
    return msg.encode(), text.encode(), part2.encode()


class ImapWithImaplib(ImapCase):
    def test_capability_login_and_wrong_password(self):
        m = self.imap()
        pre = m.capabilities
        self.assertIn("IMAP4REV1", pre)
        self.assertIn("AUTH=PLAIN", pre, "loopback: plain-text login is offered")
        self.assertIn("IDLE", pre)
        self.assertNotIn("STARTTLS", pre, "no certificate")
        self.assertNotIn("LOGINDISABLED", pre)
        with self.assertRaisesRegex(imaplib.IMAP4.error, r"\[AUTHENTICATIONFAILED\]"):
            m.login("bob", "wrong")
        typ, data = m.login("bob", PASSWORD)
        self.assertEqual(typ, "OK")
        self.assertIn(b"[CAPABILITY ", data[0], "RFC 9051 §6.2.3: the capabilities after login")
        typ, data = m.capability()
        caps = data[0].decode().upper().split()
        for cap in ("IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "NAMESPACE", "LITERAL+", "ENABLE",
                    "ID", "UNSELECT"):
            self.assertIn(cap, caps)
        self.assertEqual(m.namespace()[1][0], b'(("" ".")) NIL NIL')

    def test_authenticate_plain(self):
        self.deliver("alice", simple_message("alice", "sasl"))
        m = self.imap()
        typ, _ = m.authenticate("PLAIN", lambda challenge: b"\0alice\0" + PASSWORD.encode())
        self.assertEqual(typ, "OK")
        self.assertEqual(m.select("INBOX"), ("OK", [b"1"]))
        # SASL-IR (RFC 4959): the credentials on the command line, and a wrong one refused.
        r = self.raw()
        wrong = base64.b64encode(b"\0alice\0nope").decode()
        _, done = r.cmd("a", "AUTHENTICATE PLAIN " + wrong)
        self.assertTrue(done.startswith(b"a NO [AUTHENTICATIONFAILED]"), done)
        right = base64.b64encode(b"\0alice\0" + PASSWORD.encode()).decode()
        _, done = r.cmd("b", "AUTHENTICATE PLAIN " + right)
        self.assertTrue(done.startswith(b"b OK"), done)

    def test_list_special_use_folders(self):
        m = self.imap("carol")
        typ, data = m.list()
        self.assertEqual(typ, "OK")
        got = {}
        for line in data:
            mm = re.match(rb'\(([^)]*)\) (?:"\."|NIL) "?([^"]*)"?$', line)
            self.assertIsNotNone(mm, line)
            got[mm.group(2).decode()] = mm.group(1).decode().split()
        self.assertEqual(sorted(got), ["Drafts", "INBOX", "Junk", "Sent", "Trash"])
        for name in ("Drafts", "Junk", "Sent", "Trash"):
            self.assertIn("\\" + name, got[name], "RFC 6154 §2")
            self.assertTrue(os.path.isdir(os.path.join(folder_path(self.mail_dir, "carol", name), "cur")))
        self.assertFalse(any(a.startswith("\\") and a[1:] in ("Sent", "Drafts", "Trash", "Junk")
                             for a in got["INBOX"]))
        # RFC 6154 §5.1: LIST (SPECIAL-USE) returns only the special-use folders.
        typ, data = m._simple_command("LIST", "(SPECIAL-USE)", '""', '"*"')
        self.assertEqual(typ, "OK")
        names = sorted(re.search(rb'"?([A-Za-z]+)"?$', line).group(1).decode()
                       for line in m.untagged_responses.pop("LIST", []))
        self.assertEqual(names, ["Drafts", "Junk", "Sent", "Trash"])
        # LIST-STATUS (RFC 5819): a STATUS for each folder listed.
        m.append("Junk", None, None, simple_message("carol", "spam"))
        m.untagged_responses.clear()
        typ, data = m._simple_command("LIST", '""', '"*"', "RETURN", "(STATUS (MESSAGES UNSEEN))")
        self.assertEqual(typ, "OK")
        status = sorted(m.untagged_responses.pop("STATUS", []))
        self.assertEqual(status, [b"Drafts (MESSAGES 0 UNSEEN 0)", b"INBOX (MESSAGES 0 UNSEEN 0)",
                                  b"Junk (MESSAGES 1 UNSEEN 1)", b"Sent (MESSAGES 0 UNSEEN 0)",
                                  b"Trash (MESSAGES 0 UNSEEN 0)"])

    def test_fetch_multipart_envelope_bodystructure_partial(self):
        attachment = bytes(range(256)) * 1200  # 300 KiB: a base64 body of 400 KiB
        msg, text, part2 = multipart_with_attachment("dave", attachment)
        files = self.deliver("dave", msg)
        (name, stored), = files.items()
        m = self.imap("dave")
        typ, data = m.select("INBOX")
        self.assertEqual(data, [b"1"])
        uidvalidity = int(m.response("UIDVALIDITY")[1][0])
        self.assertGreater(uidvalidity, 0)
        typ, data = m.fetch("1", "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
        self.assertEqual(typ, "OK")
        answer = text_of(data)
        self.assertEqual(int(re.search(r"RFC822\.SIZE (\d+)", answer).group(1)), len(stored),
                         "RFC822.SIZE is the stored message's size with CRLF")
        env = re.search(r"ENVELOPE \((.*)\) BODYSTRUCTURE", answer).group(1)
        self.assertTrue(env.startswith('"Tue, 03 Dec 2024 10:00:00 +0000" "Lunch menu" '), env)
        self.assertIn('(("Alice" NIL "alice" "crepes.fr"))', env)
        self.assertIn('(("Bob" NIL "dave" "hamburger.edu"))', env)
        self.assertIn('"<menu.dave@crepes.fr>"', env)
        bs = re.search(r"BODYSTRUCTURE (\(.*\))", answer).group(1)
        low = bs.lower()
        self.assertIn('("text" "plain" ("charset" "utf-8") nil nil "7bit" %d 3' % len(text), low)
        self.assertIn('("application" "octet-stream" ("name" "menu.bin") nil nil "base64" %d' % len(part2), low)
        self.assertIn('"mixed" ("boundary" "b0undary")', low)
        self.assertIn('("attachment" ("filename" "menu.bin"))', low)
        self.assertNotIn("\\Seen", answer)
        typ, data = m.fetch("1", "(BODY.PEEK[1])")
        self.assertEqual(literals(data), [text])
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0], "BODY.PEEK sets no \\Seen (RFC 3501 §6.4.5)")
        typ, data = m.fetch("1", "(BODY[2]<0.1024>)")
        self.assertIn(b"BODY[2]<0> {1024}", data[0][0])
        self.assertEqual(literals(data), [part2[:1024]])
        typ, data = m.fetch("1", "(BODY.PEEK[2]<399000.5000>)")
        self.assertEqual(literals(data), [part2[399000:404000]])
        self.assertEqual(base64.b64decode(b"".join(literals(m.fetch("1", "(BODY.PEEK[2])")[1]))), attachment)
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Seen", data[0], "BODY[2] set \\Seen")
        uid = int(re.search(r"UID (\d+)", answer).group(1))
        typ, data = m.uid("FETCH", str(uid), "(RFC822.HEADER BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"UID %d" % uid, text_of(data).encode())
        self.assertEqual(literals(data), [stored[:stored.index(b"\r\n\r\n") + 4], b"Subject: Lunch menu\r\n\r\n"])
        typ, data = m.fetch("1", "(BODY.PEEK[])")
        self.assertEqual(literals(data), [stored])

    def test_store_flags_show_in_the_file_name(self):
        self.deliver("erin", simple_message("erin", "one"), simple_message("erin", "two"))
        m = self.imap("erin")
        m.select("INBOX")
        typ, data = m.store("1", "+FLAGS", "(\\Seen)")
        self.assertEqual(typ, "OK")
        self.assertRegex(data[0], rb"^1 \(FLAGS \(\\Seen( \\Recent)?\)\)$")
        typ, data = m.store("2", "+FLAGS", "(\\Flagged \\Answered)")
        self.assertRegex(data[0], rb"\\Flagged")
        flags = sorted(file_flags(n) for n in self.files("erin"))
        self.assertEqual(flags, ["FR", "S"], list(self.files("erin")))
        self.assertTrue(all(n.startswith("cur/") for n in self.files("erin")))
        typ, data = m.store("2", "-FLAGS.SILENT", "(\\Answered)")
        self.assertEqual((typ, data), ("OK", [None]), ".SILENT: no FETCH response (RFC 3501 §6.4.6)")
        self.assertEqual(sorted(file_flags(n) for n in self.files("erin")), ["F", "S"])
        typ, data = m.store("1", "FLAGS", "(\\Draft $Label1)")
        self.assertIn(b"$Label1", data[0])
        self.assertEqual(sorted(file_flags(n)[:1] for n in self.files("erin")), ["D", "F"])
        m.close()
        # A second session sees the same flags: they live in the file names and the keywords file.
        m2 = self.imap("erin")
        m2.select("INBOX", readonly=True)
        typ, data = m2.fetch("1:2", "(FLAGS)")
        self.assertIn(b"$Label1", data[0])
        self.assertIn(b"\\Draft", data[0])
        self.assertIn(b"\\Flagged", data[1])

    def test_search(self):
        self.deliver("frank",
                     simple_message("frank", "Ketchup question", "Do you like ketchup?\r\n"),
                     simple_message("frank", "Pickles", "How about pickles?\r\n", sender="trudy@evil.example"),
                     simple_message("frank", "Mustard", "Or mustard?\r\n",
                                    date="Mon, 02 Dec 2024 10:00:00 +0000"),
                     b"From: alice@crepes.fr\r\nSubject: =?utf-8?q?caf=C3=A9_au_lait?=\r\nMIME-Version: 1.0\r\n"
                     b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                     b"\r\nUne cr=C3=A8me br=C3=BBl=C3=A9e ?\r\n")
        m = self.imap("frank")
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Seen)")
        self.assertEqual(m.search(None, "UNSEEN"), ("OK", [b"2 3 4"]))
        self.assertEqual(m.search(None, "SEEN"), ("OK", [b"1"]))
        self.assertEqual(m.search(None, "FROM", "trudy"), ("OK", [b"2"]))
        self.assertEqual(m.search(None, "SUBJECT", "ketchup"), ("OK", [b"1"]))
        self.assertEqual(m.search(None, "BODY", "PICKLES"), ("OK", [b"2"]))
        self.assertEqual(m.search(None, "TEXT", "mustard"), ("OK", [b"3"]))
        self.assertEqual(m.search(None, "OR", "FROM", "trudy", "SUBJECT", "mustard"), ("OK", [b"2 3"]))
        self.assertEqual(m.search(None, "NOT", "FROM", "alice"), ("OK", [b"2"]))
        # CHARSET UTF-8 (RFC 3501 §6.4.4): the subject's encoded-word and the body's quoted-printable decoded.
        m.literal = "café".encode()
        self.assertEqual(m.search("UTF-8", "SUBJECT"), ("OK", [b"4"]))
        m.literal = "crème brûlée".encode()
        self.assertEqual(m.search("UTF-8", "BODY"), ("OK", [b"4"]))
        self.assertEqual(m.search(None, "BODY", '"cr=C3"'), ("OK", [b""]), "the decoded text, not the wire form")
        typ, data = m.search("ISO-8859-1", "SUBJECT", "x")
        self.assertEqual(typ, "NO")
        self.assertEqual(m.search("UTF-8", "SUBJECT", "pickles"), ("OK", [b"2"]))
        # INTERNALDATE is the delivery: all of them arrived after yesterday and none after tomorrow.
        yesterday = (datetime.date.today() - datetime.timedelta(days=1)).strftime("%d-%b-%Y")
        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).strftime("%d-%b-%Y")
        self.assertEqual(m.search(None, "SINCE", yesterday), ("OK", [b"1 2 3 4"]))
        self.assertEqual(m.search(None, "SINCE", tomorrow), ("OK", [b""]))
        # SENTSINCE/SENTBEFORE compare the Date: header.
        self.assertEqual(m.search(None, "SENTBEFORE", "03-Dec-2024"), ("OK", [b"3"]))
        self.assertEqual(m.search(None, "SENTON", "03-Dec-2024"), ("OK", [b"1 2"]))
        self.assertEqual(m.search(None, "LARGER", "1", "2:3"), ("OK", [b"2 3"]))
        self.assertEqual(m.search(None, "HEADER", "Content-Transfer-Encoding", "quoted"), ("OK", [b"4"]))
        typ, data = m.uid("SEARCH", "SUBJECT", "pickles")
        uid = int(data[0])
        self.assertEqual(m.uid("FETCH", str(uid), "(UID)")[1][0], b"2 (UID %d)" % uid)

    def test_append_copy_move_expunge(self):
        self.deliver("grace", simple_message("grace", "first"), simple_message("grace", "second"),
                     simple_message("grace", "third"))
        m = self.imap("grace")
        sent = simple_message("alice", "sent by grace")
        when = imaplib.Time2Internaldate(time.time())
        typ, data = m.append("Sent", "(\\Seen)", when, sent)
        self.assertEqual(typ, "OK")
        mm = re.match(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
        self.assertIsNotNone(mm, data)
        (name, stored), = self.files("grace", "Sent").items()
        self.assertEqual(stored, sent)
        self.assertEqual(file_flags(name), "S")
        m.select("Sent")
        self.assertEqual(int(m.response("UIDVALIDITY")[1][0]), int(mm.group(1)))
        # RFC 3501 §6.3.11: the appended message has the flags given, and \\Recent for the first to select it.
        self.assertEqual(m.uid("FETCH", mm.group(2).decode(), "(FLAGS)")[1][0],
                         b"1 (UID %s FLAGS (\\Seen \\Recent))" % mm.group(2))
        self.assertEqual(m.select("INBOX"), ("OK", [b"3"]))
        uids = m.uid("SEARCH", "ALL")[1][0].split()
        typ, data = m.copy("1", "Trash")
        self.assertEqual(typ, "OK")
        mm = re.match(rb"\[COPYUID (\d+) (\d+) (\d+)\]", data[0])
        self.assertIsNotNone(mm, data)
        self.assertEqual(mm.group(2), uids[0])
        self.assertEqual(list(self.files("grace", "Trash").values()), [list(self.files("grace").values())[0]])
        # MOVE (RFC 6851 §4.3): the COPYUID untagged, then the EXPUNGE of the moved message.
        m.untagged_responses.clear()
        typ, data = m._simple_command("MOVE", "2", "Junk")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.get("EXPUNGE"), [b"2"])
        self.assertRegex(m.untagged_responses.get("COPYUID", [b""])[0], rb"^\d+ %s \d+$" % uids[1])
        self.assertEqual([b for b in self.files("grace", "Junk").values() if b"Subject: second" in b].__len__(), 1)
        self.assertFalse(any(b"Subject: second" in b for b in self.files("grace").values()))
        self.assertEqual(m.uid("SEARCH", "ALL")[1][0].split(), [uids[0], uids[2]])
        m.store("2", "+FLAGS", "(\\Deleted)")
        m.untagged_responses.clear()
        self.assertEqual(m.expunge(), ("OK", [b"2"]))
        self.assertEqual([b"Subject: first" in b for b in self.files("grace").values()], [True])
        self.assertEqual(m.select("INBOX"), ("OK", [b"1"]))
        m.store("1", "+FLAGS", "(\\Deleted)")
        m.close()  # CLOSE expunges too (RFC 3501 §6.4.2)
        self.assertEqual(self.files("grace"), {})
        self.assertEqual(len(self.files("grace", "Trash")), 1)

    def test_create_rename_delete_folders(self):
        m = self.imap("heidi")
        root = os.path.join(self.mail_dir, "users", "heidi")
        self.assertEqual(m.create("Projects")[0], "OK")
        self.assertEqual(m.create("Projects.2024")[0], "OK")
        self.assertTrue(os.path.isdir(os.path.join(root, ".Projects", "cur")))
        self.assertTrue(os.path.isdir(os.path.join(root, ".Projects.2024", "new")))
        typ, data = m.create("Projects")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[ALREADYEXISTS]", data[0])
        m.append("Projects.2024", None, None, simple_message("heidi", "plan"))
        typ, data = m.list('""', "Projects*")
        listed = b"\n".join(data)
        self.assertIn(b"\\HasChildren", [line for line in data if line.endswith(b"Projects")][0])
        self.assertIn(b"Projects.2024", listed)
        self.assertEqual(m.rename("Projects", "Archive")[0], "OK")
        self.assertFalse(os.path.exists(os.path.join(root, ".Projects")))
        self.assertFalse(os.path.exists(os.path.join(root, ".Projects.2024")))
        self.assertEqual(len(mail_files(self.mail_dir, "heidi", "Archive.2024")), 1, "children move too")
        self.assertEqual(m.select("Archive.2024"), ("OK", [b"1"]))
        m.close()
        typ, data = m.select("Projects")
        self.assertEqual(typ, "NO")
        self.assertEqual(m.delete("Archive.2024")[0], "OK")
        self.assertFalse(os.path.exists(os.path.join(root, ".Archive.2024")))
        self.assertEqual(m.delete("Archive")[0], "OK")
        self.assertFalse(os.path.exists(os.path.join(root, ".Archive")))
        typ, data = m.delete("INBOX")
        self.assertEqual(typ, "NO")
        names = [re.search(rb'"?([^" ]+)"?$', line).group(1) for line in m.list()[1]]
        self.assertEqual(sorted(names), [b"Drafts", b"INBOX", b"Junk", b"Sent", b"Trash"])
        # A name in modified UTF-7 (RFC 3501 §5.1.3) is stored as sent: "Été" is ".&AMk-t&AOk-".
        self.assertEqual(m.create('"&AMk-t&AOk-"')[0], "OK")
        self.assertTrue(os.path.isdir(os.path.join(root, ".&AMk-t&AOk-", "cur")))
        self.assertIn(b"&AMk-t&AOk-", b"\n".join(m.list()[1]))

    def test_rename_inbox_moves_its_messages(self):
        self.deliver("olivia", simple_message("olivia", "old 1"), simple_message("olivia", "old 2"))
        m = self.imap("olivia")
        self.assertEqual(m.rename("INBOX", "Before")[0], "OK")
        # RFC 3501 §6.3.5: the messages move to the new folder; INBOX stays, empty.
        self.assertEqual(self.files("olivia"), {})
        self.assertEqual(len(self.files("olivia", "Before")), 2)
        self.assertEqual(m.select("INBOX"), ("OK", [b"0"]))
        self.assertEqual(m.select("Before"), ("OK", [b"2"]))

    def test_subscribe_lsub_status(self):
        self.deliver("ivan", simple_message("ivan", "a"), simple_message("ivan", "b"), simple_message("ivan", "c"))
        m = self.imap("ivan")
        m.create("Work")
        self.assertEqual(m.subscribe("Work")[0], "OK")
        self.assertEqual(m.subscribe("INBOX")[0], "OK")
        typ, data = m.lsub('""', "*")
        names = sorted(re.search(rb'"?([^" ]+)"?$', line).group(1) for line in data if line)
        self.assertEqual(names, [b"INBOX", b"Work"])
        self.assertTrue(os.path.exists(os.path.join(self.mail_dir, "users", "ivan", "subscriptions")))
        m.unsubscribe("Work")
        typ, data = m.lsub('""', "*")
        self.assertEqual([line for line in data if line and b"Work" in line], [])
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Seen)")
        uidnext = int(m.response("UIDNEXT")[1][0])
        uidvalidity = int(m.response("UIDVALIDITY")[1][0])
        m.close()
        typ, data = m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")
        self.assertEqual(typ, "OK")
        got = dict(re.findall(rb"([A-Z]+) (\d+)", data[0]))
        self.assertEqual(got, {b"MESSAGES": b"3", b"UNSEEN": b"2", b"UIDNEXT": str(uidnext).encode(),
                               b"UIDVALIDITY": str(uidvalidity).encode()})
        self.assertIn(b"MESSAGES 0", m.status("Work", "(MESSAGES)")[1][0])
        typ, data = m.status("Nowhere", "(MESSAGES)")
        self.assertEqual(typ, "NO")

    def test_idle_sees_an_smtp_delivery(self):
        self.deliver("judy", simple_message("judy", "before"))
        r = self.raw("judy")
        untagged, done = r.cmd("s", "SELECT INBOX")
        self.assertIn(b"* 1 EXISTS", untagged)
        r.send("i IDLE\r\n")
        self.assertTrue(r.line().startswith(b"+ "), "RFC 2177 §3: a continuation, then updates")
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as s:
            s.sendmail("alice@crepes.fr", ["judy@hamburger.edu"], simple_message("judy", "during"))
        r.sock.settimeout(8)  # the delivery wakes the IDLE; the 30 s rescan tick is not what is tested
        lines = [r.line()]
        while lines[-1] != b"* 2 EXISTS":
            self.assertFalse(lines[-1].startswith(b"i "), lines)
            lines.append(r.line())
        # Another session's changes wake the IDLE as well (RFC 2177 §3, issue 12 §2: no poll needed).
        other = self.raw("judy")
        other.cmd("s", "SELECT INBOX")
        other.cmd("a", "STORE 2 +FLAGS.SILENT (\\Flagged)")
        line = r.line()
        while re.match(rb"^\* \d+ RECENT$", line):  # what followed the EXISTS
            line = r.line()
        self.assertRegex(line, rb"^\* 2 FETCH \(FLAGS \([^)]*\\Flagged")
        other.cmd("b", "STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.cmd("c", "EXPUNGE")
        lines = [r.line()]
        while lines[-1] != b"* 1 EXPUNGE":
            self.assertRegex(lines[-1], rb"^\* 1 FETCH \(FLAGS", "at most the \\Deleted before the EXPUNGE")
            lines.append(r.line())
        r.send("DONE\r\n")
        rest, done = r.until("i")
        self.assertTrue(done.startswith(b"i OK"), done)
        untagged, done = r.cmd("f", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertTrue(done.startswith(b"f OK"))
        self.assertIn(b"Subject: during", untagged[0])

    def test_append_with_literal_plus(self):
        msg = simple_message("niaj", "draft")
        r = self.raw("niaj")
        r.send(b"a APPEND Drafts (\\Draft) {%d+}\r\n" % len(msg) + msg + b"\r\n")
        untagged, done = r.until("a")
        self.assertEqual(untagged, [], "no continuation for a non-synchronizing literal")
        self.assertRegex(done, rb"^a OK \[APPENDUID \d+ 1\]")
        (name, stored), = self.files("niaj", "Drafts").items()
        self.assertEqual((file_flags(name), stored), ("D", msg))
        # A synchronizing one waits for "+ " before the data (RFC 3501 §7.5).
        r.send(b"b APPEND Drafts {%d}\r\n" % len(msg))
        self.assertTrue(r.line().startswith(b"+ "))
        r.send(msg + b"\r\n")
        _, done = r.until("b")
        self.assertRegex(done, rb"^b OK \[APPENDUID \d+ 2\]")
        self.assertEqual(len(self.files("niaj", "Drafts")), 2)

    def test_examine_is_read_only_and_wrong_state(self):
        self.deliver("mallory", simple_message("mallory", "ro"))
        r = self.raw()
        _, done = r.cmd("a", "SELECT INBOX")
        self.assertTrue(done.startswith(b"a BAD") or done.startswith(b"a NO"), "RFC 3501 §6.3: log in first")
        r.login("mallory")
        _, done = r.cmd("b", "FETCH 1 FLAGS")
        self.assertTrue(done.startswith(b"b BAD") or done.startswith(b"b NO"), "nothing selected")
        untagged, done = r.cmd("c", "EXAMINE INBOX")
        self.assertTrue(done.startswith(b"c OK [READ-ONLY]"), done)
        untagged, done = r.cmd("d", "FETCH 1 (BODY[TEXT])")
        self.assertFalse(any(b"\\Seen" in line for line in untagged), "EXAMINE: BODY[] sets no \\Seen")
        _, done = r.cmd("e", "STORE 1 +FLAGS (\\Deleted)")
        self.assertTrue(done.startswith(b"e NO") or done.startswith(b"e BAD"), done)
        _, done = r.cmd("f", "EXPUNGE")
        self.assertTrue(done.startswith(b"f NO"), done)
        self.assertEqual([file_flags(n) for n in self.files("mallory")], [""])


class ImapWithCurl(ImapCase):
    def curl(self, user, url, *extra):
        r = subprocess.run(["curl", "-sS", "--max-time", "20", "-u", "%s:%s" % (user, PASSWORD),
                            "imap://127.0.0.1:%d/%s" % (self.imap_port, url)] + list(extra),
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_curl_lists_fetches_by_uid_and_searches(self):
        files = self.deliver("bob", simple_message("bob", "curl one"), simple_message("bob", "curl two"))
        listing = self.curl("bob", "").decode()
        names = sorted(re.search(r'"?([^" ]+)"?$', line).group(1) for line in listing.split("\r\n") if line)
        self.assertEqual(names, ["Drafts", "INBOX", "Junk", "Sent", "Trash"])
        self.assertIn("\\Sent", listing)
        m = self.imap("bob")
        m.select("INBOX", readonly=True)
        uids = m.uid("SEARCH", "ALL")[1][0].split()
        got = self.curl("bob", "INBOX;UID=%s" % uids[1].decode())
        self.assertIn(b"Subject: curl two\r\n", got)
        self.assertIn(got, files.values())
        found = self.curl("bob", "INBOX", "-X", "SEARCH SUBJECT \"curl one\"").decode()
        self.assertEqual(found.strip(), "* SEARCH 1")
        found = self.curl("bob", "INBOX", "-X", "UID SEARCH ALL").decode()
        self.assertEqual(found.strip(), "* SEARCH " + " ".join(u.decode() for u in uids))
        part = self.curl("bob", "INBOX;UID=%s;SECTION=HEADER.FIELDS%%20(SUBJECT)" % uids[0].decode())
        self.assertEqual(part.strip(), b"Subject: curl one")


class ImapStarttls(ImapCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cert, key = cls.pki.leaf("imap", ["mail.hamburger.edu"])
        cls.EXTRA = tls_args((cert, key))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.pki.close()

    def test_starttls_then_login(self):
        self.deliver("bob", simple_message("bob", "secret"))
        m = self.imap()
        self.assertIn("STARTTLS", m.capabilities)
        m.starttls(ssl_context=self.pki.client_context())
        self.assertNotIn("STARTTLS", m.capabilities, "RFC 3501 §6.2.1: not offered once TLS is on")
        m.login("bob", PASSWORD)
        m.select("INBOX")
        self.assertIn(b"Subject: secret", literals(m.fetch("1", "(BODY.PEEK[HEADER])")[1])[0])

    def test_commands_sent_behind_starttls_are_dropped(self):
        r = self.raw()
        # The LOGIN must never run (RFC 3501 §6.2.1, CVE-2011-0411): after TLS the session is not logged in.
        r.send("a STARTTLS\r\nb LOGIN alice %s\r\n" % PASSWORD)
        _, done = r.until("a")
        self.assertTrue(done.startswith(b"a OK"), done)
        tls = self.pki.client_context().wrap_socket(r.sock, server_hostname="127.0.0.1")
        t = Raw(None, sock=tls)
        untagged, done = t.cmd("c", "SELECT INBOX")
        self.assertFalse(done.startswith(b"c OK"), (untagged, done))
        self.assertFalse(any(line.startswith(b"b ") for line in untagged), untagged)
        untagged, done = t.cmd("d", "CAPABILITY")
        self.assertNotIn(b"STARTTLS", untagged[0])
        t.login("alice")
        t.cmd("e", "LOGOUT")
        tls.close()


class ImapConcurrency(ImapCase):
    POP3 = True

    FETCH_UID = re.compile(rb"^\* (\d+) FETCH \(.*UID (\d+)")

    def apply(self, model, lines, allow_expunge=True):
        """Applies the untagged EXISTS and EXPUNGE of `lines` to `model` (the UIDs by sequence number) and
        checks every FETCH's UID against it."""
        for line in lines:
            mm = re.match(rb"^\* (\d+) EXPUNGE$", line)
            if mm:
                self.assertTrue(allow_expunge, "RFC 3501 §7.4.1: no EXPUNGE during FETCH: %r" % lines)
                n = int(mm.group(1))
                self.assertLessEqual(n, len(model), lines)
                del model[n - 1]
                continue
            mm = re.match(rb"^\* (\d+) EXISTS$", line)
            if mm:
                self.assertGreaterEqual(int(mm.group(1)), len(model), "EXISTS never shrinks the mailbox")
                model.extend([None] * (int(mm.group(1)) - len(model)))
                continue
            mm = self.FETCH_UID.match(line)
            if mm:
                seq, uid = int(mm.group(1)), int(mm.group(2))
                self.assertLessEqual(seq, len(model), lines)
                if model[seq - 1] is None:
                    model[seq - 1] = uid
                self.assertEqual(model[seq - 1], uid, "sequence %d is UID %d in this session's view" % (seq, uid))

    def uids(self, r, tag):
        untagged, done = r.cmd(tag, "UID SEARCH ALL")
        self.assertTrue(done.startswith(tag.encode() + b" OK"), done)
        line = [x for x in untagged if x.startswith(b"* SEARCH")][0]
        return [int(x) for x in line.split()[2:]]

    def test_expunge_in_one_session_while_the_other_fetches(self):
        self.deliver("bob", *[simple_message("bob", "n%d" % i) for i in range(5)])
        a, b = self.raw("bob"), self.raw("bob")
        a.cmd("s", "SELECT INBOX")
        b.cmd("s", "SELECT INBOX")
        model = self.uids(b, "u")
        self.assertEqual(len(model), 5)
        _, done = a.cmd("a1", "STORE 2 +FLAGS.SILENT (\\Deleted)")
        untagged, done = a.cmd("a2", "EXPUNGE")
        self.assertEqual(untagged, [b"* 2 EXPUNGE"])
        # B has not heard of it: FETCH must not send the EXPUNGE (RFC 3501 §7.4.1); message 3 is still the
        # third of B's view.
        untagged, done = b.cmd("b1", "FETCH 3 (UID)")
        self.apply(model, untagged, allow_expunge=False)
        self.assertIn(b"* 3 FETCH (UID %d)" % model[2], untagged)
        # The expunged message itself: its data (Dovecot's way) or NO [EXPUNGEISSUED] (RFC 9051 §7.4.1).
        untagged, done = b.cmd("b2", "FETCH 2 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertTrue(done.startswith(b"b2 OK") or done.startswith(b"b2 NO"), done)
        self.apply(model, untagged, allow_expunge=False)
        a.cmd("a3", "STORE 1 +FLAGS.SILENT (\\Flagged)")
        untagged, done = b.cmd("b3", "NOOP")
        self.assertIn(b"* 2 EXPUNGE", untagged)
        self.assertTrue(any(re.match(rb"^\* 1 FETCH \(.*\\Flagged", x) for x in untagged), untagged)
        self.apply(model, untagged)
        untagged, done = b.cmd("b4", "FETCH 1:* (UID)")
        self.apply(model, untagged, allow_expunge=False)
        self.assertEqual(len([x for x in untagged if b" FETCH " in x]), 4)
        self.assertEqual(model, self.uids(a, "a4"))

    def test_expunging_and_fetching_at_once(self):
        self.deliver("alice", *[simple_message("alice", "m%d" % i) for i in range(30)])
        a, b = self.raw("alice"), self.raw("alice")
        a.cmd("s", "SELECT INBOX")
        b.cmd("s", "SELECT INBOX")
        model = self.uids(b, "u")
        errors = []

        def expunger():
            try:
                for i in range(20):
                    _, done = a.cmd("x%d" % i, "STORE 1 +FLAGS.SILENT (\\Deleted)")
                    assert done.startswith(b"x%d OK" % i), done
                    _, done = a.cmd("y%d" % i, "EXPUNGE")
                    assert done.startswith(b"y%d OK" % i), done
            except Exception as e:  # reported by the main thread
                errors.append(e)

        t = threading.Thread(target=expunger)
        t.start()
        rounds = 0
        while t.is_alive() or rounds < 3:
            rounds += 1
            untagged, done = b.cmd("f%d" % rounds, "FETCH 1:* (UID FLAGS)")
            self.assertTrue(done.startswith(b"f%d OK" % rounds) or done.startswith(b"f%d NO" % rounds), done)
            self.apply(model, untagged, allow_expunge=False)
            untagged, done = b.cmd("n%d" % rounds, "NOOP")
            self.assertTrue(done.startswith(b"n%d OK" % rounds), done)
            self.apply(model, untagged)
        t.join()
        self.assertEqual(errors, [])
        untagged, _ = b.cmd("last", "NOOP")
        self.apply(model, untagged)
        self.assertEqual(len(model), 10)
        self.assertEqual(model, self.uids(a, "ua"))
        self.assertEqual(model, self.uids(b, "ub"))
        self.assertEqual(len(self.files("alice")), 10)

    def test_pop3_and_imap_at_once(self):
        self.deliver("carol", simple_message("carol", "p1"), simple_message("carol", "p2"),
                     simple_message("carol", "p3"))
        r = self.raw("carol")
        untagged, _ = r.cmd("s", "SELECT INBOX")
        self.assertIn(b"* 3 EXISTS", untagged)
        model = self.uids(r, "u")
        p = poplib.POP3("127.0.0.1", self.pop3_port, timeout=10)
        p.user("carol")
        p.pass_(PASSWORD)
        self.assertEqual(p.stat()[0], 3)
        p.retr(1)
        p.dele(2)
        untagged, _ = r.cmd("n1", "NOOP")
        self.assertFalse(any(b"EXPUNGE" in x for x in untagged), "POP3 deletes at QUIT only (RFC 1939 §6)")
        p.quit()
        untagged, done = r.cmd("n2", "NOOP")
        self.assertTrue(done.startswith(b"n2 OK"), done)
        self.assertIn(b"* 2 EXPUNGE", untagged)
        self.assertTrue(any(re.match(rb"^\* 1 FETCH \(.*FLAGS \([^)]*\\Seen", x) for x in untagged), untagged)
        self.apply(model, untagged)
        untagged, _ = r.cmd("f", "FETCH 1:* (UID FLAGS)")
        self.apply(model, untagged, allow_expunge=False)
        self.assertEqual(len(model), 2)
        self.assertIn(b"\\Seen", [x for x in untagged if x.startswith(b"* 1 FETCH")][0])
        self.assertNotIn(b"\\Seen", [x for x in untagged if x.startswith(b"* 2 FETCH")][0])
        # And the other way round: IMAP expunges while a POP3 session holds its snapshot.
        p = poplib.POP3("127.0.0.1", self.pop3_port, timeout=10)
        p.user("carol")
        p.pass_(PASSWORD)
        self.assertEqual(p.stat()[0], 2)
        r.cmd("d", "STORE 2 +FLAGS.SILENT (\\Deleted)")
        untagged, _ = r.cmd("e", "EXPUNGE")
        self.assertEqual(untagged, [b"* 2 EXPUNGE"])
        _, lines, _ = p.retr(1)
        self.assertIn(b"Subject: p1", lines)
        try:
            p.retr(2)  # gone underneath: an -ERR, not a crash
        except poplib.error_proto:
            pass
        p.quit()
        _, done = r.cmd("z", "NOOP")
        self.assertTrue(done.startswith(b"z OK"))
        self.assertEqual(len(self.files("carol")), 1)


class ImapRestart(TestCase):
    def start(self, mail_dir, users):
        return start_mail(mail_dir, ["hamburger.edu"], "--users", users, "--imap", "127.0.0.1:0", wait_for=2)

    def state(self, server):
        """(UIDVALIDITY, UIDNEXT, {uid: (flags, subject)}) of bob's INBOX."""
        m = imaplib.IMAP4("127.0.0.1", server.address("mail", "imap")[1], timeout=10)
        m.login("bob", PASSWORD)
        m.select("INBOX", readonly=True)
        uidvalidity = int(m.response("UIDVALIDITY")[1][0])
        uidnext = int(m.response("UIDNEXT")[1][0])
        typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        out = {}
        for item in data:
            if isinstance(item, tuple):
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode()
                out[uid] = (" ".join(sorted(flags.split())), item[1].strip().decode())
        m.logout()
        return uidvalidity, uidnext, out

    def test_uids_survive_a_restart_and_a_lost_index(self):
        base = tempfile.mkdtemp(prefix="endhost-imap-restart-")
        self.addCleanup(shutil.rmtree, base, True)
        mail_dir = os.path.join(base, "mail")
        users = users_file(base, {"bob": PASSWORD})
        with self.start(mail_dir, users) as first:
            with smtplib.SMTP("127.0.0.1", first.address("mail", "tcp")[1], timeout=10) as s:
                for i in range(4):
                    s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], simple_message("bob", "r%d" % i))
            wait_count(mail_dir, "bob", 4)
            m = imaplib.IMAP4("127.0.0.1", first.address("mail", "imap")[1], timeout=10)
            m.login("bob", PASSWORD)
            m.select("INBOX")
            m.store("2", "+FLAGS", "(\\Seen $Work)")
            m.store("3", "+FLAGS", "(\\Deleted)")
            m.expunge()  # a gap in the UIDs: a rebuild must not renumber quietly under the same UIDVALIDITY
            m.logout()
            before = self.state(first)
            self.assertEqual(first.stop(), 0)
        self.assertEqual(len(before[2]), 3)
        self.assertEqual(sorted(f for f, _ in before[2].values()), ["", "", "$Work \\Seen"])
        with self.start(mail_dir, users) as second:
            after = self.state(second)
            self.assertEqual(second.stop(), 0)
        self.assertEqual(after, before, "UIDVALIDITY, UIDNEXT, UIDs and flags survive a restart")
        os.unlink(os.path.join(mail_dir, "users", "bob", "endhost-uidlist"))
        with self.start(mail_dir, users) as third:
            rebuilt = self.state(third)
            self.assertEqual(third.stop(), 0)
        self.assertNotEqual(rebuilt[0], before[0], "RFC 3501 §2.3.1.1: new UIDs need a new UIDVALIDITY")
        self.assertEqual(sorted(rebuilt[2].values()), sorted(before[2].values()), "every message, flags kept")
        self.assertGreater(rebuilt[1], max(rebuilt[2]))


class ImapHostile(ImapCase):
    def assertServes(self):
        """Another client still gets served."""
        m = self.imap("walter")
        self.assertEqual(m.select("INBOX")[0], "OK")

    def test_malformed_commands_get_bad(self):
        r = self.raw("bob")
        for tag, text in (("a", "FETCH"), ("b", "SELECT"), ("c", "STORE 1 +FLAGS"), ("d", "LOGIN x y"),
                          ("e", 'LIST "" "unterminated'), ("f", "FROBNICATE"), ("g", "SEARCH (((")):
            _, done = r.cmd(tag, text)
            self.assertTrue(done.startswith(tag.encode() + b" BAD") or done.startswith(tag.encode() + b" NO"),
                            (text, done))
        r.send("\r\n")
        self.assertTrue(r.line().startswith(b"* BAD"))
        _, done = r.cmd("z", "NOOP")
        self.assertTrue(done.startswith(b"z OK"), done)
        self.assertServes()

    def test_bye_after_many_bads(self):
        r = self.raw()
        answers = []
        for i in range(30):
            try:
                r.send("x%d GARBAGE\r\n" % i)
                answers.append(r.line())
            except (EOFError, ConnectionResetError, BrokenPipeError):
                break
            if answers[-1].startswith(b"* BYE"):
                break
        self.assertTrue(answers[-1].startswith(b"* BYE"), answers)
        self.assertTrue(all(a.startswith(b"x") and b" BAD " in a for a in answers[:-1]), answers)
        self.assertLess(len(answers), 30)
        self.assertTrue(r.closed())
        self.assertServes()

    def test_huge_literals_are_refused(self):
        r = self.raw("carol")
        # A synchronizing literal: refused instead of "+ " (RFC 3501 §7.5), and the session goes on.
        r.send("a LOGIN {999999999}\r\n")
        first = r.line()
        self.assertFalse(first.startswith(b"+"), first)
        self.assertTrue(first.startswith(b"a BAD") or first.startswith(b"a NO"), first)
        r.send("b APPEND INBOX {999999999}\r\n")
        first = r.line()
        self.assertTrue(first.startswith(b"b NO [TOOBIG]") or first.startswith(b"b BAD"), first)
        _, done = r.cmd("c", "NOOP")
        self.assertTrue(done.startswith(b"c OK"), done)
        # A non-synchronizing one (RFC 7888 §4): the client sends the data anyway; the server refuses it and
        # either swallows what follows or closes: nothing of the data may run as a command.
        r.send("d APPEND INBOX {999999999+}\r\n" + "e DELETE Trash\r\n" * 100)
        try:
            r.sock.settimeout(3)
            while True:
                line = r.line()
                self.assertFalse(line.startswith(b"e OK"), line)
        except (EOFError, ConnectionResetError, socket.timeout, TimeoutError):
            pass
        self.assertTrue(os.path.isdir(folder_path(self.mail_dir, "carol", "Trash")))
        self.assertServes()

    def test_overlong_line_is_refused(self):
        r = self.raw("dave")
        r.send("a NOOP " + "x" * (70 * 1024) + "\r\n")
        first = r.line()
        self.assertTrue(first.startswith(b"* BAD") or first.startswith(b"a BAD") or first.startswith(b"* BYE"),
                        first[:100])
        if not first.startswith(b"* BYE"):
            _, done = r.cmd("b", "NOOP")
            self.assertTrue(done.startswith(b"b OK"), done)
        # And one far over: 2 MiB in one line, which must not be buffered whole.
        r2 = self.raw("dave")
        try:
            r2.send("a LIST " + "y" * (2 * 1024 * 1024) + "\r\n")
            first = r2.line()
            self.assertTrue(first.startswith(b"* BAD") or first.startswith(b"* BYE"), first[:100])
        except (ConnectionResetError, BrokenPipeError, EOFError):
            pass
        self.assertServes()

    def test_deep_nesting_and_bad_sequence_sets(self):
        r = self.raw("erin")
        r.cmd("s", "SELECT INBOX")
        for tag, text in (("a", "SEARCH " + "(" * 5000 + "ALL" + ")" * 5000),
                          ("b", "FETCH 0 FLAGS"), ("c", "FETCH 1:4294967296 FLAGS"), ("d", "FETCH *:* (FLAGS"),
                          ("e", "FETCH 1 BODY[1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21]<0.99999999999>"),
                          ("f", "UID STORE 1 FLAGS (\\Recent)")):
            _, done = r.cmd(tag, text)
            self.assertRegex(done, rb"^%s (OK|NO|BAD)" % tag.encode())
        _, done = r.cmd("z", "NOOP")
        self.assertTrue(done.startswith(b"z OK"), done)
        self.assertServes()


if __name__ == "__main__":
    unittest.main()
