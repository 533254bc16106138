"""`--user NAME` and the default drop to `nobody`: a server started as root binds its port below 1024 on
127.0.0.1, then gives up root before reading any request (setgroups, setgid, setuid, as Postfix's
single_server does). Checked from /proc/PID/status once the listening line is out, and by still serving.
Runs only as root (the test machine runs tests as root)."""

import os
import pwd
import shutil
import socket
import stat
import tempfile
import unittest
import urllib.request

from endhost_test import Server, TestCase, run
from web_util import make_site


def ids(pid):
    """(uids, gids, groups) of a process, from /proc/PID/status: real, effective, saved and filesystem ids."""
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return [int(v) for v in fields["Uid"]], [int(v) for v in fields["Gid"]], [int(v) for v in fields["Groups"]]


def free_low_port(kind=socket.SOCK_STREAM):
    """A port below 1024 on 127.0.0.1 that nothing uses now."""
    for port in range(900, 1000):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise unittest.SkipTest("no free port below 1024 on 127.0.0.1")


def echo_tcp(host, port, line):
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(line + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data


@unittest.skipUnless(os.geteuid() == 0, "dropping privileges needs root")
class PrivilegeDrop(TestCase):
    def wait_dropped(self, server):
        return server.wait_log(lambda r: r.get("msg") == "privileges dropped")

    def assert_runs_as(self, pid, user):
        entry = pwd.getpwnam(user)
        uids, gids, groups = ids(pid)
        self.assertEqual(uids, [entry.pw_uid] * 4)
        self.assertEqual(gids, [entry.pw_gid] * 4)
        self.assertEqual(groups, [entry.pw_gid])  # root's supplementary groups are gone

    def test_root_on_a_port_below_1024_becomes_nobody_by_default(self):
        port = free_low_port()
        with Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:%d" % port]) as server:
            self.assertEqual(server.address("echo"), ("127.0.0.1", port))
            rec = self.wait_dropped(server)
            self.assertEqual(rec["user"], "nobody")
            self.assert_runs_as(server.proc.pid, "nobody")
            self.assertEqual(echo_tcp("127.0.0.1", port, b"still serving"), b"STILL SERVING\n")
            self.assertEqual(server.stop(), 0)

    def test_user_option_names_who_to_become(self):
        port = free_low_port(socket.SOCK_DGRAM)
        with Server(["ping", "serve", "--listen", "127.0.0.1:%d" % port, "--user", "daemon"]) as server:
            self.assertEqual(self.wait_dropped(server)["user"], "daemon")
            self.assert_runs_as(server.proc.pid, "daemon")
            self.assertEqual(server.stop(), 0)

    def test_root_on_a_high_port_stays_root_unless_asked(self):
        with Server(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0"]) as server:
            host, port = server.address("echo")
            self.assertEqual(echo_tcp(host, port, b"hi"), b"HI\n")
            self.assertEqual(ids(server.proc.pid)[0][0], 0)
            self.assertFalse(any(r.get("msg") == "privileges dropped" for r in server.log))
            self.assertEqual(server.stop(), 0)

    def test_state_directory_is_given_to_the_user(self):
        root = make_site({"index.html": "<h1>shop</h1>\n"})
        state = tempfile.mkdtemp(prefix="endhost-priv-state-")
        self.addCleanup(shutil.rmtree, root, True)
        self.addCleanup(shutil.rmtree, state, True)
        os.chmod(root, 0o755)  # the site must be readable by the user served as; mkdtemp made it 0700
        port = free_low_port()
        with Server(["web", "serve", "--root", root, "--listen", "127.0.0.1:%d" % port, "--sessions",
                     "--state", state]) as server:
            self.wait_dropped(server)
            nobody = pwd.getpwnam("nobody")
            self.assert_runs_as(server.proc.pid, "nobody")
            self.assertEqual(os.stat(state).st_uid, nobody.pw_uid)
            for name in os.listdir(state):
                self.assertEqual(os.lstat(os.path.join(state, name)).st_uid, nobody.pw_uid, name)
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10) as r:
                self.assertEqual(r.status, 200)
                self.assertIn("endhost_session=", r.headers["Set-Cookie"])
            self.assertEqual(server.stop(), 0)

    def test_the_lab_drops_once_every_host_is_bound(self):
        # --user makes it drop on high ports too (on the real ports, as root, it becomes nobody by default).
        state = tempfile.mkdtemp(prefix="endhost-priv-lab-")
        runtime = tempfile.mkdtemp(prefix="endhost-priv-run-")
        self.addCleanup(shutil.rmtree, state, True)
        self.addCleanup(shutil.rmtree, runtime, True)
        config = os.path.join(runtime, "lab.toml")
        with open(config, "w") as f:
            f.write('[[host]]\nname = "www.priv.test"\nweb.site = "s"\n\n'
                    '[site.s]\n[[site.s.file]]\npath = "/index.html"\ntext = "dropped"\n')
        net, base = "127.%d" % (150 + os.getpid() % 90), 20000 + (os.getpid() % 40) * 1000
        with Server(["lab", "--config", config, "--state", state, "--net", net, "--ports", "high", "--port-base",
                     str(base), "--user", "nobody", "--network", "loopback"], env=dict(os.environ, XDG_RUNTIME_DIR=runtime)) as server:
            self.assertEqual(self.wait_dropped(server)["user"], "nobody")
            server.wait_log(lambda r: r.get("msg") == "lab ready", timeout=30)
            self.assert_runs_as(server.proc.pid, "nobody")
            nobody = pwd.getpwnam("nobody")
            self.assertEqual(os.stat(state).st_uid, nobody.pw_uid)
            self.assertEqual(os.stat(os.path.join(state, "lab.json")).st_uid, nobody.pw_uid)  # written after
            host, port = server.address("web")
            with urllib.request.urlopen("http://%s:%d/index.html" % (host, port), timeout=10) as r:
                self.assertEqual(r.read(), b"dropped")
            # The pointer for `endhost lab experiment` is the starting user's, written before the drop.
            pointer = os.path.join(runtime, "endhost-lab-0-%s.current" % net)  # one per net
            self.assertEqual(os.stat(pointer).st_uid, 0)
            self.assertEqual(server.stop(), 0)

    def test_an_unknown_user_stops_the_server_with_one_line(self):
        r = run(["echo", "serve", "--tcp", "--listen", "127.0.0.1:0", "--user", "no-such-user-endhost"])
        self.assertEqual(r.returncode, 1)
        errors = [line for line in r.stderr.splitlines() if line.startswith("endhost:")]
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertTrue(errors[0].startswith("endhost: --user no-such-user-endhost: no such user"), errors)


if __name__ == "__main__":
    unittest.main()
