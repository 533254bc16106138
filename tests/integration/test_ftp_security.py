"""`endhost ftp serve` against attacks (issue 13 §1 and §4): the FTP bounce attack (PORT/EPRT to a third
address), data-connection hijacking (a connection to the passive port from another address), path traversal
with `..`, absolute paths and symlinks out of the root, anonymous writes, kill -9 during STOR (no partial
file, no temporary in listings), over-long lines, failed logins; the limits (upload size, idle timeout,
sessions per address); and the same address checks over IPv6 (RFC 2428)."""

import ftplib
import os
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from endhost_test import Server, TestCase
from ftp_util import (Control, ServerTestCase, connect, make_tree, pasv_port, read, retr, rmtree, source, start_ftp,
                      stop, users_file)

SECRET = b"outside the root\n"
DATA = os.urandom(2 * 1024 * 1024)


def can_bind(address):
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


class Attacks(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.outside = make_tree({"secret.txt": SECRET, "dir/inner.txt": SECRET})
        cls.root = make_tree({"file.bin": DATA, "pub/a.txt": "a\n", "incoming/.keep": ""})
        os.symlink(os.path.join(cls.outside, "secret.txt"), os.path.join(cls.root, "escape.txt"))
        os.symlink(cls.outside, os.path.join(cls.root, "escape-dir"))
        os.symlink("../../" + os.path.basename(cls.outside) + "/secret.txt", os.path.join(cls.root, "pub", "rel.txt"))
        os.symlink("file.bin", os.path.join(cls.root, "inside-link.bin"))
        # A short wait for data connections, so a transfer whose only connection was refused fails quickly.
        cls.temporary = (cls.root, cls.outside)
        cls.serve(cls.root, "--anonymous", "--connect-timeout", "2")


    def login(self):
        c = Control(self.port)
        c.cmd("USER anonymous")
        self.assertTrue(c.cmd("PASS x@y").startswith("230"))
        return c

    # The FTP bounce attack (RFC 2577 §3) ------------------------------------------------------------------------
    def test_port_to_a_third_address_is_refused(self):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        p = listener.getsockname()[1]
        c = self.login()
        for cmd in ("PORT 127,0,0,2,%d,%d" % (p >> 8, p & 255), "PORT 10,1,2,3,%d,%d" % (p >> 8, p & 255),
                    "EPRT |1|127.0.0.2|%d|" % p, "EPRT |1|192.0.2.1|%d|" % p):
            reply = c.cmd(cmd)
            self.assertEqual(reply[0], "5", (cmd, reply))
        # Nothing is opened after a refused PORT: the transfer has no data connection to use.
        reply = c.cmd("RETR file.bin")
        self.assertIn(reply[:3], ("425", "503"), reply)
        listener.settimeout(0.5)
        with self.assertRaises(socket.timeout):
            listener.accept()
        listener.close()
        c.close()

    def test_port_to_a_privileged_port_of_the_client_is_refused(self):
        c = self.login()
        self.assertEqual(c.cmd("PORT 127,0,0,1,0,25")[0], "5")
        c.close()

    def test_port_to_the_client_itself_works(self):
        ftp = connect(self.port, passive=False)
        self.assertEqual(retr(ftp, "pub/a.txt"), b"a\n")
        ftp.quit()

    # Data-connection hijacking ------------------------------------------------------------------------------
    @unittest.skipUnless(can_bind("127.0.0.2"), "127.0.0.2 is not usable here")
    def test_data_connection_from_another_address_is_refused(self):
        c = self.login()
        c.cmd("TYPE I")
        reply = c.cmd("PASV")
        self.assertTrue(reply.startswith("227"), reply)
        port = pasv_port(reply)
        thief = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0))
        got = {"bytes": b""}

        def steal():
            try:
                while True:
                    chunk = thief.recv(65536)
                    if not chunk:
                        return
                    got["bytes"] += chunk
            except OSError:
                return

        t = threading.Thread(target=steal)
        t.start()
        time.sleep(0.2)
        c.send("RETR file.bin\r\n")
        data = socket.create_connection(("127.0.0.1", port), timeout=5)
        first = c.reply()
        received = b""
        if first.startswith("150") or first.startswith("125"):
            while True:
                chunk = data.recv(1 << 20)
                if not chunk:
                    break
                received += chunk
            self.assertTrue(c.reply().startswith("226"))
            self.assertEqual(received, DATA)
        else:
            self.assertTrue(first.startswith("425"), first)
        data.close()
        t.join(10)
        thief.close()
        self.assertEqual(got["bytes"], b"", "the transfer went to a connection from another address")
        c.close()

    @unittest.skipUnless(can_bind("127.0.0.2"), "127.0.0.2 is not usable here")
    def test_only_a_thief_connects_then_the_transfer_fails(self):
        c = self.login()
        port = pasv_port(c.cmd("PASV"))
        thief = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0))
        c.send("RETR file.bin\r\n")
        thief.settimeout(15)
        try:
            stolen = thief.recv(65536)
        except (ConnectionResetError, socket.timeout):
            stolen = b""
        self.assertEqual(stolen, b"")
        reply = c.reply()
        if reply.startswith("150"):
            reply = c.reply()
        self.assertTrue(reply.startswith("425") or reply.startswith("426"), reply)
        thief.close()
        c.close()

    # Traversal ------------------------------------------------------------------------------------------------
    def test_dotdot_stops_at_the_root(self):
        ftp = connect(self.port)
        ftp.cwd("../../..")
        self.assertEqual(ftp.pwd(), "/")
        ftp.cwd("/pub/../../../pub")
        self.assertEqual(ftp.pwd(), "/pub")
        for path in ("../../../../etc/passwd", "/../../etc/passwd", "/etc/passwd", "../" * 20 + "etc/passwd",
                     "pub/../../" + os.path.basename(self.outside) + "/secret.txt"):
            with self.assertRaises(ftplib.error_perm, msg=path):
                retr(ftp, path)
        # ".." inside the root still works.
        self.assertEqual(retr(ftp, "../pub/a.txt"), b"a\n")
        ftp.quit()

    def test_absolute_paths_are_under_the_root(self):
        ftp = connect(self.port)
        ftp.cwd("pub")
        self.assertEqual(retr(ftp, "/file.bin"), DATA)
        with self.assertRaises(ftplib.error_perm):
            retr(ftp, self.outside + "/secret.txt")
        ftp.quit()

    def test_symlinks_out_of_the_root_are_refused(self):
        ftp = connect(self.port)
        for path in ("escape.txt", "pub/rel.txt", "escape-dir/inner.txt"):
            with self.assertRaises(ftplib.error_perm, msg=path):
                retr(ftp, path)
        with self.assertRaises(ftplib.error_perm):
            ftp.cwd("escape-dir")
        listing = []
        try:
            ftp.retrlines("LIST escape-dir", listing.append)
        except ftplib.error_perm:
            pass
        self.assertFalse(any("inner.txt" in l for l in listing), listing)
        with self.assertRaises(ftplib.error_perm):
            ftp.size("escape.txt")
        # A symlink that stays inside is followed.
        self.assertEqual(retr(ftp, "inside-link.bin"), DATA)
        ftp.quit()

    def test_nul_in_a_path_is_refused(self):
        c = self.login()
        reply = c.cmd("SIZE file.bin\x00.txt")
        self.assertEqual(reply[0], "5", reply)
        c.close()

    # Anonymous writes -----------------------------------------------------------------------------------------
    def test_anonymous_writes_are_refused(self):
        c = self.login()
        for cmd in ("MKD x", "RMD pub", "DELE file.bin", "RNFR file.bin", "SITE CHMOD 777 file.bin"):
            self.assertEqual(c.cmd(cmd)[0], "5", cmd)
        port = pasv_port(c.cmd("PASV"))
        data = socket.create_connection(("127.0.0.1", port), timeout=5)
        reply = c.cmd("STOR incoming/new.txt")
        self.assertEqual(reply[0], "5", reply)
        data.close()
        c.close()
        self.assertFalse(os.path.exists(os.path.join(self.root, "incoming", "new.txt")))
        self.assertEqual(sorted(os.listdir(self.root)),
                         sorted(["file.bin", "pub", "incoming", "escape.txt", "escape-dir", "inside-link.bin"]))

    # Limits ---------------------------------------------------------------------------------------------------
    def test_an_over_long_line_gets_500(self):
        c = self.login()
        c.send("NOOP " + "x" * 20000 + "\r\n")
        try:
            reply = c.reply()
        except EOFError:
            self.fail("closed without a reply")
        self.assertTrue(reply.startswith("500"), reply)
        c.close()

    def test_a_line_without_end_is_not_buffered_forever(self):
        c = self.login()
        try:
            for _ in range(64):
                c.send("A" * 65536)
        except OSError:
            pass  # the server closed on us: also fine
        try:
            reply = c.reply()
            self.assertTrue(reply.startswith("500") or reply.startswith("421"), reply[:100])
        except (EOFError, ConnectionResetError):
            pass
        c.close()
        # The server still serves others.
        ftp = connect(self.port)
        ftp.voidcmd("NOOP")
        ftp.quit()


class Uploads(TestCase):
    """Uploads: --writable with an anonymous upload directory, and kill -9 in the middle of a STOR."""

    def setUp(self):
        self.root = make_tree({"incoming/.keep": "", "ro.txt": "read only\n"})
        self.etc = tempfile.mkdtemp(prefix="endhost-ftp-etc-")
        self.users = users_file(self.etc, {"carol": ("pw-carol", "/")})

    def tearDown(self):
        rmtree(self.root, self.etc)

    def test_anonymous_uploads_go_only_to_the_upload_directory(self):
        server, port = start_ftp(self.root, "--anonymous", "--writable", "--anon-upload-dir", "incoming")
        try:
            ftp = connect(port)
            ftp.storbinary("STOR incoming/up.txt", source(b"uploaded\n"))
            self.assertEqual(read(os.path.join(self.root, "incoming", "up.txt")), b"uploaded\n")
            for cmd in ("STOR up.txt", "STOR ro.txt", "APPE ro.txt"):
                with self.assertRaises(ftplib.error_perm, msg=cmd):
                    ftp.storbinary(cmd, source(b"no\n"))
            # An anonymous upload never overwrites or deletes (vsftpd's anon_other_write_enable=NO).
            with self.assertRaises(ftplib.error_perm):
                ftp.storbinary("STOR incoming/up.txt", source(b"over\n"))
            with self.assertRaises(ftplib.error_perm):
                ftp.delete("incoming/up.txt")
            self.assertEqual(read(os.path.join(self.root, "ro.txt")), b"read only\n")
            ftp.quit()
        finally:
            self.assertEqual(stop(server), 0)

    def test_kill_9_during_stor_leaves_no_partial_file(self):
        server, port = start_ftp(self.root, "--users", self.users, "--writable")
        before = sorted(os.listdir(os.path.join(self.root, "incoming")))
        try:
            ftp = connect(port, "carol", "pw-carol")
            ftp.voidcmd("TYPE I")
            conn = ftp.transfercmd("STOR incoming/partial.bin")
            conn.sendall(os.urandom(4 * 1024 * 1024))
            time.sleep(0.5)  # the server has read and written part of it
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(10)
            conn.close()
        finally:
            server.__exit__(None, None, None)
        self.assertEqual(sorted(os.listdir(os.path.join(self.root, "incoming"))), before)
        self.assertEqual(sorted(os.listdir(self.root)), ["incoming", "ro.txt"])
        # A restarted server shows no temporary either.
        server, port = start_ftp(self.root, "--users", self.users, "--writable")
        try:
            ftp = connect(port, "carol", "pw-carol")
            names = [os.path.basename(n) for n in ftp.nlst("incoming")]
            self.assertNotIn("partial.bin", names)
            self.assertFalse([n for n in names if n not in (".keep",)], names)
            lines = []
            ftp.retrlines("LIST -a incoming", lines.append)
            self.assertFalse([l for l in lines if "partial" in l or "endhost" in l], lines)
            ftp.quit()
        finally:
            self.assertEqual(stop(server), 0)

    def test_a_cut_upload_leaves_no_file(self):
        server, port = start_ftp(self.root, "--users", self.users, "--writable")
        try:
            c = Control(port)
            c.cmd("USER carol")
            c.cmd("PASS pw-carol")
            c.cmd("TYPE I")
            dport = pasv_port(c.cmd("PASV"))
            data = socket.create_connection(("127.0.0.1", dport), timeout=5)
            self.assertTrue(c.cmd("STOR incoming/cut.bin").startswith("150"))
            data.sendall(b"x" * 100000)
            # The client dies: the control connection goes first, then the data connection is reset.
            c.close()
            data.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            data.close()
            time.sleep(1)
            self.assertFalse(os.path.exists(os.path.join(self.root, "incoming", "cut.bin")))
            self.assertEqual(sorted(os.listdir(os.path.join(self.root, "incoming"))), [".keep"])
        finally:
            self.assertEqual(stop(server), 0)

    def test_failed_logins_disconnect_after_n(self):
        server, port = start_ftp(self.root, "--users", self.users, "--max-login-failures", "2")
        try:
            c = Control(port)
            replies = []
            try:
                for _ in range(2):
                    c.cmd("USER carol")
                    replies.append(c.cmd("PASS wrong"))
            except EOFError:
                pass
            self.assertTrue(replies and replies[0].startswith("530"), replies)
            self.assertTrue(c.closed(timeout=15))
            # The right password still works on a new connection.
            ftp = connect(port, "carol", "pw-carol")
            ftp.quit()
        finally:
            self.assertEqual(stop(server), 0)



class Limits(ServerTestCase):
    """The limits of issue 13 §1: upload size, idle timeout (421), sessions per address."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_tree({"alice/.keep": "", "pub.txt": "pub\n"})
        cls.etc = tempfile.mkdtemp(prefix="endhost-ftp-etc-")
        cls.users = users_file(cls.etc, {"alice": ("pw", "alice")})
        cls.temporary = (cls.root, cls.etc)
        cls.serve(cls.root, "--users", cls.users, "--anonymous", "--anon-home", ".", "--writable",
                                         "--max-file-size", "100000", "--idle-timeout", "2",
                                         "--max-sessions-per-ip", "3")


    def test_an_upload_over_max_file_size_gets_552_and_leaves_nothing(self):
        ftp = connect(self.port, "alice", "pw")
        ftp.storbinary("STOR fits.bin", source(b"x" * 100000))
        self.assertEqual(os.path.getsize(os.path.join(self.root, "alice", "fits.bin")), 100000)
        with self.assertRaises(ftplib.error_perm) as e:
            ftp.storbinary("STOR big.bin", source(b"x" * 300000))
        self.assertTrue(str(e.exception).startswith("552"), e.exception)
        self.assertFalse(os.path.exists(os.path.join(self.root, "alice", "big.bin")))
        ftp.delete("fits.bin")
        ftp.quit()

    def test_idle_timeout_gives_421_and_closes(self):
        c = Control(self.port)
        c.cmd("USER anonymous")
        c.cmd("PASS x")
        t0 = time.monotonic()
        reply = c.reply()
        self.assertTrue(reply.startswith("421"), reply)
        self.assertLess(time.monotonic() - t0, 8)
        self.assertTrue(c.closed())

    def test_a_command_dripped_a_byte_at_a_time_does_not_hold_the_session(self):
        c = Control(self.port)
        c.cmd("USER anonymous")
        c.cmd("PASS x")
        # One byte of "NOOP" every 0.5 s never ends a command: the idle timeout (2 s) still runs out.
        t0 = time.monotonic()
        try:
            for _ in range(16):
                c.send(b"N")
                if select.select([c.sock], [], [], 0.5)[0]:
                    break  # the server spoke (its 421): stop dripping
        except OSError:
            pass  # the server closed the connection: what this test wants
        reply = c.reply()
        self.assertTrue(reply.startswith("421"), reply)
        self.assertLess(time.monotonic() - t0, 7)
        self.assertTrue(c.closed())

    def test_a_command_flood_gets_421_and_is_closed(self):
        server, port = start_ftp(self.root, "--anonymous", "--max-commands-per-second", "5")
        try:
            c = Control(port)
            c.cmd("USER anonymous")
            c.cmd("PASS x")
            replies = []
            try:
                for _ in range(40):
                    replies.append(c.cmd("NOOP")[:3])
            except (EOFError, ConnectionResetError):
                pass
            self.assertIn("421", replies)
            self.assertLess(len(replies), 40, "40 commands at once were all answered")
            self.assertTrue(c.closed())
        finally:
            self.assertEqual(stop(server), 0)

    def test_sessions_per_address_over_the_limit_get_421(self):
        held = [Control(self.port) for _ in range(3)]
        try:
            extra = Control(self.port)
            self.assertTrue(extra.greeting.startswith("421"), extra.greeting)
            self.assertTrue(extra.closed())
        finally:
            for c in held:
                c.close()
        time.sleep(0.3)
        ftp = connect(self.port)
        ftp.quit()


class Ipv6(ServerTestCase):
    """An IPv6 listener: EPSV and EPRT |2|::1|port| (RFC 2428) with curl and ftplib."""

    @classmethod
    def setUpClass(cls):
        cls.root = make_tree({"six.bin": DATA})
        cls.temporary = (cls.root,)
        cls.server = Server(["ftp", "serve", "--root", cls.root, "--anonymous", "--listen", "[::1]:0"])
        cls.port = cls.server.address("ftp")[1]


    def test_curl_epsv_and_eprt_over_ipv6(self):
        for flags in ([], ["-P", "-"]):
            p = subprocess.run(["curl", "-sS", "-g", "--max-time", "30"] + flags +
                               ["ftp://[::1]:%d/six.bin" % self.port], capture_output=True, timeout=40)
            self.assertEqual(p.returncode, 0, (flags, p.stderr))
            self.assertEqual(p.stdout, DATA, flags)

    def test_ftplib_over_ipv6_both_modes(self):
        for passive in (True, False):
            ftp = ftplib.FTP(timeout=10)
            ftp.connect("::1", self.port)
            ftp.login()
            ftp.set_pasv(passive)
            self.assertEqual(retr(ftp, "six.bin"), DATA, passive)
            ftp.quit()

    def test_eprt_to_another_v6_address_is_refused(self):
        c = Control(self.port, host="::1")
        c.cmd("USER anonymous")
        c.cmd("PASS x")
        self.assertEqual(c.cmd("EPRT |2|2001:db8::1|4000|")[0], "5")
        self.assertEqual(c.cmd("EPRT |1|127.0.0.1|4000|")[0], "5")  # another family than the control's peer
        c.close()


if __name__ == "__main__":
    unittest.main()
