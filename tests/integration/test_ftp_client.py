"""The FTP client against vsftpd, the reference server: `endhost fetch ftp://…` (downloads to stdout and files,
uploads with -T, -C - resume both ways, passive and active, listings, errors with curl's exit codes) and
`endhost ftp client` in command mode (-c) and on standard input (get, put, mget, mput, rename, delete,
mkdir, rmdir). vsftpd runs on 127.0.0.1 on a free port with a temporary configuration and an anonymous
area, as the launching user (run_as_launching_user), in the foreground.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from endhost_test import Server, TestCase, free_port, run

VSFTPD = "/usr/sbin/vsftpd"


class VsFtpd:
    """vsftpd on 127.0.0.1:port serving `root` to anonymous users, writable, both data connection modes."""

    def __init__(self, root, workdir, extra=""):
        self.port = free_port()
        empty = os.path.join(workdir, "empty")
        os.makedirs(empty, exist_ok=True)
        self.config = os.path.join(workdir, "vsftpd-%d.conf" % self.port)
        with open(self.config, "w") as f:
            f.write("\n".join([
                "listen=YES", "listen_address=127.0.0.1", "listen_port=%d" % self.port, "background=NO",
                "anonymous_enable=YES", "anon_root=" + root, "local_enable=NO",
                "write_enable=YES", "anon_upload_enable=YES", "anon_mkdir_write_enable=YES",
                "anon_other_write_enable=YES", "anon_umask=022", "run_as_launching_user=YES",
                "secure_chroot_dir=" + empty, "seccomp_sandbox=NO", "pasv_enable=YES", "port_enable=YES",
                "xferlog_enable=NO", "anon_world_readable_only=NO", "max_per_ip=0", extra, ""]))
        self.proc = subprocess.Popen([VSFTPD, self.config], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"220"):
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.proc.stdout.read().decode() if self.proc.poll() is not None else ""
                self.proc.kill()
                raise RuntimeError("vsftpd did not start: " + out)
            time.sleep(0.05)

    def url(self, path=""):
        return "ftp://127.0.0.1:%d/%s" % (self.port, path)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


@unittest.skipUnless(os.path.exists(VSFTPD), "vsftpd is not installed")
class FtpClientAgainstVsftpd(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="endhost-ftp-client-")
        cls.root = os.path.join(cls.work, "root")
        os.makedirs(os.path.join(cls.root, "pub", "sub"))
        os.makedirs(os.path.join(cls.root, "incoming"))
        cls.big = os.urandom(3 * 1024 * 1024 + 17)
        with open(os.path.join(cls.root, "pub", "big.bin"), "wb") as f:
            f.write(cls.big)
        for name, text in (("a.txt", "alpha\n"), ("b.txt", "beta\n"), ("c.dat", "gamma\n"),
                           ("sub/deep.txt", "deep\n"), ("with space.txt", "spaced\n")):
            with open(os.path.join(cls.root, "pub", name), "w") as f:
                f.write(text)
        cls.server = VsFtpd(cls.root, cls.work)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.local = tempfile.mkdtemp(prefix="local-", dir=self.work)

    def path(self, *parts):
        return os.path.join(self.local, *parts)

    def read(self, path, mode="rb"):
        with open(path, mode) as f:
            return f.read()

    def client(self, commands, *extra, input=None, cwd=None):
        args = ["ftp", "client", "127.0.0.1:%d" % self.server.port] + list(extra)
        if commands is not None:
            args += ["-c", commands]
        from endhost_test import ENDHOST
        return subprocess.run([ENDHOST] + args, input=input, capture_output=True, text=True, timeout=60,
                              cwd=cwd or self.local)

    # --- endhost fetch ftp://

    def test_download_to_stdout(self):
        r = run(["fetch", "-s", self.server.url("pub/a.txt")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "alpha\n")

    def test_download_passive_to_file_with_trace(self):
        out = self.path("big.bin")
        r = run(["fetch", "-v", "-o", out, self.server.url("pub/big.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(out), self.big)
        lines = r.stderr.splitlines()
        self.assertIn("C: USER anonymous", lines)
        self.assertIn("C: PASS ****", lines)
        self.assertIn("C: TYPE I", lines)
        self.assertIn("C: CWD pub", lines)
        self.assertIn("C: EPSV", lines)
        self.assertIn("C: RETR big.bin", lines)
        self.assertIn("data: %d bytes" % len(self.big), lines)
        self.assertTrue(any(l.startswith("S: 226") for l in lines), lines)
        self.assertFalse(any("endhost@" in l for l in lines), "the password was shown")

    def test_download_active(self):
        out = self.path("big-active.bin")
        r = run(["fetch", "-v", "--ftp-port", "-o", out, self.server.url("pub/big.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(out), self.big)
        self.assertTrue(any(l.startswith("C: EPRT |1|127.0.0.1|") for l in r.stderr.splitlines()), r.stderr)
        r = run(["fetch", "-s", "-P", "-", self.server.url("pub/a.txt")])
        self.assertEqual((r.returncode, r.stdout), (0, "alpha\n"), r.stderr)

    def test_remote_name_and_encoded_path(self):
        r = subprocess.run([__import__("endhost_test").ENDHOST, "fetch", "-s", "-O",
                            self.server.url("pub/with%20space.txt")], cwd=self.local, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(self.path("with space.txt"), "r"), "spaced\n")

    def test_resume_download(self):
        out = self.path("resumed.bin")
        with open(out, "wb") as f:
            f.write(self.big[:1000000])
        r = run(["fetch", "-v", "-C", "-", "-o", out, self.server.url("pub/big.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("C: REST 1000000", r.stderr.splitlines())
        self.assertIn("data: %d bytes" % (len(self.big) - 1000000), r.stderr.splitlines())
        self.assertEqual(self.read(out), self.big)
        # Complete already: nothing is transferred, exit 0.
        r = run(["fetch", "-v", "-C", "-", "-o", out, self.server.url("pub/big.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("C: RETR big.bin", r.stderr)

    def test_upload_to_directory_and_file(self):
        src = self.path("upload-me.bin")
        data = os.urandom(500000)
        with open(src, "wb") as f:
            f.write(data)
        r = run(["fetch", "-s", "-T", src, self.server.url("incoming/")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(os.path.join(self.root, "incoming", "upload-me.bin")), data)
        r = run(["fetch", "-s", "--ftp-port", "-T", src, self.server.url("incoming/renamed.bin")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(os.path.join(self.root, "incoming", "renamed.bin")), data)

    def test_resume_upload(self):
        src = self.path("resume-up.bin")
        data = os.urandom(700000)
        with open(src, "wb") as f:
            f.write(data)
        with open(os.path.join(self.root, "incoming", "resume-up.bin"), "wb") as f:
            f.write(data[:300000])
        r = run(["fetch", "-v", "-C", "-", "-T", src, self.server.url("incoming/")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("C: APPE resume-up.bin", r.stderr.splitlines())
        self.assertIn("data: 400000 bytes", r.stderr.splitlines())
        self.assertEqual(self.read(os.path.join(self.root, "incoming", "resume-up.bin")), data)

    def test_directory_listing(self):
        r = run(["fetch", "-s", self.server.url("pub/")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("a.txt", r.stdout)
        self.assertIn("big.bin", r.stdout)
        r = run(["fetch", "-s", self.server.url("pub/;type=d")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("b.txt", r.stdout.split())

    def test_errors_are_one_line_with_curls_codes(self):
        r = run(["fetch", self.server.url("pub/nope.txt")])
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertTrue(r.stderr.startswith("endhost fetch: ftp://127.0.0.1:%d/pub/nope.txt: 550" % self.server.port),
                        r.stderr)
        r = run(["fetch", self.server.url("nodir/x.txt")])
        self.assertEqual(r.returncode, 9, r.stderr)
        self.assertIn("550", r.stderr)
        r = run(["fetch", "ftp://127.0.0.1:%d/x" % free_port()])
        self.assertEqual(r.returncode, 7, r.stderr)
        r = run(["fetch", "ftp://127.0.0.1:%d/a%%0d%%0aDELE%%20b" % self.server.port])
        self.assertEqual(r.returncode, 3, r.stderr)
        r = run(["fetch", "-T", self.path("missing"), self.server.url("incoming/")])
        self.assertEqual(r.returncode, 26, r.stderr)
        r = run(["fetch", "ftp://nobody:wrong@127.0.0.1:%d/x" % self.server.port])
        self.assertEqual(r.returncode, 67, r.stderr)
        self.assertIn("530", r.stderr)

    # --- endhost ftp client

    def test_client_command_mode_get_pwd_ls(self):
        r = self.client("cd pub; pwd; get a.txt; get sub/deep.txt here.txt; ls")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(self.path("a.txt"), "r"), "alpha\n")
        self.assertEqual(self.read(self.path("here.txt"), "r"), "deep\n")
        out = r.stdout.splitlines()
        # vsftpd without chroot (run_as_launching_user) names the real directory.
        self.assertTrue(out[0].endswith("/pub"), out)
        self.assertIn("big.bin", out)
        self.assertIn("with space.txt", out)

    def test_client_mget_and_quotes(self):
        r = self.client("cd pub; mget *.txt; get 'with space.txt' spaced")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(f for f in os.listdir(self.local)),
                         ["a.txt", "b.txt", "spaced", "with space.txt"])

    def test_client_mput_rename_delete_mkdir_rmdir(self):
        for name in ("m1.dat", "m2.dat", "skip.txt"):
            with open(self.path(name), "w") as f:
                f.write(name)
        r = self.client("cd incoming; mkdir batch; cd batch; mput m*.dat; rename m1.dat one.dat; "
                        "delete m2.dat; ls")
        self.assertEqual(r.returncode, 0, r.stderr)
        batch = os.path.join(self.root, "incoming", "batch")
        self.assertEqual(os.listdir(batch), ["one.dat"])
        self.assertEqual(self.read(os.path.join(batch, "one.dat"), "r"), "m1.dat")
        self.assertEqual(r.stdout.split(), ["one.dat"])
        r = self.client("cd incoming/batch; delete one.dat; cdup; rmdir batch")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(batch))

    def test_client_active_and_size(self):
        r = self.client("binary; active; cd pub; size big.bin; get big.bin", "--trace")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(self.path("big.bin")), self.big)
        self.assertIn(str(len(self.big)), r.stdout.splitlines())
        self.assertTrue(any(l.startswith("C: EPRT") for l in r.stdout.splitlines()), r.stdout)
        self.assertIn("data: %d bytes" % len(self.big), r.stdout.splitlines())

    def test_client_ascii_converts_line_ends_both_ways(self):
        # vsftpd does not convert (ascii_*_enable=NO): what is on the wire is what the client made of it.
        with open(os.path.join(self.root, "incoming", "crlf.txt"), "wb") as f:
            f.write(b"one\r\ntwo\r\n")
        with open(self.path("lf.txt"), "wb") as f:
            f.write(b"x\ny\n")
        r = self.client("ascii; cd incoming; get crlf.txt; put lf.txt; binary; get lf.txt raw.txt")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(self.path("crlf.txt")), b"one\ntwo\n")
        self.assertEqual(self.read(os.path.join(self.root, "incoming", "lf.txt")), b"x\r\ny\r\n")
        self.assertEqual(self.read(self.path("raw.txt")), b"x\r\ny\r\n")

    def test_client_stops_at_the_first_failure(self):
        r = self.client("cd pub; get nope.txt; pwd")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr.strip().splitlines(), [r.stderr.strip()])
        self.assertIn("get nope.txt: 550", r.stderr)
        self.assertFalse(os.path.exists(self.path("nope.txt")))
        r = self.client("frobnicate")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown command", r.stderr)

    def test_client_reads_standard_input(self):
        r = self.client(None, input="cd pub\nget b.txt\nbogus\npwd\nquit\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read(self.path("b.txt"), "r"), "beta\n")
        self.assertTrue(any(l.endswith("/pub") for l in r.stdout.splitlines()), r.stdout)
        self.assertIn("unknown command", r.stderr)

    def test_client_login_failure(self):
        r = self.client("pwd", "--user", "nobody", "--password", "wrong")
        self.assertEqual(r.returncode, 1)
        self.assertIn("530", r.stderr)


@unittest.skipUnless(os.path.exists(VSFTPD) and shutil.which("openssl"), "vsftpd or openssl is not installed")
class FtpClientTlsAgainstVsftpd(TestCase):
    """AUTH TLS, PBSZ 0, PROT P (RFC 4217) with vsftpd insisting on TLS for logins and data, and on the data
    connections resuming the control connection's TLS session (require_ssl_reuse, its default)."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="endhost-ftps-client-")
        cls.root = os.path.join(cls.work, "root")
        os.makedirs(os.path.join(cls.root, "pub"))
        os.makedirs(os.path.join(cls.root, "incoming"))
        cls.data = os.urandom(1024 * 1024 + 3)
        with open(os.path.join(cls.root, "pub", "secret.bin"), "wb") as f:
            f.write(cls.data)
        cls.cert = os.path.join(cls.work, "cert.pem")
        key = os.path.join(cls.work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                        cls.cert, "-subj", "/CN=127.0.0.1", "-days", "2", "-addext",
                        "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        cls.server = VsFtpd(cls.root, cls.work, "\n".join([
            "ssl_enable=YES", "allow_anon_ssl=YES", "force_anon_data_ssl=YES", "force_anon_logins_ssl=YES",
            "rsa_cert_file=" + cls.cert, "rsa_private_key_file=" + key, "ssl_ciphers=HIGH"]))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_download_and_upload_over_tls(self):
        out = os.path.join(self.work, "got.bin")
        for mode in ([], ["--ftp-port"]):
            r = run(["fetch", "-v", "--ftp-ssl", "--cacert", self.cert, "-o", out] + mode +
                    [self.server.url("pub/secret.bin")])
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stderr.splitlines()
            for line in ("C: AUTH TLS", "C: PBSZ 0", "C: PROT P"):
                self.assertIn(line, lines)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), self.data)
        r = run(["fetch", "-s", "--ftp-ssl", "--cacert", self.cert, "-T", out, self.server.url("incoming/")])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.root, "incoming", "got.bin"), "rb") as f:
            self.assertEqual(f.read(), self.data)

    def test_without_tls_the_server_refuses_and_a_bad_certificate_is_refused(self):
        r = run(["fetch", "-s", "-S", self.server.url("pub/secret.bin")])
        self.assertEqual(r.returncode, 67, r.stderr)
        self.assertIn("530", r.stderr)
        r = run(["fetch", "-s", "-S", "--ftp-ssl", self.server.url("pub/secret.bin")])
        self.assertEqual(r.returncode, 60, r.stderr)
        r = run(["ftp", "client", "127.0.0.1:%d" % self.server.port, "--ftp-ssl", "-k", "-c", "cd pub; size secret.bin"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), str(len(self.data)))


class FtpClientAgainstEndhostServe(TestCase):
    """The same client against `endhost ftp serve`: a user added with `ftp adduser`, confined to their home,
    and an anonymous read-only area with an upload directory."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="endhost-ftp-serve-client-")
        cls.root = os.path.join(cls.work, "root")
        for d in ("pub", "incoming", "alice"):
            os.makedirs(os.path.join(cls.root, d))
        cls.data = os.urandom(2 * 1024 * 1024 + 5)
        with open(os.path.join(cls.root, "pub", "big.bin"), "wb") as f:
            f.write(cls.data)
        for name in ("a.txt", "b.txt"):
            with open(os.path.join(cls.root, "pub", name), "w") as f:
                f.write(name + "\n")
        cls.users = os.path.join(cls.work, "users")
        r = run(["ftp", "adduser", "--users", cls.users, "alice"], input="wonderland\n")
        assert r.returncode == 0, r.stderr
        cls.server = Server(["ftp", "serve", "--root", cls.root, "--users", cls.users, "--anonymous", "--anon-home", ".",
                             "--writable", "--anon-upload-dir", "incoming", "--listen", "127.0.0.1:0"])
        cls.port = cls.server.address()[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def url(self, path, user=""):
        return "ftp://%s127.0.0.1:%d/%s" % (user, self.port, path)

    def test_anonymous_download_passive_and_active(self):
        out = os.path.join(self.work, "anon.bin")
        for mode in ([], ["--ftp-port"]):
            r = run(["fetch", "-v", "-o", out] + mode + [self.url("pub/big.bin")])
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), self.data)
            self.assertIn("data: %d bytes" % len(self.data), r.stderr.splitlines())
        r = run(["fetch", "-s", self.url("pub/nope")])
        self.assertEqual(r.returncode, 78, r.stderr)

    def test_user_upload_resume_and_client_commands(self):
        src = os.path.join(self.work, "up.bin")
        with open(src, "wb") as f:
            f.write(self.data)
        with open(os.path.join(self.root, "alice", "up.bin"), "wb") as f:
            f.write(self.data[:123456])
        r = run(["fetch", "-v", "-C", "-", "-T", src, self.url("", "alice:wonderland@")])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.root, "alice", "up.bin"), "rb") as f:
            self.assertEqual(f.read(), self.data)
        local = tempfile.mkdtemp(dir=self.work)
        from endhost_test import ENDHOST
        r = subprocess.run([ENDHOST, "ftp", "client", "127.0.0.1:%d" % self.port, "--user", "alice", "--password",
                            "wonderland", "-c", "pwd; mkdir d; cd d; put ../up.bin copy.bin; rename copy.bin c.bin; "
                            "ls; get c.bin; delete c.bin; cdup; rmdir d"], cwd=local, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ["/", "c.bin"])
        with open(os.path.join(local, "c.bin"), "rb") as f:
            self.assertEqual(f.read(), self.data)
        self.assertFalse(os.path.exists(os.path.join(self.root, "alice", "d")))
        r = run(["ftp", "client", "127.0.0.1:%d" % self.port, "-c", "cd pub; delete a.txt"])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"delete a.txt: 5\d\d ")


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback")
class FtpClientOverIpv6(TestCase):
    """EPSV and EPRT |2| (RFC 2428) over ::1; PASV and PORT cannot carry IPv6."""

    def test_passive_and_active_over_ipv6(self):
        work = tempfile.mkdtemp(prefix="endhost-ftp6-")
        try:
            os.makedirs(os.path.join(work, "pub"))
            with open(os.path.join(work, "pub", "six.txt"), "w") as f:
                f.write("over v6\n")
            with Server(["ftp", "serve", "--root", work, "--anonymous", "--listen", "[::1]:0"]) as server:
                port = server.address()[1]
                r = run(["fetch", "-v", "ftp://[::1]:%d/pub/six.txt" % port])
                self.assertEqual((r.returncode, r.stdout), (0, "over v6\n"), r.stderr)
                self.assertIn("C: EPSV", r.stderr.splitlines())
                r = run(["fetch", "-v", "--ftp-port", "ftp://[::1]:%d/pub/six.txt" % port])
                self.assertEqual((r.returncode, r.stdout), (0, "over v6\n"), r.stderr)
                self.assertTrue(any(l.startswith("C: EPRT |2|::1|") for l in r.stderr.splitlines()), r.stderr)
                r = run(["ftp", "client", "[::1]:%d" % port, "--active", "-c", "cd pub; ls"])
                self.assertEqual((r.returncode, r.stdout), (0, "six.txt\n"), r.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)


@unittest.skipUnless(shutil.which("openssl"), "openssl is not installed")
class FtpsAgainstEndhostServe(TestCase):
    """AUTH TLS and PROT P against `endhost ftp serve --require-tls`, passive and active, downloads and
    uploads (the order of 150 and the data connection's handshake is the session test's and vsftpd's)."""

    def test_protected_download_and_upload_both_modes(self):
        work = tempfile.mkdtemp(prefix="endhost-ftps-serve-")
        try:
            root = os.path.join(work, "root")
            os.makedirs(os.path.join(root, "pub"))
            os.makedirs(os.path.join(root, "alice"))
            data = os.urandom(1500000)
            with open(os.path.join(root, "pub", "f.bin"), "wb") as f:
                f.write(data)
            cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                            cert, "-subj", "/CN=127.0.0.1", "-days", "2", "-addext",
                            "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
            users = os.path.join(work, "users")
            r = run(["ftp", "adduser", "--users", users, "alice"], input="pw\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            with Server(["ftp", "serve", "--root", root, "--users", users, "--anonymous", "--anon-home", ".", "--writable",
                         "--require-tls", "--tls-cert", cert, "--tls-key", key, "--listen", "127.0.0.1:0"]) as server:
                port = server.address()[1]
                out = os.path.join(work, "got.bin")
                for mode in ([], ["--ftp-port"]):
                    r = run(["fetch", "-s", "-S", "--ftp-ssl", "--cacert", cert, "-o", out] + mode +
                            ["ftp://127.0.0.1:%d/pub/f.bin" % port])
                    self.assertEqual(r.returncode, 0, r.stderr)
                    with open(out, "rb") as f:
                        self.assertEqual(f.read(), data)
                    r = run(["fetch", "-s", "-S", "--ftp-ssl", "--cacert", cert, "-T", out] + mode +
                            ["ftp://alice:pw@127.0.0.1:%d/" % port])
                    self.assertEqual(r.returncode, 0, r.stderr)
                    with open(os.path.join(root, "alice", "got.bin"), "rb") as f:
                        self.assertEqual(f.read(), data)
                r = run(["fetch", "-s", "-S", "ftp://127.0.0.1:%d/pub/f.bin" % port])
                self.assertEqual(r.returncode, 67, r.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)


class FtpAddUser(TestCase):
    def test_adduser_reads_the_password_from_standard_input(self):
        work = tempfile.mkdtemp(prefix="endhost-adduser-")
        try:
            users = os.path.join(work, "users")
            r = run(["ftp", "adduser", "--users", users, "alice"], input="s3cret\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(users) as f:
                line = f.read()
            self.assertTrue(line.startswith("alice:{ARGON2ID}$argon2id$"), line)
            self.assertNotIn("s3cret", line)
            self.assertEqual(os.stat(users).st_mode & 0o777, 0o600)
            r = run(["ftp", "adduser", "--users", users, "alice"], input="again\n")
            self.assertEqual(r.returncode, 1)
            self.assertIn("alice", r.stderr)
            r = run(["ftp", "adduser", "--users", users, "bad:name"], input="x\n")
            self.assertEqual(r.returncode, 2, r.stderr)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
