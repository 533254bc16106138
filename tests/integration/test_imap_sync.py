"""`endhost mail serve --imap` with the user agents of issue 12 §5. mbsync from Debian's isync: a two-way sync of
an account with folders (INBOX, Sent, a custom folder) and flags into a local Maildir; then changes on both
sides (a flag set locally, a message expunged on the server, a message and a folder added locally) synced back;
then a third run that must change nothing on either side (the server's UIDVALIDITY, UIDs, flags and bodies, the
local file names and bodies). neomutt driven in tmux: the index shows the message, the pager its body, the
server marks it \\Seen, and a message deleted in neomutt and synced ($) is expunged on the server."""

import hashlib
import imaplib
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from test_imap import FLAG_LETTERS, PASSWORD, ImapCase, simple_message

FOLDERS_ON_SERVER = ["Drafts", "INBOX", "Junk", "Projects", "Sent", "Trash"]


def digest(body):
    """The message without regard to line ends (mbsync keeps LF in a Maildir and sends CRLF over IMAP) and
    without the X-TUID header mbsync adds to the copies it stores, to find them again after a crash."""
    body = body.replace(b"\r\n", b"\n")
    head, sep, rest = body.partition(b"\n\n")
    head = b"\n".join(line for line in head.split(b"\n") if not line.lower().startswith(b"x-tuid:"))
    return hashlib.sha256(head + sep + rest).hexdigest()[:16]


def tree(root):
    """{path: bytes} of every message file under root (the cur/ and new/ of every Maildir in it)."""
    out = {}
    for dirpath, _, names in os.walk(root):
        if os.path.basename(dirpath) in ("cur", "new"):
            for name in names:
                with open(os.path.join(dirpath, name), "rb") as f:
                    out[os.path.relpath(os.path.join(dirpath, name), root)] = f.read()
    return out


@unittest.skipUnless(shutil.which("mbsync"), "mbsync is not installed (isync; scripts/setup)")
class ImapWithMbsync(ImapCase):
    USERS = ["bob"]

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="mbsync-", dir=self.base)
        self.local = os.path.join(self.home, "Mail")
        os.makedirs(self.local)
        self.rc = os.path.join(self.home, "mbsyncrc")
        with open(self.rc, "w") as f:
            f.write("IMAPAccount endhost\nHost 127.0.0.1\nPort %d\nUser bob\nPass %s\nSSLType None\n"
                    "AuthMechs LOGIN\nTimeout 20\n\n"
                    "IMAPStore endhost-remote\nAccount endhost\n\n"
                    "MaildirStore local\nPath %s/\nInbox %s/INBOX\nSubFolders Verbatim\n\n"
                    "Channel bob\nFar :endhost-remote:\nNear :local:\nPatterns *\nCreate Both\n"
                    "Expunge Both\nSyncState *\n" % (self.imap_port, PASSWORD, self.local, self.local))
        os.chmod(self.rc, 0o600)

    def mbsync(self):
        r = subprocess.run(["mbsync", "-c", self.rc, "-a"], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, HOME=self.home))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout + r.stderr

    def server_side(self):
        """{folder: {uid: (flags, digest)}} and {folder: UIDVALIDITY}, read over IMAP."""
        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        m.login("bob", PASSWORD)
        out, validity = {}, {}
        for line in m.list()[1]:
            name = re.search(rb'"?([^" ]+)"?$', line).group(1).decode()
            typ, data = m.select(name, readonly=True)
            self.assertEqual(typ, "OK", (name, data))
            validity[name] = int(m.response("UIDVALIDITY")[1][0])
            box = {}
            if int(data[0]) > 0:
                typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[])")
                for item in data:
                    if isinstance(item, tuple):
                        uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                        flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
                        letters = "".join(sorted(FLAG_LETTERS[f] for f in flags if f in FLAG_LETTERS))
                        box[uid] = (letters, digest(item[1]))
            out[name] = box
            m.close()
        m.logout()
        return out, validity

    def server_files(self):
        """{folder: sorted [(Maildir info letters, digest)]} of the server's Maildir++ directories."""
        root = os.path.join(self.mail_dir, "users", "bob")
        out = {}
        for entry in sorted(os.listdir(root)):
            if entry != "." and entry.startswith(".") and os.path.isdir(os.path.join(root, entry, "cur")):
                out[entry[1:]] = self._maildir(os.path.join(root, entry))
        out["INBOX"] = self._maildir(root)
        return out

    def local_side(self):
        """{folder: sorted [(flags, digest)]} and {folder: sorted file names} of the local Maildirs."""
        out, names = {}, {}
        for dirpath, dirs, _ in os.walk(self.local):
            if "cur" in dirs and "new" in dirs:
                folder = os.path.relpath(dirpath, self.local).replace(os.sep, ".")
                out[folder] = self._maildir(dirpath)
                names[folder] = sorted(n for sub in ("cur", "new") for n in os.listdir(os.path.join(dirpath, sub)))
        return out, names

    @staticmethod
    def _maildir(path):
        got = []
        for sub in ("cur", "new"):
            for name in os.listdir(os.path.join(path, sub)):
                with open(os.path.join(path, sub, name), "rb") as f:
                    body = f.read()
                info = name.rpartition(":2,")[2] if ":2," in name else ""
                got.append(("".join(sorted(c for c in info if c.isupper())), digest(body)))
        return sorted(got)

    def assertSidesAgree(self):
        server, _ = self.server_side()
        local, _ = self.local_side()
        self.assertEqual({k: sorted(v.values()) for k, v in server.items()}, local)
        # The server's files say the same as its IMAP answers: the flags live in the file names.
        self.assertEqual(self.server_files(), local)
        return server, local

    def test_two_way_sync_then_nothing_to_do(self):
        self.deliver("bob", *[simple_message("bob", "inbox %d" % i, "Message %d.\r\n" % i) for i in range(4)])
        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        m.login("bob", PASSWORD)
        m.create("Projects")
        m.append("Projects", "(\\Answered \\Seen)", None, simple_message("bob", "project plan"))
        m.append("Projects", None, None, simple_message("bob", "project budget"))
        m.append("Sent", "(\\Seen)", None, simple_message("alice", "sent by bob"))
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Seen)")
        m.store("2", "+FLAGS", "(\\Flagged \\Seen)")
        m.logout()

        # First run: everything comes down, with its flags.
        self.mbsync()
        server, local = self.assertSidesAgree()
        self.assertEqual(sorted(local), FOLDERS_ON_SERVER)
        self.assertEqual(len(local["INBOX"]), 4)
        self.assertEqual(sorted(f for f, _ in local["INBOX"]), ["", "", "FS", "S"])
        self.assertEqual(sorted(f for f, _ in local["Projects"]), ["", "RS"])
        self.assertEqual(local["Sent"], [("S", digest(simple_message("alice", "sent by bob")))])

        # Changes on both sides.
        inbox = os.path.join(self.local, "INBOX")
        target = gone = None
        for sub in ("cur", "new"):
            for name in os.listdir(os.path.join(inbox, sub)):
                with open(os.path.join(inbox, sub, name), "rb") as f:
                    body = f.read()
                if b"\nSubject: inbox 0\n" in body:
                    gone = digest(body)
                if b"\nSubject: inbox 3\n" not in body:
                    continue
                target = digest(body)
                base, _, info = name.partition(":2,")
                os.rename(os.path.join(inbox, sub, name),
                          os.path.join(inbox, "cur", base + ":2," + "".join(sorted(info + "F"))))
        flagged = target is not None and gone is not None
        self.assertTrue(flagged)
        added = b"From: bob@hamburger.edu\nTo: alice@crepes.fr\nSubject: written offline\n\nDraft text.\n"
        with open(os.path.join(self.local, "Projects", "new", "%d.offline.client" % time.time()), "wb") as f:
            f.write(added)
        os.makedirs(os.path.join(self.local, "Local", "cur"))
        os.makedirs(os.path.join(self.local, "Local", "new"))
        os.makedirs(os.path.join(self.local, "Local", "tmp"))
        with open(os.path.join(self.local, "Local", "cur", "%d.local.client:2,S" % time.time()), "wb") as f:
            f.write(simple_message("bob", "kept locally").replace(b"\r\n", b"\n"))
        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        m.login("bob", PASSWORD)
        m.select("INBOX")
        typ, data = m.search(None, "SUBJECT", '"inbox 0"')
        m.store(data[0].decode(), "+FLAGS", "(\\Deleted)")
        m.expunge()
        m.logout()

        # Second run: both sides agree.
        self.mbsync()
        server, local = self.assertSidesAgree()
        self.assertEqual(sorted(local), sorted(FOLDERS_ON_SERVER + ["Local"]), "Create Both made it on the server")
        self.assertEqual(sorted(f for f, _ in local["INBOX"]), ["", "F", "FS"])
        self.assertNotIn(gone, [d for _, d in local["INBOX"]])
        self.assertIn(("F", target), local["INBOX"])
        self.assertIn(("", digest(added)), local["Projects"])
        self.assertEqual(local["Local"], [("S", digest(simple_message("bob", "kept locally")))])
        self.assertTrue(any(":2,F" in n for n in os.listdir(os.path.join(self.mail_dir, "users", "bob", "cur"))),
                        "the flag set locally is in the server's file name")

        # Third run: nothing to do on either side, to the byte.
        server_before = self.server_side()
        trees_before = tree(os.path.join(self.mail_dir, "users", "bob")), tree(self.local)
        self.mbsync()
        self.assertEqual(self.server_side(), server_before, "the server's UIDVALIDITY, UIDs, flags, bodies")
        self.assertEqual(tree(os.path.join(self.mail_dir, "users", "bob")), trees_before[0], "the server's files")
        self.assertEqual(tree(self.local), trees_before[1], "the local files")


@unittest.skipUnless(shutil.which("neomutt") and shutil.which("tmux"),
                     "neomutt or tmux is not installed (scripts/setup)")
class ImapWithNeomutt(ImapCase):
    USERS = ["bob"]

    def screen(self):
        return subprocess.run(["tmux", "-S", self.socket, "capture-pane", "-p", "-t", "mutt"], capture_output=True,
                              text=True, timeout=10).stdout

    def wait_screen(self, text, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError("%r not on the screen:\n%s" % (text, self.screen()))

    def keys(self, *keys):
        subprocess.run(["tmux", "-S", self.socket, "send-keys", "-t", "mutt"] + list(keys), check=True, timeout=10)

    def wait_files(self, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                names = list(self.files("bob"))
            except FileNotFoundError:
                # Listed, then renamed or expunged before it was read: the server is changing the folder
                # (a flag store renames the file, EXPUNGE unlinks it); look again.
                names = None
            if names is not None and predicate(names):
                return names
            time.sleep(0.1)
        raise AssertionError("the server's INBOX: %s\n%s" % (list(self.files("bob")), self.screen()))

    def test_read_and_delete_a_message(self):
        self.deliver("bob", simple_message("bob", "Ketchup for lunch", "Do you like ketchup?\r\nHow about pickles?\r\n",
                                           date="Mon, 02 Dec 2024 10:00:00 +0000"),
                     simple_message("bob", "Old news", "Delete me.\r\n"))
        home = tempfile.mkdtemp(prefix="neomutt-", dir=self.base)
        rc = os.path.join(home, "muttrc")
        with open(rc, "w") as f:
            f.write('set folder="imap://bob@127.0.0.1:%d/"\nset imap_pass="%s"\nset spoolfile="+INBOX"\n'
                    "set ssl_starttls=no\nset ssl_force_tls=no\nset imap_authenticators=login\n"
                    'set header_cache=""\nset message_cachedir=""\nset sort=date-sent\nset delete=yes\n'
                    "set quit=yes\nset pager_stop=yes\nset mark_old=no\nset wait_key=no\n" % (self.imap_port, PASSWORD))
        os.chmod(rc, 0o600)
        self.socket = os.path.join(home, "tmux")  # a tmux server of this test's own
        subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", "mutt", "-x", "120",
                        "-y", "40", "neomutt -n -F %s" % rc], env=dict(os.environ, HOME=home, TERM="xterm"),
                       check=True, timeout=10)
        self.addCleanup(subprocess.run, ["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=10)
        index = self.wait_screen("Ketchup for lunch")
        self.assertIn("Old news", index)
        # Open the first (the older by Date:), read it in the pager.
        self.keys("Home")
        self.keys("Enter")
        pager = self.wait_screen("How about pickles?")
        self.assertIn("Subject: Ketchup for lunch", pager)
        self.keys("q")
        self.wait_screen("Old news")
        # Delete the other one and sync ($): neomutt (imap_peek) fetched with BODY.PEEK and now stores the
        # \\Seen it keeps, and \\Deleted, and expunges.
        self.keys("End")
        self.keys("d")
        self.keys("$")
        names = self.wait_files(lambda names: len(names) == 1)
        self.assertTrue(names[0].endswith(":2,S"), names)
        self.assertIn(b"Subject: Ketchup for lunch", self.files("bob")[names[0]])
        self.keys("q")


if __name__ == "__main__":
    unittest.main()
