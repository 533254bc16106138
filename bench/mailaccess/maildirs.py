"""The mail both servers of bench/imap and bench/pop3 start from: Maildirs written straight into cur/ (no
server has to move them out of new/ first), byte for byte the same under endhost and Dovecot.

A template is written once per run under `<dir>/users/<user>/{cur,new,tmp}` and copied (`cp -a`) under each
server before it starts, so every round starts from the same files; a copy of a large template is instead
reset between rounds (reset_to_template: what the servers added, their indexes, goes), because deleting and
copying 100,000 files costs minutes on this machine's disk (ext4 with online discard). The names are Dovecot's and endhost's
shape, `<secs>.M<us>P<pid>Q<n>.bench,S=<size>,W=<crlf size>:2,`, so neither server has to read a file to
learn its size; the bodies are LF-ended, as a delivery agent writes them. The messages are made from a fixed
seed: the same on every run.
"""

import os
import random
import subprocess

WORDS = ("mail", "server", "bench", "index", "mailbox", "folder", "message", "header", "body", "client",
         "session", "login", "fetch", "store", "select", "append", "expunge", "flag", "seen", "deleted",
         "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "and", "then", "some", "more")

BASE_TIME = 1796300000  # 2026-12-03, the seconds of the first name


def message(rng, user, n, size):
    """A text/plain message of about `size` bytes (LF line ends)."""
    head = ("Return-Path: <sender%d@example.test>\n"
            "Delivered-To: %s@bench.test\n"
            "Received: from client.example.test (client.example.test [192.0.2.%d])\n"
            "\tby mx.bench.test with ESMTP id %08X\n"
            "\tfor <%s@bench.test>; Thu, 03 Dec 2026 12:%02d:%02d +0000\n"
            "From: Sender %d <sender%d@example.test>\n"
            "To: %s <%s@bench.test>\n"
            "Subject: bench message %d of %s: %s %s %s\n"
            "Date: Thu, 03 Dec 2026 12:%02d:%02d +0000\n"
            "Message-ID: <%s.%d@example.test>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "\n") % (n % 50, user, n % 250 + 1, n, user, (n // 60) % 60, n % 60, n % 50, n % 50, user, user, n,
                     user, rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS), (n // 60) % 60, n % 60, user, n)
    lines, total = [], len(head)
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 12))) + "\n"
        lines.append(line)
        total += len(line)
    return (head + "".join(lines)).encode()


def write_maildir(folder, user, count, min_size, max_size, seed):
    """Writes `count` messages into `folder`/cur (making cur, new and tmp)."""
    rng = random.Random("%s/%d" % (user, seed))
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    cur = os.path.join(folder, "cur")
    for n in range(1, count + 1):
        data = message(rng, user, n, rng.randint(min_size, max_size) if max_size > min_size else min_size)
        vsize = len(data) + data.count(b"\n")  # every line end is a bare LF: CRLF adds one octet each
        name = "%d.M%dP%dQ%d.bench,S=%d,W=%d:2," % (BASE_TIME + n // 1000, n % 1000000, 4242, n, len(data), vsize)
        with open(os.path.join(cur, name), "wb") as f:
            f.write(data)


def make_template(root, users, count, min_size, max_size, seed=1):
    """`root`/users/<user>/ for every user of `users`, each with `count` messages."""
    for user in users:
        write_maildir(os.path.join(root, "users", user), user, count, min_size, max_size, seed)
    return root


def remove(path):
    """rm -rf: much faster than shutil.rmtree on a directory of 100,000 files."""
    subprocess.run(["rm", "-rf", "--", path], check=True)


def copy_template(template, mail_dir):
    """A fresh copy of a template's users/ under `mail_dir` (made or emptied first), owners kept."""
    remove(mail_dir)
    os.makedirs(mail_dir)
    subprocess.run(["cp", "-a", os.path.join(template, "users"), mail_dir], check=True)


def reset_to_template(template, mail_dir):
    """Makes a copy of `template` under `mail_dir` hold the template's files again and nothing else: every
    file or directory a server added (its index, UID list, queue) is removed and a file it renamed or
    removed is copied back. Returns how many entries it had to change."""
    changed = 0

    def sync_dir(want_dir, have_dir, depth):
        nonlocal changed
        want = set(os.listdir(want_dir))
        have = set(os.listdir(have_dir)) if os.path.isdir(have_dir) else set()
        for name in have - want:
            remove(os.path.join(have_dir, name))
            changed += 1
        missing = sorted(want - have)
        if missing and depth < 2:
            for name in missing:
                subprocess.run(["cp", "-a", os.path.join(want_dir, name), have_dir], check=True)
        elif len(missing) > 1000:
            # A server renamed most message files: the folder is copied again whole.
            remove(have_dir)
            subprocess.run(["cp", "-a", want_dir, have_dir], check=True)
        elif missing:
            # A few message files (users/<user>/cur): copied back with one cp.
            subprocess.run(["cp", "-a", "-t", have_dir] + [os.path.join(want_dir, n) for n in missing], check=True)
        changed += len(missing)
        if depth < 2:
            for name in want & have:
                if os.path.isdir(os.path.join(want_dir, name)):
                    sync_dir(os.path.join(want_dir, name), os.path.join(have_dir, name), depth + 1)

    # mail_dir holds users/ (and whatever a server made beside it); users/<user>/ holds cur, new, tmp.
    sync_dir(template, mail_dir, -1)
    return changed
