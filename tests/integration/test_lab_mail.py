"""The lab's mail hosts (issue 11 §4): mail.crepes.fr (Alice) and mail.hamburger.edu (Bob) with MX, DKIM and
SPF records in the lab's DNS, users alice and bob with the documented passwords, a message submitted by hand
(smtplib, AUTH on the submission port) that Alice's server relays to Bob's by MX, the dashboard's mail view
and switch, and `endhost lab experiment mail`: hop by hop, then the message held in Alice's queue while Bob's
server is down and delivered once it is back. Issue 12 §4: Bob's mail read by poplib, imaplib, curl's pop3://
and imap:// and the webmail at the addresses the map lists, and `endhost lab experiment mail-access`: POP3
delete, POP3 keep and IMAP, with what each moved and what stayed on the server."""

import imaplib
import json
import os
import poplib
import re
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest
import urllib.request

from endhost_test import Server, TestCase
from test_lab import lab_args, random_block, run_env, runtime_env


def start_mail_lab(state, env):
    """The default lab (its configuration printed and loaded again: the mail hosts are in it)."""
    config = run_env(["lab", "--print-config"], env)
    assert config.returncode == 0, config.stderr
    text = config.stdout.replace('# mail = { login = "bob"', 'mail = { login = "bob"')
    text = text.replace('# mail = { login = "alice"', 'mail = { login = "alice"')
    path = os.path.join(state, "..", os.path.basename(state) + ".toml")
    with open(path, "w") as f:
        f.write(text)
    for _ in range(4):
        net, base = random_block()
        try:
            server = Server(lab_args(state, net, base) + ["--config", path], env=env)
        except RuntimeError:
            continue
        server.wait_log(lambda r: r.get("msg") == "lab ready", timeout=60)
        with open(os.path.join(state, "lab.json")) as f:
            return server, json.load(f), net, base
    raise RuntimeError("the lab did not start on any block")


def dig(lab, name, rtype):
    r = lab["resolver"]
    p = subprocess.run(["dig", "+short", "+time=3", "+tries=2", "@" + r["address"], "-p", str(r["port"]), name, rtype],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.split("\n")


def wait_for(what, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s" % what)


class LabMail(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp(prefix="endhost-lab-mail-")
        cls.runtime = tempfile.mkdtemp(prefix="endhost-lab-mail-runtime-")
        cls.env = runtime_env(cls.runtime)
        cls.server, cls.lab, cls.net, cls.base = start_mail_lab(cls.state, cls.env)
        cls.mail = {m["host"]: m for m in cls.lab["mail"]}
        cls.alice = cls.mail["mail.crepes.fr"]
        cls.bob = cls.mail["mail.hamburger.edu"]

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        shutil.rmtree(cls.state, ignore_errors=True)
        shutil.rmtree(cls.runtime, ignore_errors=True)
        assert code == 0, "endhost lab exited with %s after SIGTERM" % code

    def dashboard(self, path, body=None):
        d = self.lab["dashboard"]
        req = urllib.request.Request("http://%s:%d%s" % (d["address"], d["port"], path),
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=15) as resp:
            return json.loads(resp.read())

    def bob_messages(self):
        new = os.path.join(self.bob["mail_dir"], "users", "bob", "new")
        out = []
        for n in sorted(os.listdir(new)) if os.path.isdir(new) else []:
            with open(os.path.join(new, n), "rb") as f:
                out.append(f.read())
        return out

    def test_mail_hosts_in_lab_json(self):
        self.assertEqual(self.alice["domains"], ["crepes.fr"])
        self.assertEqual(self.alice["login"], "alice")
        self.assertEqual(self.alice["password"], "wonderland")
        self.assertEqual(self.bob["domains"], ["hamburger.edu"])
        self.assertEqual(self.bob["login"], "bob")
        self.assertEqual(self.alice["port"], self.base + 25)
        self.assertEqual(self.alice["submission_port"], self.base + 587)

    def test_mx_dkim_and_spf_records(self):
        self.assertEqual(dig(self.lab, "hamburger.edu", "MX")[0], "10 mail.hamburger.edu.")
        self.assertEqual(dig(self.lab, "mail.hamburger.edu", "A")[0], self.bob["address"])
        key = " ".join(dig(self.lab, "lab._domainkey.crepes.fr", "TXT"))
        self.assertIn("v=DKIM1", key)
        self.assertIn("p=", key)
        # The TXT record is the key the server signs with (the same file under the mail directory).
        with open(os.path.join(self.alice["mail_dir"], "dkim", "crepes.fr.lab.txt")) as f:
            self.assertIn(f.read().strip().split("p=")[1][:20], key.replace('" "', ""))
        self.assertIn('"v=spf1 mx -all"', dig(self.lab, "crepes.fr", "TXT"))

    def test_alice_submits_and_alices_server_relays_by_mx(self):
        subject = "by-hand-%d" % time.monotonic_ns()
        with smtplib.SMTP(self.alice["address"], self.alice["submission_port"], timeout=30) as s:
            s.ehlo("alice-laptop.crepes.fr")
            s.login("alice", "wonderland")
            refused = s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                                 "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: %s\r\n\r\nhi Bob\r\n" % subject)
            self.assertEqual(refused, {})
        got = wait_for("the message in Bob's Maildir",
                       lambda: [m for m in self.bob_messages() if subject.encode() in m], 60)
        raw = got[0]
        # Received: by Bob's server from Alice's server (its own address, through the lab's switch), and
        # Alice's server's DKIM signature, verified by Bob's.
        self.assertIn(b"by mail.hamburger.edu", raw)
        self.assertIn(self.alice["address"].encode(), raw)
        self.assertIn(b"DKIM-Signature:", raw)
        self.assertIn(b"d=crepes.fr", raw)
        self.assertIn(b"dkim=pass", raw)
        self.assertIn(b"spf=pass", raw)
        # The dashboard's view lists it among Bob's server's recent deliveries.
        view = self.dashboard("/api/mail")
        servers = {s["host"]: s for s in view["servers"]}
        self.assertTrue(any(subject in (d["headers"].get("Subject") or "") for d in servers["mail.hamburger.edu"]["recent"]))

    def test_a_wrong_password_is_refused(self):
        with smtplib.SMTP(self.alice["address"], self.alice["submission_port"], timeout=30) as s:
            s.ehlo("alice-laptop.crepes.fr")
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                s.login("alice", "not-wonderland")

    def test_mail_access_addresses_in_the_map_and_lab_json(self):
        for m in (self.alice, self.bob):
            self.assertEqual(m["pop3_port"], self.base + 110)
            self.assertEqual(m["imap_port"], self.base + 143)
            self.assertEqual(m["webmail_port"], self.base + 80)
        deadline = time.monotonic() + 10  # the map on stdout, read by the harness's own thread
        while "Press Ctrl-C to stop." not in self.server.stdout_lines and time.monotonic() < deadline:
            time.sleep(0.05)
        out = "\n".join(self.server.stdout_lines)
        a = self.bob["address"]
        self.assertIn("POP3 %s:%d   IMAP %s:%d   webmail http://%s:%d/" % (a, self.base + 110, a, self.base + 143, a, self.base + 80), out)
        self.assertIn("curl -u bob:hamburger pop3://%s:%d/1" % (a, self.base + 110), out)
        self.assertIn("curl -u bob:hamburger 'imap://%s:%d/INBOX;UID=1'" % (a, self.base + 143), out)
        self.assertIn("endhost lab experiment mail-access", out)
        # The python lines of the map, run as they are printed, log in and answer.
        lines = [l.strip() for l in self.server.stdout_lines if l.strip().startswith("python3 -c") and "'bob'" in l]
        self.assertEqual(len(lines), 2, out)
        for line in lines:
            r = subprocess.run(line, shell=True, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, line + "\n" + r.stdout + r.stderr)
        # The webmail answers at its address.
        with urllib.request.urlopen("http://%s:%d/" % (a, self.bob["webmail_port"]), timeout=15) as resp:
            self.assertEqual(resp.status, 200)

    def test_read_bobs_mail_by_pop3_imap_and_curl(self):
        subject = "read-%d" % time.monotonic_ns()
        with smtplib.SMTP(self.alice["address"], self.alice["submission_port"], timeout=30) as s:
            s.ehlo("alice-laptop.crepes.fr")
            s.login("alice", "wonderland")
            s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                       "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: %s\r\n\r\nhi Bob\r\n" % subject)
        a = self.bob["address"]

        def find_uid():
            m = imaplib.IMAP4(a, self.bob["imap_port"])
            try:
                m.login("bob", "hamburger")
                m.select("INBOX")
                typ, data = m.uid("SEARCH", None, "SUBJECT", subject)
                return data[0].split()[0].decode() if typ == "OK" and data[0] else None
            finally:
                m.logout()
        uid = wait_for("the message over IMAP", find_uid, 60)
        # POP3: the same message among the maildrop's, read and kept.
        p = poplib.POP3(a, self.bob["pop3_port"], timeout=30)
        p.user("bob")
        p.pass_("hamburger")
        count, _ = p.stat()
        texts = [b"\r\n".join(p.retr(i)[1]) for i in range(1, count + 1)]
        p.quit()
        number = next(i + 1 for i, t in enumerate(texts) if subject.encode() in t)
        # curl, as the map says: by number over POP3, by UID over IMAP (RFC 5092).
        for url in ("pop3://%s:%d/%d" % (a, self.bob["pop3_port"], number),
                    "imap://%s:%d/INBOX;UID=%s" % (a, self.bob["imap_port"], uid)):
            r = subprocess.run(["curl", "-s", "-S", "--max-time", "30", "-u", "bob:hamburger", url],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, url + ": " + r.stderr)
            self.assertIn("Subject: " + subject, r.stdout, url)

    def test_z_experiment_mail(self):
        r = run_env(["lab", "experiment", "mail", "--state", self.state, "--json"], self.env, timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        result = json.loads(r.stdout)
        m = result["mail"]
        self.assertEqual(m["from"], "alice@crepes.fr")
        self.assertEqual(m["to"], "bob@hamburger.edu")
        self.assertTrue(any(c["hop"] == "user agent" and c["text"].startswith("AUTH") for c in m["conversation"]))
        relay = [c for c in m["conversation"] if c["hop"] == "relay"]
        self.assertTrue(any(c["text"].upper().startswith("MAIL FROM:<ALICE@CREPES.FR>") for c in relay), relay)
        self.assertTrue(any(c["text"].startswith("220 ") for c in relay), relay)
        second = m["second"]
        self.assertIsNotNone(second["queue_entry"])
        self.assertFalse(second["delivered_before_up"])
        self.assertGreater(second["delivered_ms"], second["up_ms"])
        # The switch is on again afterwards, and the dashboard keeps the result for its figure.
        servers = {s["host"]: s for s in self.dashboard("/api/mail")["servers"]}
        self.assertTrue(servers["mail.hamburger.edu"]["up"])
        stored = self.dashboard("/api/experiments")["results"]["mail"]
        self.assertTrue(stored["ok"])

    def test_z_experiment_mail_access(self):
        r = run_env(["lab", "experiment", "mail-access", "--state", self.state, "--json"], self.env, timeout=240)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        result = json.loads(r.stdout)
        self.assertTrue(result["ok"])
        m = result["mail_access"]
        self.assertEqual(m["user"], "bob@hamburger.edu")
        self.assertEqual(m["problems"], [])
        runs = {x["mode"]: x for x in m["runs"]}
        self.assertEqual(set(runs), {"pop3-delete", "pop3-keep", "pop3-keep-check", "imap"})
        for x in runs.values():
            self.assertIsNone(x["error"], x)
            self.assertEqual(x["connections"], 1)
            self.assertGreater(x["sent"], 0)
            self.assertGreater(x["received"], x["message_bytes"] if x["mode"] != "pop3-keep-check" else 0)
            # The bytes of a run are those of its exchanges (counted on the client's socket).
            self.assertEqual(sum(e["sent"] for e in x["exchanges"]), x["sent"])
            self.assertEqual(sum(e["received"] for e in x["exchanges"]), x["received"])

        def folders(x):
            return {f["name"]: f for f in x["after"]}

        def commands(x):
            return [e["command"].split(" ")[0].upper() for e in x["exchanges"] if e["command"]]
        total = sum(msg["bytes"] for msg in m["messages"])
        self.assertEqual(len(m["messages"]), 3)
        # POP3 download-and-delete: every message whole (at least their bytes came over), nothing left.
        d = runs["pop3-delete"]
        self.assertEqual(commands(d).count("RETR"), 3)
        self.assertEqual(commands(d).count("DELE"), 3)
        self.assertEqual(commands(d)[-1], "QUIT")
        self.assertGreaterEqual(d["received"], total)
        self.assertEqual(folders(d)["INBOX"]["messages"], 0)
        # Download-and-keep: the same bytes, the three messages still there, seen; the next check by UIDL
        # downloads nothing.
        k = runs["pop3-keep"]
        self.assertIn("UIDL", commands(k))
        self.assertNotIn("DELE", commands(k))
        self.assertGreaterEqual(k["received"], total)
        self.assertEqual(folders(k)["INBOX"]["messages"], 3)
        self.assertEqual(folders(k)["INBOX"]["flags"], ["\\Seen"] * 3)
        c = runs["pop3-keep-check"]
        self.assertNotIn("RETR", commands(c))
        self.assertLess(c["received"], 1000)
        self.assertEqual(folders(c)["INBOX"]["messages"], 3)
        # IMAP: the folder exists with the moved message, two stay in INBOX (one read, one flagged), and the
        # partial fetch brought 1 KiB of the attachment: the whole session far less than the attachment.
        i = runs["imap"]
        f = folders(i)
        self.assertIn(m["folder"], f)
        self.assertEqual(f[m["folder"]]["messages"], 1)
        self.assertEqual(f["INBOX"]["messages"], 2)
        self.assertEqual(sorted(f["INBOX"]["flags"]), ["\\Flagged", "\\Seen"])
        self.assertEqual(i["partial"]["bytes"], 1024)
        self.assertTrue(i["partial"]["matches_attachment"])
        self.assertIn('"base64"', i["partial"]["bodystructure"])
        self.assertLess(i["received"], m["attachment_encoded_bytes"] / 20)
        self.assertLess(i["received"] * 20, d["received"])
        partial = [e for e in i["exchanges"] if "BODY.PEEK[2]<0.1024>" in e["command"]]
        self.assertEqual(len(partial), 1)
        self.assertLess(partial[0]["received"], 1024 + 200)
        self.assertGreaterEqual(partial[0]["received"], 1024)
        self.assertTrue(any(re.match(r"a\d+ UID MOVE \d+ " + m["folder"], e["command"]) for e in i["exchanges"]))
        # What Bob's Maildir holds now is what the experiment reported (read independently here).
        user = os.path.join(self.bob["mail_dir"], "users", "bob")
        on_disk = sum(len(os.listdir(os.path.join(user, "." + m["folder"], sub))) for sub in ("new", "cur"))
        self.assertEqual(on_disk, 1)
        # The table says the same in words, and the dashboard keeps the result for its figure.
        self.assertIn("POP3, download and delete", result["text"])
        self.assertIn("BODY.PEEK[2]<0.1024>", result["text"])
        stored = self.dashboard("/api/experiments")["results"]["mail-access"]
        self.assertTrue(stored["ok"])


if __name__ == "__main__":
    unittest.main()
