"""The lab's FTP host (issue 13 §3): ftp.someschool.edu in the lab's DNS, its tree used with curl (anonymous
pub/, alice's upload/), the same pub/ over HTTP from www.someschool.edu, and `endhost lab experiment ftp`:
one control connection, four data connections, and the replies in order, checked against the server's own
transcript on the dashboard."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import urllib.request

from endhost_test import TestCase
from test_lab import run_env, runtime_env, start_lab


def curl(*args, timeout=60):
    return subprocess.run(["curl", "-sS", "--max-time", "30"] + list(args), capture_output=True, timeout=timeout)


class LabFtp(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp(prefix="endhost-lab-ftp-")
        cls.runtime = tempfile.mkdtemp(prefix="endhost-lab-ftp-runtime-")
        cls.env = runtime_env(cls.runtime)
        cls.server, cls.lab, cls.net, cls.base = start_lab(cls.state, env=cls.env)
        cls.ftp = cls.lab["ftp"][0]
        cls.url = "ftp://%s:%d" % (cls.ftp["address"], cls.ftp["port"])
        cls.web = next(w for w in cls.lab["web"] if w["site"] == cls.ftp["site"])

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.state, ignore_errors=True)
        shutil.rmtree(cls.runtime, ignore_errors=True)
        assert code == 0, "endhost lab exited with %s after SIGTERM" % code

    def dashboard(self, path):
        d = self.lab["dashboard"]
        with urllib.request.urlopen("http://%s:%d%s" % (d["address"], d["port"], path), timeout=15) as resp:
            return json.loads(resp.read())

    def test_the_ftp_host_is_in_lab_json_and_the_dns(self):
        self.assertEqual(self.ftp["host"], "ftp.someschool.edu")
        self.assertEqual(self.ftp["port"], self.base + 21)
        self.assertEqual(self.ftp["login"], "alice")
        h = next(h for h in self.lab["hosts"] if h["name"] == "ftp.someschool.edu")
        self.assertEqual([s["kind"] for s in h["services"]], ["ftp"])
        r = self.lab["resolver"]
        dig = subprocess.run(["dig", "+short", "+time=3", "+tries=2", "@" + r["address"], "-p", str(r["port"]),
                              "ftp.someschool.edu", "A"], capture_output=True, text=True, timeout=30)
        self.assertEqual(dig.returncode, 0, dig.stderr)
        self.assertEqual(dig.stdout.split(), [self.ftp["address"]])

    def test_anonymous_reads_pub_and_http_serves_the_same_bytes(self):
        listing = curl("--list-only", self.url + "/pub/")
        self.assertEqual(listing.returncode, 0, listing.stderr)
        names = listing.stdout.decode().split()
        self.assertIn("README.txt", names)
        big = sorted(n for n in names if n.endswith(".bin"))
        self.assertGreaterEqual(len(big), 3, names)
        by_ftp = curl(self.url + "/pub/" + big[0])
        self.assertEqual(by_ftp.returncode, 0, by_ftp.stderr)
        self.assertGreaterEqual(len(by_ftp.stdout), 1 << 20)
        by_http = curl("http://%s:%d/pub/%s" % (self.web["address"], self.web["port"], big[0]))
        self.assertEqual(by_http.returncode, 0, by_http.stderr)
        self.assertEqual(hashlib.sha256(by_ftp.stdout).hexdigest(), hashlib.sha256(by_http.stdout).hexdigest())
        # Anonymous is read-only: an upload is refused (553/550), curl exits 25 (upload failed).
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"x")
            f.flush()
            up = curl("-T", f.name, self.url + "/pub/mine.txt")
        self.assertNotEqual(up.returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.state, "ftp", "ftp.someschool.edu", "pub", "mine.txt")))

    def test_alice_uploads_to_her_upload_directory(self):
        user = "%s:%s" % (self.ftp["login"], self.ftp["password"])
        content = os.urandom(100_000)
        with tempfile.NamedTemporaryFile() as f:
            f.write(content)
            f.flush()
            up = curl("--user", user, "-T", f.name, self.url + "/upload/report.bin")
        self.assertEqual(up.returncode, 0, up.stderr)
        on_disk = os.path.join(self.state, "ftp", "ftp.someschool.edu", "alice", "upload", "report.bin")
        with open(on_disk, "rb") as f:
            self.assertEqual(f.read(), content)
        back = curl("--user", user, self.url + "/upload/report.bin")
        self.assertEqual(back.stdout, content)
        wrong = curl("--user", "alice:not-the-password", self.url + "/")
        self.assertEqual(wrong.returncode, 67, wrong.stderr)  # curl: the login was denied (530)

    def test_experiment_ftp_one_control_and_four_data_connections(self):
        seq = self.dashboard("/api/transcripts?limit=1")
        after = max([l["seq"] for l in seq["lines"]] or [0])
        r = run_env(["lab", "experiment", "ftp", "--state", self.state, "--json"], self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        result = json.loads(r.stdout.splitlines()[0])
        self.assertEqual(result["experiment"], "ftp")
        self.assertTrue(result["ok"])
        ftp = result["ftp"]
        self.assertEqual(ftp["control_connections"], 1)
        self.assertEqual(ftp["data_connections"], 4)
        self.assertEqual([d["mode"] for d in ftp["data"]], ["passive", "passive", "active", "active"])
        self.assertEqual([d["command"].split()[0] for d in ftp["data"]], ["LIST", "RETR", "RETR", "RETR"])
        for d in ftp["data"]:
            self.assertLessEqual(d["opened_ms"], d["closed_ms"])
        self.assertEqual(ftp["model_connections"], 5)
        self.assertEqual(result["http"]["connections"], 1)
        self.assertEqual(result["http"]["requests"], 3)
        self.assertEqual(result["http"]["server_connections"], 1, "the web server saw one connection")
        self.assertEqual([f["bytes"] for f in result["files"]], [o["bytes"] for o in result["http"]["objects"]])

        # The replies in order: each command's final reply as the conversation shows it, and the same codes as
        # the server's transcript, read here from the dashboard independently of the experiment.
        conv = ftp["conversation"]
        replies = [int(c["text"][:3]) for c in conv
                   if c["who"] == "S" and c["text"][:3].isdigit() and c["text"][3:4] in ("", " ")]
        self.assertEqual(replies, ftp["replies"])
        self.assertEqual(replies[0], 220)
        self.assertEqual(replies[-1], 221)
        expect = {"USER": [331], "PASS": [230], "TYPE": [200], "EPSV": [229], "PASV": [227], "EPRT": [200],
                  "PORT": [200], "LIST": [150, 226], "RETR": [150, 226], "QUIT": [221]}
        pos = 1
        for c in conv:
            if c["who"] != "C":
                continue
            verb = c["text"].split()[0]
            want = expect[verb]
            self.assertEqual(replies[pos:pos + len(want)], want, "after %s: %s" % (c["text"], replies))
            pos += len(want)
        self.assertEqual(pos, len(replies))

        lines = self.dashboard("/api/transcripts?limit=5000&after=%d" % after)["lines"]
        mine = [l for l in lines if l["service"] == "ftp.someschool.edu/ftp"]
        peers = {l["peer"] for l in mine if l["who"] == "C"}
        self.assertEqual(len(peers), 1, "one control connection: %s" % peers)
        data_notes = [l for l in mine if l["who"] == "N" and l["text"].startswith("data: ")]
        self.assertEqual(len(data_notes), 4)
        self.assertEqual([int(l["text"].split()[1]) for l in data_notes], [d["bytes"] for d in ftp["data"]])
        server_replies = []
        for l in mine:
            if l["who"] == "S":
                for line in l["text"].splitlines():
                    if line[:3].isdigit() and line[3:4] in ("", " "):
                        server_replies.append(int(line[:3]))
        self.assertEqual(server_replies, replies)
        self.assertEqual(result["ftp_server_view"]["replies"], replies)

    def test_experiment_ftp_prints_the_table(self):
        r = run_env(["lab", "experiment", "ftp", "--state", self.state], self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("(using the lab of %s" % self.state, r.stdout)
        self.assertRegex(r.stdout, r"FTP: 1 control \+ data per transfer\s+1 \+ 4\s+17\s+17\s")
        self.assertRegex(r.stdout, r"persistent HTTP\s+1\s+4\s+4\s")
        self.assertIn("The server's transcript: 1 control connection(s), 4 data connection(s)", r.stdout)
        self.assertIn("The web server's transcript: requests on 1 connection(s)", r.stdout)


if __name__ == "__main__":
    unittest.main()
