"""The mail experiments on emulated links (docs/internals/lab-network.md, docs/internals/lab.md "The mail
hosts"): the default lab with its two mail hosts, every host in a network namespace of its own on
198.18.0.0/15, run once for the module. The clients are not on loopback there, so the mail servers trust the
lab's subnet for plain-text logins (--trusted-networks), and Bob's server is switched off in the link pump
rather than by a forwarding switch: his server sees Alice's server's own address in Received: and for SPF,
and while off a connection to his SMTP port is refused (a RST from the pump).

Needs root and /dev/net/tun (CI runs as root); skipped with the reason otherwise."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.request

from endhost_test import ENDHOST, Server, TestCase
from test_lab import run_env
from test_lab_network import lab_namespaces, why_not_emulated

# The dashboard's loopback address (the root namespace's): a block of the module's own, away from
# test_lab_network's (127.50 … 127.89) and test_lab.py's (127.100 and up).
NET = "127.%d" % (10 + os.getpid() % 30)

# From inside a host: connect to ADDR PORT and print what happened.
CONNECT = """
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10).close()
    print("connected")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print("error %s" % e)
"""

SKIP = why_not_emulated()


@unittest.skipIf(SKIP, SKIP)
class LabMailEmulated(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="endhost-labmail-emu-test-")
        cls.state = os.path.join(cls.dir, "state")
        cls.env = dict(os.environ, XDG_RUNTIME_DIR=cls.dir)
        config = run_env(["lab", "--print-config"], cls.env)
        assert config.returncode == 0, config.stderr
        text = config.stdout.replace('# mail = { login = "bob"', 'mail = { login = "bob"')
        text = text.replace('# mail = { login = "alice"', 'mail = { login = "alice"')
        cls.config = os.path.join(cls.dir, "lab.toml")
        with open(cls.config, "w") as f:
            f.write(text)
        cls.server = Server(["lab", "--config", cls.config, "--state", cls.state, "--threads", "2", "--net", NET,
                             "--network", "emulated"], env=cls.env)
        cls.server.wait_log(lambda r: r.get("msg") == "lab ready", timeout=90)
        with open(os.path.join(cls.state, "lab.json")) as f:
            cls.lab = json.load(f)
        cls.mail = {m["host"]: m for m in cls.lab["mail"]}

    @classmethod
    def tearDownClass(cls):
        pid = cls.server.proc.pid
        code = cls.server.stop(signal.SIGINT)
        cls.server.__exit__(None, None, None)
        left = lab_namespaces(pid)
        shutil.rmtree(cls.dir, ignore_errors=True)
        assert code == 0, "endhost lab exited with %s after SIGINT" % code
        assert not left, "namespaces left after SIGINT: %s" % left

    def api(self, path, body=None):
        d = self.lab["dashboard"]
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://%s:%d%s" % (d["address"], d["port"], path), data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(req, timeout=15) as resp:
            return json.loads(resp.read())

    def connect_from_user(self, address, port):
        r = subprocess.run([ENDHOST, "lab", "exec", "user", "--state", self.state, "--", sys.executable, "-c",
                            CONNECT, address, str(port)], capture_output=True, text=True, timeout=60, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_lab_is_emulated(self):
        self.assertEqual(self.lab["network"]["mode"], "emulated")
        self.assertTrue(self.mail["mail.hamburger.edu"]["address"].startswith("198.1"))

    def test_switch_off_refuses_and_on_accepts(self):
        bob = self.mail["mail.hamburger.edu"]
        self.assertEqual(self.connect_from_user(bob["address"], bob["port"]), "connected")
        try:
            self.api("/api/switch", {"host": "mail.hamburger.edu", "on": False})
            self.assertEqual(self.connect_from_user(bob["address"], bob["port"]), "refused")
            # Only that port is closed: his submission port still answers.
            self.assertEqual(self.connect_from_user(bob["address"], bob["submission_port"]), "connected")
            servers = {s["host"]: s for s in self.api("/api/mail")["servers"]}
            self.assertFalse(servers["mail.hamburger.edu"]["up"])
        finally:
            self.api("/api/switch", {"host": "mail.hamburger.edu", "on": True})
        self.assertEqual(self.connect_from_user(bob["address"], bob["port"]), "connected")

    def test_z_experiment_mail(self):
        r = run_env(["lab", "experiment", "mail", "--state", self.state, "--json"], self.env, timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        m = json.loads(r.stdout)["mail"]
        alice = self.mail["mail.crepes.fr"]["address"]
        headers = m["first"]["headers"]
        # Bob's server saw Alice's server itself, not a switch on his own host.
        self.assertIn("Received: from mail.crepes.fr (unknown [%s])" % alice, headers)
        self.assertTrue(any("spf=pass smtp.mailfrom=crepes.fr" in h for h in headers), headers)
        self.assertTrue(any(c["hop"] == "user agent" and c["text"].startswith("AUTH") for c in m["conversation"]))
        second = m["second"]
        self.assertIsNotNone(second["queue_entry"])
        self.assertIn("Connection refused", second["queue_entry"]["recipients"][0]["last_error"])
        self.assertFalse(second["delivered_before_up"])
        self.assertGreater(second["delivered_ms"], second["up_ms"])

    def test_z_experiment_mail_access(self):
        r = run_env(["lab", "experiment", "mail-access", "--state", self.state, "--json"], self.env, timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        result = json.loads(r.stdout)
        self.assertTrue(result["ok"])
        m = result["mail_access"]
        self.assertEqual(m["problems"], [])
        runs = {x["mode"]: x for x in m["runs"]}
        self.assertEqual(set(runs), {"pop3-delete", "pop3-keep", "pop3-keep-check", "imap"})
        for x in runs.values():
            self.assertIsNone(x["error"], x)


if __name__ == "__main__":
    unittest.main()
