"""bench/imap and bench/pop3: endhost's IMAP and POP3 servers against Dovecot, same machine, same run (issue 12 §6).

Builds endhost (release preset) unless ENDHOST_BIN is set, and the load generator (loadgen.cpp, g++, into the
run's temp directory). Dovecot is a private instance made here (dovecot_instance.py: its own config and
base_dir under the temp directory, loopback ports, service_count = 0, mail_fsync = always), started afresh
for every round as endhost is, over a fresh copy of the same Maildir files (maildirs.py: written into cur/,
identical bytes for both). Both read one passwd-file, every user with a {SHA512-CRYPT} hash (crypt(3)'s
default 5,000 rounds): the one scheme both accept that is not slow by design, so a login costs both servers
the same hash. endhost runs as `endhost mail serve --domain bench.test --mail-dir DIR --users FILE --listen
127.0.0.1:0 --submission-listen off --pop3 127.0.0.1:0 --imap 127.0.0.1:0`, its ports read from its
`listening` log lines. Measures:
  (a) IMAP, C clients (default 10), each its own user with a mailbox of M messages (default 200, 2-4 KiB):
      logins/s (connect, LOGIN, LOGOUT, for --duration seconds), then the ops mix in ops/s: rounds of
      SELECT INBOX, FETCH 1:20 (FLAGS RFC822.SIZE BODY.PEEK[HEADER]), 3 x FETCH n BODY[], STORE n
      +FLAGS (\\Seen), STORE n -FLAGS (\\Seen), APPEND of 2 KiB, STORE 1 +FLAGS.SILENT (\\Deleted), EXPUNGE
      (one in, one out: the mailbox keeps its size), each command's rate and the total
  (b) POP3, C clients: sessions/s, each USER/PASS, STAT, RETR 1..100, QUIT (no DELE)
  (c) one mailbox of --big messages (default 100,000, about 500 bytes): the time of the first SELECT after
      the server started (cold: its index to be built), of a SELECT in a second session (warm), and the
      memory with that session open: VmRSS of the process(es) holding the mailbox (endhost's one process;
      Dovecot's `imap` processes, without master, login, auth and the other helpers) and the proportional
      set size (Pss) of the whole server's process tree
Beside each rate, the server's CPU time per operation (utime+stime over its process tree, with reaped
children through the master's cutime/cstime; ANCHORS.md: when both reach the load generator's ceiling, CPU
per operation still separates them). Rounds alternate (endhost, Dovecot, …) and the best of each figure is
kept. Ratios are endhost/Dovecot for rates and Dovecot/endhost for CPU, times and memory: above 1.0 favours
endhost in every row. Every reply is checked by the load generator; a NO, BAD, -ERR or lost connection
counts as an error, and a table with errors says so under it.

Usage: bench/imap/run  [--rounds R] [--duration S] [--clients C] [--only a,c] [--dovecot-only]
       bench/pop3/run  [--rounds R] [--duration S] [--clients C] [--only b] [--dovecot-only]
Not part of the tests (ANCHORS.md: only ratios mean anything on a shared machine).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import dovecot_instance  # noqa: E402
import maildirs  # noqa: E402

DOMAIN = "bench.test"
USER_PREFIX = "bench"
BIG_USER = "big"
PASSWORD = "bench-password"
TICKS = os.sysconf("SC_CLK_TCK")
MIX_OPS = [("select", "SELECT INBOX"), ("fetch_headers", "FETCH 1:20 (FLAGS RFC822.SIZE BODY.PEEK[HEADER])"),
           ("fetch_body", "FETCH n BODY[]"), ("store", "STORE n +/-FLAGS (\\Seen), STORE 1 +FLAGS (\\Deleted)"),
           ("append", "APPEND 2 KiB"), ("expunge", "EXPUNGE")]


# --- builds --------------------------------------------------------------------------------------------

def build_endhost():
    if os.environ.get("ENDHOST_BIN"):
        return os.environ["ENDHOST_BIN"]
    subprocess.run(["cmake", "--preset", "release"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "--preset", "release", "--target", "endhost", "-j2"], cwd=REPO, check=True)
    for candidate in ("build/release/src/cli/endhost", "build/release/endhost"):
        path = os.path.join(REPO, candidate)
        if os.path.exists(path):
            return path
    sys.exit("no endhost binary after the build")


def build_loadgen(tmp):
    out = os.path.join(tmp, "loadgen")
    subprocess.run(["g++", "-std=c++20", "-O2", "-pthread", "-o", out, os.path.join(HERE, "loadgen.cpp")], check=True)
    return out


def endhost_protocols(binary):
    """Which of --imap and --pop3 this endhost's `mail serve` has."""
    p = subprocess.run([binary, "mail", "serve", "--help"], capture_output=True, text=True)
    text = p.stdout + p.stderr
    return {proto for proto in ("imap", "pop3") if "--%s " % proto in text or "--%s," % proto in text}


# --- processes -----------------------------------------------------------------------------------------

def proc_tree(root):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(root):
    """utime+stime of every live process under `root`, plus root's reaped children (cutime+cstime)."""
    total = 0
    for pid in proc_tree(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
        if pid == root:
            total += int(fields[13]) + int(fields[14])
    return total / TICKS


def status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def pss_kib(root):
    total = 0
    for pid in proc_tree(root):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


# --- the servers ---------------------------------------------------------------------------------------

class EndhostServer:
    name = "endhost"

    def __init__(self, binary, base, mail_dir, users, protocols):
        self.binary, self.base, self.mail_dir, self.users = binary, base, mail_dir, users
        self.protocols = protocols
        self.log = os.path.join(base, "endhost.log")
        self.proc = None
        self.port_imap = self.port_pop3 = None

    def start(self):
        argv = [self.binary, "mail", "serve", "--domain", DOMAIN, "--mail-dir", self.mail_dir, "--users", self.users,
                "--listen", "127.0.0.1:0", "--submission-listen", "off", "--log-format", "json"]
        for proto in ("pop3", "imap"):
            if proto in self.protocols:
                argv += ["--%s" % proto, "127.0.0.1:0"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + 120
        ports = {}
        while time.monotonic() < deadline and not set(self.protocols) <= set(ports):
            if self.proc.poll() is not None:
                raise RuntimeError("endhost exited (%s) before it listened" % self.proc.returncode)
            # The `listening` lines, as tests/integration/mail_util.py reads them (protocol=imap / pop3).
            with open(self.log, errors="replace") as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    if rec.get("msg") == "listening" and rec.get("protocol") in self.protocols:
                        ports[rec["protocol"]] = int(rec["address"].rpartition(":")[2])
            time.sleep(0.01)
        if not set(self.protocols) <= set(ports):
            raise RuntimeError("no listening lines for %s" % ", ".join(sorted(self.protocols)))
        self.port_imap, self.port_pop3 = ports.get("imap"), ports.get("pop3")
        return self

    def root_pid(self):
        return self.proc.pid

    def mailbox_pids(self):
        return [self.proc.pid]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return ""


class DovecotServer:
    name = "dovecot"

    def __init__(self, base, mail_dir, users):
        self.dc = dovecot_instance.Dovecot(os.path.join(base, "dovecot"), mail_dir, users)
        self.port_imap, self.port_pop3 = self.dc.port_imap, self.dc.port_pop3

    def start(self):
        self.dc.start()
        return self

    def root_pid(self):
        return self.dc.pid()

    def mailbox_pids(self):
        """The `imap` mail processes (the ones that open mailboxes), not master, login, auth or stats."""
        return [p for p in proc_tree(self.dc.pid()) if comm(p) == "imap"]

    def stop(self):
        self.dc.stop()

    def log_tail(self):
        return self.dc.log_tail()


# --- the measurements ----------------------------------------------------------------------------------

class BenchError(RuntimeError):
    pass


def loadgen(binary, mode, port, args, extra=()):
    argv = [binary, mode, "--port", str(port), "--clients", str(args.clients), "--duration", str(args.duration),
            "--user", USER_PREFIX, "--users", str(args.clients), "--password", PASSWORD] + list(extra)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=args.duration + 300)
    if p.returncode != 0:
        raise BenchError("loadgen %s: %s" % (mode, p.stderr.strip()))
    return json.loads(p.stdout)


def ok_count(report, op):
    return report["ops"].get(op, {}).get("ok", 0)


def errors_of(report):
    return report["error_count"], report["errors"]


def measure_imap(server, gen, args):
    root = server.root_pid()
    cpu0 = cpu_seconds(root)
    logins = loadgen(gen, "imap-login", server.port_imap, args)
    cpu1 = cpu_seconds(root)
    mix = loadgen(gen, "imap-mix", server.port_imap, args)
    cpu2 = cpu_seconds(root)
    n_logins = ok_count(logins, "login")
    total = sum(ok_count(mix, op) for op, _ in MIX_OPS)
    out = {
        "logins": n_logins / logins["elapsed"],
        "login_cpu_ms": 1000 * (cpu1 - cpu0) / n_logins if n_logins else None,
        "mix": total / mix["elapsed"],
        "mix_cpu_ms": 1000 * (cpu2 - cpu1) / total if total else None,
    }
    for op, _ in MIX_OPS:
        out[op] = ok_count(mix, op) / mix["elapsed"]
        stats = mix["ops"].get(op)
        if stats and stats["ok"]:
            out[op + "_latency_ms"] = 1000 * stats["seconds"] / stats["ok"]
    n1, e1 = errors_of(logins)
    n2, e2 = errors_of(mix)
    return out, n1 + n2, e1 + e2


def measure_pop3(server, gen, args):
    root = server.root_pid()
    cpu0 = cpu_seconds(root)
    r = loadgen(gen, "pop3", server.port_pop3, args, ["--retr", str(args.retr)])
    cpu = cpu_seconds(root) - cpu0
    sessions = ok_count(r, "session")
    out = {
        "sessions": sessions / r["elapsed"],
        "retr": ok_count(r, "retr") / r["elapsed"],
        "session_cpu_ms": 1000 * cpu / sessions if sessions else None,
    }
    n, e = errors_of(r)
    return out, n, e


def measure_big(server, gen, args, started):
    p = subprocess.Popen([gen, "imap-select", "--port", str(server.port_imap), "--user", BIG_USER, "--password",
                          PASSWORD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        if not line:
            raise BenchError("loadgen imap-select printed nothing")
        r = json.loads(line)
        time.sleep(0.2)  # the warm session stays open while the memory is read
        rss = sum(status_kib(pid, "VmRSS") for pid in server.mailbox_pids())
        pss = pss_kib(server.root_pid())
    finally:
        p.stdin.close()
        p.wait(timeout=60)
    if not r["ok"] or r["exists_warm"] != args.big:
        n, e = errors_of(r["report"])
        return {}, max(1, n), e + ["SELECT saw %d messages of %d" % (r["exists_warm"], args.big)]
    out = {"startup": started, "cold": r["cold"], "warm": r["warm"], "rss_mib": rss / 1024.0, "pss_mib": pss / 1024.0}
    n, e = errors_of(r["report"])
    return out, n, e


def wait_imap_greeting(port):
    dovecot_instance.wait_greeting("127.0.0.1", port, b"* OK", timeout=300)


# --- the run -------------------------------------------------------------------------------------------

def users_file(path, names):
    """One passwd-file for both servers: name:{SHA512-CRYPT}$6$salt$hash (Dovecot's format; endhost's users
    file is the same format). A salt of its own for every user."""
    with open(path, "w") as f:
        for name in names:
            h = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=PASSWORD, capture_output=True,
                               text=True, check=True).stdout.strip()
            f.write("%s:{SHA512-CRYPT}%s\n" % (name, h))
    os.chmod(path, 0o644)
    return path


def main(default_only, title):
    ap = argparse.ArgumentParser(description=title)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=8, help="seconds of each rate measurement")
    ap.add_argument("--clients", type=int, default=10, help="parallel clients, each on its own user")
    ap.add_argument("--messages", type=int, default=200, help="messages in each client's mailbox (a, b)")
    ap.add_argument("--retr", type=int, default=100, help="RETRs per POP3 session (b)")
    ap.add_argument("--big", type=int, default=100000, help="messages in the large mailbox (c)")
    ap.add_argument("--only", default=default_only, help="a (IMAP logins and ops), b (POP3), c (large mailbox)")
    ap.add_argument("--dovecot-only", action="store_true", help="measure Dovecot alone (no endhost build)")
    args = ap.parse_args()
    only = [k for k in ("a", "b", "c") if k in args.only.split(",")]
    if args.retr > args.messages:
        sys.exit("--retr must not exceed --messages")
    for tool in ("dovecot", "doveconf", "g++", "openssl"):
        if not shutil.which(tool):
            sys.exit("%s is not installed (scripts/setup: dovecot-imapd dovecot-pop3d)" % tool)

    endhost = None if args.dovecot_only else build_endhost()
    protocols = endhost_protocols(endhost) if endhost else set()
    if endhost:
        for proto, keys in (("imap", "ac"), ("pop3", "b")):
            if proto not in protocols and any(k in keys for k in only):
                print("endhost %s has no --%s yet: its column is empty" % (endhost, proto), file=sys.stderr)
    tmp = tempfile.mkdtemp(prefix="endhost-bench-mailaccess-")
    os.chmod(tmp, 0o755)  # Dovecot's processes (users dovecot, dovenull, mail) walk into it
    results, errors = {}, {}
    try:
        gen = build_loadgen(tmp)
        names = [USER_PREFIX + str(i) for i in range(args.clients)]
        users = users_file(os.path.join(tmp, "users"), names + [BIG_USER])
        templates = {}
        t0 = time.monotonic()
        if "a" in only or "b" in only:
            templates["small"] = maildirs.make_template(os.path.join(tmp, "template-small"), names, args.messages,
                                                        2048, 4096)
        if "c" in only:
            templates["big"] = maildirs.make_template(os.path.join(tmp, "template-big"), [BIG_USER], args.big, 400, 600)
        print("  mailboxes written in %.1f s" % (time.monotonic() - t0), file=sys.stderr)

        # cp -a keeps owners: the templates are the mail user's once, so no copy needs a chown (endhost runs as
        # root and reads them as well).
        mail_owner = dovecot_instance.Dovecot(tmp, tmp, users)
        for template in templates.values():
            mail_owner.chown_mail(template)

        plan = {
            "a": ("small", "imap", lambda s, _: measure_imap(s, gen, args)),
            "b": ("small", "pop3", lambda s, _: measure_pop3(s, gen, args)),
            "c": ("big", "imap", lambda s, started: measure_big(s, gen, args, started)),
        }
        for key in only:
            template, proto, measure = plan[key]
            kept = {}  # (c): one copy of the large mailbox per server, reset between rounds
            for rnd in range(args.rounds):
                for server_kind in ("endhost", "dovecot"):
                    if server_kind == "endhost" and proto not in protocols:
                        continue
                    base = tempfile.mkdtemp(prefix="%s-%s%d-" % (server_kind, key, rnd), dir=tmp)
                    os.chmod(base, 0o755)
                    if template == "big":
                        mail_dir = os.path.join(tmp, "big-%s" % server_kind)
                        if server_kind in kept:
                            maildirs.reset_to_template(templates[template], mail_dir)
                        else:
                            maildirs.copy_template(templates[template], mail_dir)
                            kept[server_kind] = mail_dir
                    else:
                        mail_dir = os.path.join(base, "mail")
                        maildirs.copy_template(templates[template], mail_dir)
                    os.sync()  # the copy's writeback is not left to slow down the server's fsyncs
                    if server_kind == "endhost":
                        server = EndhostServer(endhost, base, mail_dir, users, protocols)
                    else:
                        server = DovecotServer(base, mail_dir, users)
                    try:
                        t_start = time.monotonic()
                        server.start()
                        if key == "c":
                            wait_imap_greeting(server.port_imap)
                        started = time.monotonic() - t_start
                        try:
                            value, n_err, err_lines = measure(server, started)
                        finally:
                            server.stop()
                    except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as e:
                        print("  (%s) %s failed: %s\n%s" % (key, server.name, e, server.log_tail()), file=sys.stderr)
                        errors.setdefault((key, server.name), [0, []])[0] += 1
                        errors[(key, server.name)][1].append(str(e))
                        maildirs.remove(base)
                        continue
                    maildirs.remove(base)
                    print("  (%s) round %d %-8s %s%s" % (
                        key, rnd + 1, server.name,
                        " ".join("%s=%.3g" % (k, v) for k, v in value.items()
                                 if v is not None and not k.endswith("_latency_ms")),
                        "  ERRORS=%d" % n_err if n_err else ""), file=sys.stderr)
                    if n_err:
                        entry = errors.setdefault((key, server.name), [0, []])
                        entry[0] += n_err
                        entry[1].extend(err_lines)
                    best = results.setdefault((key, server.name), {})
                    for figure, v in value.items():
                        if v is None:
                            continue
                        lower = figure.endswith("_ms") or figure.endswith("_mib") or figure in ("cold", "warm",
                                                                                                 "startup")
                        if figure not in best or (v < best[figure] if lower else v > best[figure]):
                            best[figure] = v
    finally:
        t0 = time.monotonic()
        maildirs.remove(tmp)
        print("  temp directory removed in %.1f s" % (time.monotonic() - t0), file=sys.stderr)

    print_tables(only, results, errors, args)


def print_tables(only, results, errors, args):
    def row(label, e, d, higher_better, fmt="%12.1f"):
        cells = [fmt % e if e is not None else "%12s" % "-", fmt % d if d is not None else "%12s" % "n/a"]
        ratio = "%16.2f" % ((e / d) if higher_better else (d / e)) if e and d else "%16s" % "-"
        print("%-58s %s %s %s" % (label, cells[0], cells[1], ratio))

    headings = {
        "a": "(a) IMAP, %d clients, %d messages each" % (args.clients, args.messages),
        "b": "(b) POP3, %d clients: USER/PASS, STAT, RETR x%d, QUIT" % (args.clients, args.retr),
        "c": "(c) IMAP, one mailbox of %d messages" % args.big,
    }
    for key in only:
        e, d = results.get((key, "endhost")), results.get((key, "dovecot"))
        get = lambda r, f: r.get(f) if r else None
        print()
        print("%-58s %12s %12s %16s" % (headings[key], "endhost", "dovecot", "ratio (>1: ours)"))
        if key == "a":
            row("logins/s (connect, LOGIN, LOGOUT)", get(e, "logins"), get(d, "logins"), True)
            row("    server CPU per login (ms)", get(e, "login_cpu_ms"), get(d, "login_cpu_ms"), False, "%12.3f")
            row("ops mix, total (ops/s; each command's below)", get(e, "mix"), get(d, "mix"), True)
            for op, label in MIX_OPS:
                row("    " + label, get(e, op), get(d, op), True)
            row("    server CPU per op (ms)", get(e, "mix_cpu_ms"), get(d, "mix_cpu_ms"), False, "%12.3f")
            print("mean latency of each command (ms)")
            for op, label in MIX_OPS:
                row("    " + label, get(e, op + "_latency_ms"), get(d, op + "_latency_ms"), False, "%12.2f")
        elif key == "b":
            row("sessions/s", get(e, "sessions"), get(d, "sessions"), True)
            row("    RETR/s", get(e, "retr"), get(d, "retr"), True)
            row("    server CPU per session (ms)", get(e, "session_cpu_ms"), get(d, "session_cpu_ms"), False,
                "%12.3f")
        else:
            row("start-up until the IMAP greeting (s)", get(e, "startup"), get(d, "startup"), False, "%12.3f")
            row("first SELECT, cold (s)", get(e, "cold"), get(d, "cold"), False, "%12.3f")
            row("SELECT in a second session, warm (s)", get(e, "warm"), get(d, "warm"), False, "%12.4f")
            row("RSS of the process(es) holding the mailbox (MiB)", get(e, "rss_mib"), get(d, "rss_mib"), False)
            row("Pss of the whole server (MiB)", get(e, "pss_mib"), get(d, "pss_mib"), False)
        for name in ("endhost", "dovecot"):
            if (key, name) in errors:
                n, lines = errors[(key, name)]
                print("  %s had %d errors (its figures above are not a clean run), e.g.: %s" % (
                    name, n, "; ".join(lines[:3])))
    print()
    print("Ratios: rates endhost/Dovecot, CPU, times and memory Dovecot/endhost; best of %d rounds each." % args.rounds)
