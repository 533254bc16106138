"""vsftpd as the reference (issue 13 §4): the same command script, sent byte for byte to vsftpd and to
`endhost ftp serve` over the same read-only anonymous tree, must get the same reply codes wherever the RFCs
allow several answers and the issue does not choose one (it chooses 502 for ACCT, so ACCT is not compared)."""

import os
import pwd
import signal
import subprocess
import tempfile
import time
import unittest

from endhost_test import free_port
from ftp_util import Control, ServerTestCase, make_tree, rmtree

VSFTPD = "/usr/sbin/vsftpd"

VSFTPD_CONF = """
listen=YES
listen_ipv6=NO
background=NO
listen_address=127.0.0.1
listen_port={port}
anonymous_enable=YES
local_enable=NO
anon_root={root}
write_enable=NO
pasv_enable=YES
connect_from_port_20=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
xferlog_enable=NO
dirmessage_enable=NO
secure_chroot_dir={empty}
vsftpd_log_file={tmp}/vsftpd.log
"""

# Where endhost answers otherwise on purpose (docs/internals/ftp.md): 504 for a parameter it does not take and
# for PORT/EPRT to another address (RFC 959 §5.4 lists 504 for TYPE; RFC 2577 §3), 501 for a missing or
# malformed argument (RFC 959 §4.2: "syntax error in parameters"); vsftpd says 500 or 550 to all of these.
DEPARTURES = {
    "TYPE X": ("504", "500"),
    "PORT 127,0,0,2,4,1": ("504", "500"),
    "EPRT |1|127.0.0.2|1025|": ("504", "500"),
    "PORT 1,2,3": ("501", "500"),
    "SIZE": ("501", "550"),
    "CWD": ("501", "550"),
}

# Commands after an anonymous login, each with a comment on what it exercises.
SCRIPT = [
    "SYST",                  # 215
    "PWD",                   # 257
    "CWD pub",               # 250
    "CDUP",                  # RFC 959 allows 200 or 250
    "CWD missing",           # 550
    "TYPE I",                # 200
    "SIZE small.txt",        # RFC 3659 §4: 213
    "SIZE missing.txt",      # 550
    "MDTM small.txt",        # 213
    "MDTM missing.txt",      # 550
    "TYPE A",                # 200
    "MODE S",                # 200
    "STRU F",                # 200
    "REST 100",              # 350
    "NOOP",                  # 200
    "MKD newdir",            # read-only: 550
    "DELE small.txt",        # 550
    "RMD pub",               # 550
    "PASV",                  # 227
    "EPSV",                  # 229
    "STAT",                  # 211
    "HELP",                  # 214
    "FEAT",                  # 211
    "OPTS UTF8 ON",          # RFC 2640: 200
    "FOO",                   # unknown: 500
    "MODE B",                # 504
    "STRU R",                # 504
    "SITE CHMOD 777 small.txt",  # read-only
    "RNFR small.txt",        # read-only
    "ABOR",                  # no transfer: RFC 959 allows 225 or 226
] + list(DEPARTURES) + ["QUIT"]  # 221


def usable():
    if not os.path.exists(VSFTPD):
        return False
    try:
        pwd.getpwnam("ftp")
    except KeyError:
        return False
    return os.geteuid() == 0  # vsftpd's anonymous sessions chroot and drop to 'ftp'


def codes(port):
    c = Control(port)
    out = [("greeting", c.greeting[:3])]
    out.append(("USER anonymous", c.cmd("USER anonymous")[:3]))
    out.append(("PASS x@y", c.cmd("PASS x@y")[:3]))
    for cmd in SCRIPT:
        out.append((cmd, c.cmd(cmd)[:3]))
    c.close()
    return out


@unittest.skipUnless(usable(), "needs vsftpd, its 'ftp' user and root")
class SameRepliesAsVsftpd(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = make_tree({"small.txt": "small\n", "pub/a.txt": "a\n"})
        for d, _, files in os.walk(cls.root):
            os.chmod(d, 0o755)
            for n in files:
                os.chmod(os.path.join(d, n), 0o644)
        cls.tmp = tempfile.mkdtemp(prefix="endhost-ftp-vsftpd-")
        os.chmod(cls.tmp, 0o755)
        empty = os.path.join(cls.tmp, "empty")
        os.mkdir(empty, 0o755)
        cls.temporary = (cls.root, cls.tmp)
        cls.vport = free_port()
        conf = os.path.join(cls.tmp, "vsftpd.conf")
        with open(conf, "w") as f:
            f.write(VSFTPD_CONF.format(port=cls.vport, root=cls.root, empty=empty, tmp=cls.tmp))
        cls.vsftpd = subprocess.Popen([VSFTPD, conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                Control(cls.vport).close()
                break
            except OSError:
                if time.monotonic() > deadline or cls.vsftpd.poll() is not None:
                    cls.vsftpd.kill()
                    raise
                time.sleep(0.05)
        cls.serve(cls.root, "--anonymous")

    @classmethod
    def tearDownClass(cls):
        os.killpg(cls.vsftpd.pid, signal.SIGTERM)
        cls.vsftpd.wait(10)
        super().tearDownClass()

    def test_the_same_reply_codes(self):
        ours, theirs = codes(self.port), codes(self.vport)
        differ = [(cmd, o, t) for (cmd, o), (_, t) in zip(ours, theirs) if o != t and cmd not in DEPARTURES]
        self.assertEqual(differ, [], "(command, endhost, vsftpd)")
        departures = {cmd: (o, t) for (cmd, o), (_, t) in zip(ours, theirs) if cmd in DEPARTURES}
        self.assertEqual(departures, DEPARTURES)


if __name__ == "__main__":
    unittest.main()
