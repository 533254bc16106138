"""`endhost ftp serve` with independent clients (issue 13 §1 and §4): python's ftplib (active and passive,
REST, ABOR during a big RETR, STAT), curl (PASV, EPSV, EPRT with -P -, AUTH TLS, -T uploads, -C - resume) and
lftp (mirror a tree both ways, ftp:ssl-force); anonymous read-only; users from a users file with htpasswd -B
hashes; --writable uploads; the --trace lines."""

import ftplib
import os
import shutil
import signal
import ssl
import tempfile
import time
import unittest

from endhost_test import TestCase, run
from test_tls_serve import Pki
from ftp_util import (Control, ServerTestCase, connect, curl, lftp, make_tree, read, retr, rmtree, source, tree_of,
                      users_file)

SMALL = b"hello, ftp\n"
TEXT = "line one\nline two\nline three\n" * 100
MEDIUM = os.urandom(3 * 1024 * 1024 + 11)
BIG_SIZE = 96 * 1024 * 1024  # big enough that ABOR arrives while the data is still flowing


def tree_files():
    return {
        "small.txt": SMALL,
        "text.txt": TEXT,
        "medium.bin": MEDIUM,
        "pub/a.txt": "a\n",
        "pub/b c.txt": "b c\n",
        "pub/sub/deep.txt": "deep\n",
        "empty/.keep": "",
    }


def write_big(path):
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(BIG_SIZE >> 20):
            f.write(chunk)


class AnonymousReadOnly(ServerTestCase):
    """--anonymous without --writable: everything readable, nothing writable."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_tree(tree_files())
        write_big(os.path.join(cls.root, "big.bin"))
        cls.temporary = (cls.root,)
        cls.serve(cls.root, "--anonymous")


    def test_greeting_and_anonymous_login(self):
        c = Control(self.port)
        self.assertTrue(c.greeting.startswith("220"), c.greeting)
        self.assertTrue(c.cmd("USER anonymous").startswith("331"))
        self.assertTrue(c.cmd("PASS someone@example.org").startswith("230"))
        self.assertEqual(c.cmd("PWD")[:3], "257")
        self.assertIn('"/"', c.cmd("PWD"))
        self.assertTrue(c.cmd("QUIT").startswith("221"))
        self.assertTrue(c.closed())

    def test_login_as_ftp_is_anonymous_too(self):
        ftp = connect(self.port, "ftp", "x@y")
        self.assertEqual(retr(ftp, "small.txt"), SMALL)
        ftp.quit()

    def test_passive_retr_and_listings(self):
        ftp = connect(self.port)
        self.assertEqual(retr(ftp, "small.txt"), SMALL)
        self.assertEqual(retr(ftp, "/medium.bin"), MEDIUM)
        self.assertEqual(sorted(ftp.nlst("pub")), sorted(["pub/a.txt", "pub/b c.txt", "pub/sub"])
                         if ftp.nlst("pub")[0].startswith("pub/") else ["a.txt", "b c.txt", "sub"])
        lines = []
        ftp.retrlines("LIST pub", lines.append)
        self.assertTrue(any(l.endswith(" a.txt") and l.startswith("-") for l in lines), lines)
        self.assertTrue(any(l.endswith(" sub") and l.startswith("d") for l in lines), lines)
        self.assertTrue(any(l.endswith(" b c.txt") for l in lines), lines)
        facts = dict(ftp.mlsd("pub", facts=["type", "size"]))
        self.assertEqual(facts["a.txt"]["type"], "file")
        self.assertEqual(facts["a.txt"]["size"], "2")
        self.assertEqual(facts["sub"]["type"], "dir")
        ftp.quit()

    def test_nlst_and_list_take_a_glob_in_the_last_name(self):
        # vsftpd's behaviour, and what the BSD ftp client's mget sends: NLST *.txt.
        ftp = connect(self.port)
        ftp.cwd("pub")
        self.assertEqual(sorted(ftp.nlst("*.txt")), ["a.txt", "b c.txt"])
        self.assertEqual(ftp.nlst("?.txt"), ["a.txt"])
        lines = []
        ftp.retrlines("LIST s*", lines.append)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("d") and lines[0].endswith(" sub"), lines)
        with self.assertRaises(ftplib.error_perm):
            ftp.nlst("nothing/*.txt")  # no such directory: 550, not an empty listing
        ftp.cwd("/")
        self.assertEqual(ftp.nlst("*.bin"), sorted(ftp.nlst("*.bin")))
        self.assertEqual(sorted(ftp.nlst("*.bin")), ["big.bin", "medium.bin"])
        ftp.quit()

    def test_active_retr_and_list(self):
        ftp = connect(self.port, passive=False)
        self.assertEqual(retr(ftp, "medium.bin"), MEDIUM)
        lines = []
        ftp.retrlines("LIST", lines.append)
        self.assertTrue(any(l.endswith(" small.txt") for l in lines), lines)
        ftp.quit()

    def test_cwd_cdup_pwd(self):
        ftp = connect(self.port)
        ftp.cwd("pub/sub")
        self.assertEqual(ftp.pwd(), "/pub/sub")
        self.assertEqual(retr(ftp, "deep.txt"), b"deep\n")
        ftp.sendcmd("CDUP")
        self.assertEqual(ftp.pwd(), "/pub")
        self.assertEqual(retr(ftp, "a.txt"), b"a\n")
        with self.assertRaises(ftplib.error_perm) as e:
            ftp.cwd("nowhere")
        self.assertTrue(str(e.exception).startswith("550"), e.exception)
        ftp.quit()

    def test_size_mdtm_mlst(self):
        ftp = connect(self.port)
        ftp.voidcmd("TYPE I")
        self.assertEqual(ftp.size("medium.bin"), len(MEDIUM))
        mdtm = ftp.sendcmd("MDTM small.txt")
        expected = time.strftime("%Y%m%d%H%M%S", time.gmtime(os.stat(os.path.join(self.root, "small.txt")).st_mtime))
        self.assertEqual(mdtm, "213 " + expected)
        mlst = ftp.sendcmd("MLST small.txt")
        self.assertTrue(mlst.startswith("250"), mlst)
        self.assertIn("size=%d;" % len(SMALL), mlst.lower())
        self.assertIn("type=file;", mlst.lower())
        with self.assertRaises(ftplib.error_perm):
            ftp.size("missing.txt")
        ftp.quit()

    def test_rest_then_retr(self):
        ftp = connect(self.port)
        self.assertEqual(retr(ftp, "medium.bin", rest=1000), MEDIUM[1000:])
        self.assertEqual(retr(ftp, "medium.bin", rest=len(MEDIUM) - 5), MEDIUM[-5:])
        # REST applies to the next transfer only.
        self.assertEqual(retr(ftp, "small.txt"), SMALL)
        ftp.quit()

    def test_ascii_type_converts_line_endings(self):
        ftp = connect(self.port)
        ftp.voidcmd("TYPE A")
        conn = ftp.transfercmd("RETR text.txt")
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.close()
        ftp.voidresp()
        self.assertEqual(data, TEXT.replace("\n", "\r\n").encode())
        ftp.quit()

    def test_abor_during_a_big_retr_gives_426_then_226(self):
        ftp = connect(self.port)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR big.bin")
        got = conn.recv(65536)
        self.assertTrue(got)
        # ftplib sends ABOR with the last byte urgent (MSG_OOB), as RFC 959 §4.1.3 suggests with Telnet Synch.
        first = ftp.abort()
        self.assertTrue(first.startswith("426"), first)
        self.assertTrue(ftp.getresp().startswith("226"))
        conn.close()
        # The session goes on.
        self.assertEqual(retr(ftp, "small.txt"), SMALL)
        ftp.quit()

    def test_abor_sent_plainly_during_a_big_retr(self):
        ftp = connect(self.port)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR big.bin")
        self.assertTrue(conn.recv(65536))
        ftp.putcmd("ABOR")
        self.assertTrue(ftp.getline().startswith("426"))
        self.assertTrue(ftp.getresp().startswith("226"))
        conn.close()
        ftp.voidcmd("NOOP")
        ftp.quit()

    def test_abor_without_a_transfer(self):
        ftp = connect(self.port)
        self.assertIn(ftp.sendcmd("ABOR")[:3], ("225", "226"))  # RFC 959 §4.1.3: no transfer to abort
        ftp.quit()

    def test_stat_during_a_transfer_and_stat_of_a_path(self):
        ftp = connect(self.port)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR big.bin")
        received = len(conn.recv(65536))
        ftp.putcmd("STAT")
        status = ftp.getmultiline()
        self.assertTrue(status[:3] in ("211", "213"), status)
        while True:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
        conn.close()
        self.assertTrue(ftp.voidresp().startswith("226"))
        self.assertEqual(received, BIG_SIZE)
        listing = ftp.sendcmd("STAT pub")
        self.assertTrue(listing[:3] in ("211", "212", "213"), listing)
        self.assertIn("a.txt", listing)
        status = ftp.sendcmd("STAT")
        self.assertTrue(status.startswith("211"), status)
        ftp.quit()

    def test_anonymous_writes_are_refused(self):
        ftp = connect(self.port)
        for cmd in ("MKD newdir", "DELE small.txt", "RMD empty", "RNFR small.txt", "SITE CHMOD 777 small.txt"):
            with self.assertRaises((ftplib.error_perm, ftplib.error_reply), msg=cmd) as e:
                ftp.sendcmd(cmd)
            self.assertEqual(str(e.exception)[0], "5", (cmd, e.exception))
        with self.assertRaises(ftplib.error_perm):
            ftp.storbinary("STOR up.txt", source(b"nope"))
        with self.assertRaises(ftplib.error_perm):
            ftp.storbinary("APPE small.txt", source(b"nope"))
        ftp.quit()
        self.assertFalse(os.path.exists(os.path.join(self.root, "up.txt")))
        self.assertTrue(os.path.exists(os.path.join(self.root, "small.txt")))
        self.assertEqual(read(os.path.join(self.root, "small.txt")), SMALL)

    def test_unknown_user_is_refused_without_users_file(self):
        c = Control(self.port)
        c.cmd("USER alice")
        self.assertTrue(c.cmd("PASS secret").startswith("530"))
        c.close()

    def test_commands_before_login_need_login(self):
        c = Control(self.port)
        self.assertTrue(c.cmd("PWD").startswith("530"))
        self.assertTrue(c.cmd("RETR small.txt").startswith("530"))
        self.assertTrue(c.cmd("FOO").startswith("5"))
        c.close()

    def test_feat_syst_help_noop_acct(self):
        c = Control(self.port)
        feat = c.cmd("FEAT")
        self.assertTrue(feat.startswith("211-"), feat)
        for f in ("EPSV", "MDTM", "MLST", "REST STREAM", "SIZE", "UTF8"):
            self.assertIn(f, feat)
        self.assertTrue(c.cmd("SYST").startswith("215 UNIX"))
        self.assertTrue(c.cmd("NOOP").startswith("200"))
        c.cmd("USER anonymous")
        c.cmd("PASS x")
        self.assertTrue(c.cmd("ACCT x").startswith("502"))
        self.assertTrue(c.cmd("HELP").startswith("214"))
        self.assertEqual(c.cmd("TYPE X")[0], "5")
        self.assertTrue(c.cmd("MODE S").startswith("200"))
        self.assertTrue(c.cmd("STRU F").startswith("200"))
        self.assertTrue(c.cmd("MODE B").startswith("504"))
        c.close()

    # curl -----------------------------------------------------------------------------------------------------
    def url(self, path):
        return "ftp://127.0.0.1:%d/%s" % (self.port, path)

    def test_curl_pasv_epsv_and_eprt(self):
        for flags in (["--ftp-pasv", "--disable-epsv"], ["--ftp-pasv"], ["-P", "-"], ["-P", "-", "--disable-eprt"]):
            r = curl(*flags, self.url("medium.bin"))
            self.assertEqual(r.returncode, 0, (flags, r.stderr))
            self.assertEqual(r.stdout, MEDIUM, flags)

    def test_curl_lists_a_directory(self):
        r = curl(self.url("pub/"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b" a.txt", r.stdout)
        r = curl("--list-only", self.url("pub/"))
        self.assertEqual(sorted(r.stdout.decode().split("\r\n" if b"\r\n" in r.stdout else "\n")[:-1]),
                         ["a.txt", "b c.txt", "sub"])

    def test_curl_resumes_with_rest(self):
        out = tempfile.mkdtemp()
        try:
            part = os.path.join(out, "medium.bin")
            with open(part, "wb") as f:
                f.write(MEDIUM[:123456])
            r = curl("-C", "-", "-o", part, self.url("medium.bin"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(read(part), MEDIUM)
        finally:
            shutil.rmtree(out)

    def test_curl_upload_is_refused_for_anonymous(self):
        out = tempfile.mkdtemp()
        try:
            src = os.path.join(out, "x.txt")
            with open(src, "wb") as f:
                f.write(b"x")
            r = curl("-T", src, self.url("x.txt"))
            self.assertNotEqual(r.returncode, 0)
            self.assertFalse(os.path.exists(os.path.join(self.root, "x.txt")))
        finally:
            shutil.rmtree(out)

    def test_missing_file_is_550(self):
        r = curl(self.url("missing.txt"))
        self.assertEqual(r.returncode, 78, r.stderr)  # CURLE_REMOTE_FILE_NOT_FOUND: the server said 550



class Users(ServerTestCase):
    """--users FILE --writable: users from a users file with htpasswd -B hashes, each in a home under the root,
    uploads durable; anonymous not enabled."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_tree({"alice/readme.txt": "alice's\n", "bob/readme.txt": "bob's\n", "top.txt": "top\n"})
        cls.etc = tempfile.mkdtemp(prefix="endhost-ftp-etc-")
        cls.users = users_file(cls.etc, {"alice": ("wonderland", "/alice"), "bob": ("builder", "/bob")})
        cls.temporary = (cls.root, cls.etc)
        cls.serve(cls.root, "--users", cls.users, "--writable", "--trace")


    def alice(self, **kw):
        return connect(self.port, "alice", "wonderland", **kw)

    def test_login_lands_in_the_home_and_stays_there(self):
        ftp = self.alice()
        self.assertEqual(retr(ftp, "readme.txt"), b"alice's\n")
        ftp.cwd("..")
        with self.assertRaises(ftplib.error_perm):
            retr(ftp, "bob/readme.txt")
        with self.assertRaises(ftplib.error_perm):
            retr(ftp, "../bob/readme.txt")
        with self.assertRaises(ftplib.error_perm):
            retr(ftp, "top.txt")
        ftp.quit()

    def test_wrong_password_and_unknown_user_get_530(self):
        for user, password in (("alice", "wrong"), ("nobody", "wonderland"), ("anonymous", "x")):
            c = Control(self.port)
            reply = c.cmd("USER " + user)
            if reply.startswith("331"):  # vsftpd refuses anonymous already at USER when it is off
                reply = c.cmd("PASS " + password)
            self.assertTrue(reply.startswith("530"), (user, reply))
            c.close()

    def test_stor_retr_appe_rename_delete(self):
        ftp = self.alice()
        ftp.storbinary("STOR up.bin", source(MEDIUM))
        path = os.path.join(self.root, "alice", "up.bin")
        self.assertEqual(read(path), MEDIUM)
        self.assertEqual(retr(ftp, "up.bin"), MEDIUM)
        ftp.storbinary("APPE up.bin", source(b"tail"))
        self.assertEqual(read(path), MEDIUM + b"tail")
        ftp.rename("up.bin", "renamed.bin")
        self.assertFalse(os.path.exists(path))
        self.assertTrue(os.path.exists(os.path.join(self.root, "alice", "renamed.bin")))
        ftp.delete("renamed.bin")
        self.assertFalse(os.path.exists(os.path.join(self.root, "alice", "renamed.bin")))
        ftp.mkd("made")
        self.assertTrue(os.path.isdir(os.path.join(self.root, "alice", "made")))
        ftp.rmd("made")
        self.assertFalse(os.path.exists(os.path.join(self.root, "alice", "made")))
        # No temporary left in the listing or on disk.
        self.assertEqual(sorted(os.listdir(os.path.join(self.root, "alice"))), ["readme.txt"])
        ftp.quit()

    def test_stou_makes_a_unique_name(self):
        ftp = self.alice()
        ftp.voidcmd("TYPE I")
        conn, _ = ftp.ntransfercmd("STOU")
        conn.sendall(b"unique")
        conn.close()
        resp = ftp.voidresp()
        self.assertTrue(resp.startswith("226") or resp.startswith("250"), resp)
        made = [n for n in os.listdir(os.path.join(self.root, "alice")) if n != "readme.txt"]
        self.assertEqual(len(made), 1, made)
        self.assertEqual(read(os.path.join(self.root, "alice", made[0])), b"unique")
        os.unlink(os.path.join(self.root, "alice", made[0]))
        ftp.quit()

    def test_active_upload(self):
        ftp = self.alice(passive=False)
        ftp.storbinary("STOR active.bin", source(MEDIUM))
        self.assertEqual(read(os.path.join(self.root, "alice", "active.bin")), MEDIUM)
        ftp.delete("active.bin")
        ftp.quit()

    def test_curl_upload_and_resume_upload(self):
        out = tempfile.mkdtemp()
        try:
            src = os.path.join(out, "src.bin")
            with open(src, "wb") as f:
                f.write(MEDIUM)
            url = "ftp://alice:wonderland@127.0.0.1:%d/curl.bin" % self.port
            r = curl("-T", src, url)
            self.assertEqual(r.returncode, 0, r.stderr)
            dst = os.path.join(self.root, "alice", "curl.bin")
            self.assertEqual(read(dst), MEDIUM)
            # A cut upload resumed with -C - (curl asks SIZE, then APPE from there).
            with open(dst, "wb") as f:
                f.write(MEDIUM[:1000000])
            r = curl("-C", "-", "-T", src, url)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(read(dst), MEDIUM)
            os.unlink(dst)
        finally:
            shutil.rmtree(out)

    def test_lftp_mirror_both_ways(self):
        local = make_tree({"m/one.txt": "1\n", "m/two/three.bin": os.urandom(200000), "m/two/four.txt": "4\n",
                           "m/empty.txt": ""})
        back = tempfile.mkdtemp()
        try:
            r = lftp(self.port, "mirror -R m mirrored", user="alice", password="wonderland", cwd=local)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(tree_of(os.path.join(self.root, "alice", "mirrored")), tree_of(os.path.join(local, "m")))
            r = lftp(self.port, "mirror mirrored copy", user="alice", password="wonderland", cwd=back)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(tree_of(os.path.join(back, "copy")), tree_of(os.path.join(local, "m")))
        finally:
            rmtree(local, back, os.path.join(self.root, "alice", "mirrored"))

    def test_a_user_added_by_endhost_ftp_adduser_logs_in(self):
        # adduser writes an {ARGON2ID} line into the same file; SIGHUP makes the server read it again.
        r = run(["ftp", "adduser", "--users", self.users, "carol"], input="carol's secret\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.users) as f:
            self.assertIn("carol:{ARGON2ID}$argon2id$", f.read())
        os.makedirs(os.path.join(self.root, "carol"), exist_ok=True)
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while True:
            try:
                ftp = connect(self.port, "carol", "carol's secret")
                break
            except ftplib.error_perm:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        ftp.storbinary("STOR c.txt", source(b"carol\n"))
        self.assertEqual(read(os.path.join(self.root, "carol", "c.txt")), b"carol\n")
        ftp.quit()
        # alice still logs in with her htpasswd -B hash.
        self.alice().quit()

    def test_trace_prints_both_connections(self):
        ftp = self.alice()
        self.assertEqual(retr(ftp, "readme.txt"), b"alice's\n")
        ftp.quit()
        deadline = time.monotonic() + 5
        lines = []
        while time.monotonic() < deadline:
            lines = list(self.server.stdout_lines)
            if any(l.endswith("S: 226 Transfer complete") or "S: 226" in l for l in lines) and \
                    any("data: 8 bytes" in l for l in lines):
                break
            time.sleep(0.05)
        text = "\n".join(lines)
        self.assertIn("C: USER alice", text)
        self.assertIn("C: PASS ****", text)
        self.assertNotIn("wonderland", text)
        # The textbook's order: the command, the 150, the data, the 226.
        retr_at = text.rindex("C: RETR readme.txt")
        at = [text.index(s, retr_at) for s in ("S: 150 ", "data: 8 bytes", "S: 226 ")]
        self.assertEqual(at, sorted(at), text[retr_at:])


class AnonymousHome(ServerTestCase):
    """--anon-home: anonymous logins see only that directory, users their homes."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_tree({"pub/open.txt": "open\n", "alice/private.txt": "private\n"})
        cls.etc = tempfile.mkdtemp(prefix="endhost-ftp-etc-")
        cls.users = users_file(cls.etc, {"alice": ("wonderland", "alice")})
        cls.temporary = (cls.root, cls.etc)
        cls.serve(cls.root, "--users", cls.users, "--anonymous", "--anon-home", "pub")


    def test_anonymous_sees_only_its_home(self):
        ftp = connect(self.port)
        self.assertEqual(ftp.nlst(), ["open.txt"])
        self.assertEqual(retr(ftp, "/open.txt"), b"open\n")
        for path in ("../alice/private.txt", "/alice/private.txt", "alice/private.txt"):
            with self.assertRaises(ftplib.error_perm, msg=path):
                retr(ftp, path)
        ftp.quit()
        ftp = connect(self.port, "alice", "wonderland")
        self.assertEqual(retr(ftp, "private.txt"), b"private\n")
        ftp.quit()

    def test_anonymous_with_users_needs_an_anonymous_tree(self):
        # Without --anon-home anonymous would read every user's home under --root: a usage error, not a default.
        r = run(["ftp", "serve", "--root", self.root, "--users", self.users, "--anonymous",
                 "--listen", "127.0.0.1:0"], timeout=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--anon-home", r.stderr.splitlines()[0])


class Tls(ServerTestCase):
    """--tls-cert/--tls-key: AUTH TLS, PBSZ 0, PROT P (RFC 4217) with curl, ftplib.FTP_TLS and lftp."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_tree(tree_files())
        cls.etc = tempfile.mkdtemp(prefix="endhost-ftp-tls-")
        cls.pki = Pki()
        cls.cert, cls.key = cls.pki.leaf("ftp", ["localhost"])
        cls.temporary = (cls.root, cls.etc)
        cls.serve(cls.root, "--anonymous", "--tls-cert", cls.cert, "--tls-key", cls.key)

    @classmethod
    def tearDownClass(cls):
        cls.pki.close()
        super().tearDownClass()

    def test_curl_auth_tls(self):
        r = curl("--ftp-ssl-reqd", "--cacert", self.pki.ca, "ftp://127.0.0.1:%d/medium.bin" % self.port)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, MEDIUM)
        r = curl("--ssl", "--cacert", self.pki.ca, "ftp://127.0.0.1:%d/pub/" % self.port)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"a.txt", r.stdout)

    def test_ftplib_prot_p(self):
        ftp = ftplib.FTP_TLS(context=self.pki.client_context(), timeout=10)
        ftp.connect("127.0.0.1", self.port)
        ftp.auth()
        ftp.login()
        ftp.prot_p()
        self.assertEqual(retr(ftp, "medium.bin"), MEDIUM)
        self.assertIsInstance(ftp.sock, ssl.SSLSocket)
        ftp.quit()

    def test_lftp_ssl_force(self):
        out = tempfile.mkdtemp()
        try:
            r = lftp(self.port, "set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:ca-file %s; "
                     "set ssl:check-hostname false; get small.txt" % self.pki.ca, cwd=out)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(read(os.path.join(out, "small.txt")), SMALL)
        finally:
            shutil.rmtree(out)


if __name__ == "__main__":
    unittest.main()
