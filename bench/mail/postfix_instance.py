"""A private Postfix instance for the mail bench and the interop test (tests/integration/test_mail_postfix.py).

Everything lives under one temporary directory DIR: DIR/etc (config_directory: main.cf and master.cf made
here), DIR/spool (queue_directory), DIR/data (data_directory), DIR/mail (the virtual Maildirs) and
DIR/etc/maillog (maillog_file, through postlogd: no syslog needed). The SMTP listener is on a loopback
address and port of the caller's choosing, never on all interfaces. Every service runs unchrooted, so no
chroot jail must be set up under the spool. Started with `postfix -c DIR/etc start` (which runs
`postfix check`: it makes the spool's directories with their owners), stopped with `postfix -c DIR/etc stop`
(then, if a master is still there, its pid is killed). Works as root in a container without systemd or
syslog: Postfix's daemons drop to the `postfix` user, the virtual agent writes the Maildirs as that user.

Postfix prints its start-up errors only to a terminal, so the commands run under `script -qc` (ANCHORS.md).
No mail leaves the machine: every destination that is not a virtual domain or a route given here goes to the
`error` transport at once, and DNS lookups are off (smtp_dns_support_level = disabled: a relay names its
next hop as [address]:port).
"""

import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

MASTER_CF = """\
# master.cf of a private endhost test/bench instance: no chroot, loopback only.
{listen} inet n - n - {smtpd_limit} smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def smtp_ready(host, port, timeout=20, proc_alive=None):
    """Waits until a 220 greeting comes from host:port; raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc_alive is not None and not proc_alive():
            raise RuntimeError("the server exited before it listened on %s:%d" % (host, port))
        try:
            with socket.create_connection((host, port), timeout=2) as s:
                line = s.makefile("rb").readline()
                if line.startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    return
                last = line
        except OSError as e:
            last = e
        time.sleep(0.05)
    raise RuntimeError("no SMTP greeting on %s:%d (%s)" % (host, port, last))


class Postfix:
    """One private Postfix. `domains`: virtual mailbox domains delivered to DIR/mail/<domain>/<user>/
    (Maildir) for `users` (local parts); `routes`: {domain: "host:port"} relayed over SMTP to that next hop
    (transport_maps, no MX lookup); `relayhost`: "host:port" for everything else (else the error transport);
    `extra`: more main.cf lines (name → value)."""

    def __init__(self, listen_port, listen_host="127.0.0.1", domains=(), users=("bench",), routes=None,
                 relayhost=None, hostname="postfix.test", process_limit=100, extra=None, base=None):
        self.host, self.port = listen_host, listen_port
        self.domains, self.users = list(domains), list(users)
        self.routes = dict(routes or {})
        self.relayhost = relayhost
        self.hostname = hostname
        self.process_limit = process_limit
        self.extra = dict(extra or {})
        self.own_base = base is None
        self.base = base or tempfile.mkdtemp(prefix="endhost-postfix-")
        os.chmod(self.base, 0o755)  # Postfix's daemons (user postfix) walk into it
        self.etc = os.path.join(self.base, "etc")
        self.spool = os.path.join(self.base, "spool")
        self.data = os.path.join(self.base, "data")
        self.mail = os.path.join(self.base, "mail")
        self.log = os.path.join(self.base, "maillog")
        self.running = False
        try:
            pw = pwd.getpwnam("postfix")
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
        except KeyError:
            raise RuntimeError("no user `postfix` (apt-get install postfix)")

    # --- configuration ---------------------------------------------------------------------------------

    def main_cf(self):
        relay = ("[%s]:%s" % tuple(self.relayhost.rsplit(":", 1))) if self.relayhost else ""
        lines = {
            "compatibility_level": "3.6",
            "config_directory": self.etc,
            "queue_directory": self.spool,
            "data_directory": self.data,
            "command_directory": "/usr/sbin",
            "daemon_directory": "/usr/lib/postfix/sbin",
            "shlib_directory": "/usr/lib/postfix",
            "meta_directory": "/etc/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": self.hostname,
            "mydomain": self.hostname,
            "myorigin": "$myhostname",
            "mydestination": "",
            "local_transport": "error:no local delivery in this instance",
            "inet_interfaces": self.host,
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
            "smtpd_client_message_rate_limit": "0",
            "smtpd_client_recipient_rate_limit": "0",
            "smtpd_forbid_bare_newline": "yes",
            "default_process_limit": str(self.process_limit),
            "virtual_mailbox_domains": ", ".join(self.domains),
            "virtual_mailbox_base": self.mail,
            "virtual_mailbox_maps": "texthash:" + os.path.join(self.etc, "vmailbox"),
            "virtual_uid_maps": "static:%d" % self.uid,
            "virtual_gid_maps": "static:%d" % self.gid,
            "virtual_minimum_uid": str(min(self.uid, 100)),
            "transport_maps": "texthash:" + os.path.join(self.etc, "transport"),
            "relay_domains": ", ".join(self.routes),
            "relayhost": relay,
            "default_transport": "smtp" if relay else "error:no remote delivery in this instance",
            "relay_transport": "smtp",
            "smtp_dns_support_level": "disabled",
            "smtp_host_lookup": "native",
            "smtp_tls_security_level": "none",
            "smtputf8_enable": "yes",
            "maillog_file": self.log,
            "maillog_file_prefixes": self.base,
            "biff": "no",
            "append_dot_mydomain": "no",
            "alias_maps": "",
            "alias_database": "",
            "message_size_limit": "10240000",
            # Short retries, so a test that makes a next hop come back sees the delivery soon.
            "queue_run_delay": "5s",
            "minimal_backoff_time": "5s",
            "maximal_backoff_time": "10s",
        }
        lines.update(self.extra)
        return "".join("%s = %s\n" % kv for kv in lines.items())

    def write_config(self):
        os.makedirs(self.etc, exist_ok=True)
        os.makedirs(self.mail, exist_ok=True)
        os.chown(self.mail, self.uid, self.gid)
        # The spool is root's (postfix check makes its subdirectories with their owners); the data directory
        # is the postfix user's.
        os.makedirs(self.spool, mode=0o755, exist_ok=True)
        os.makedirs(self.data, mode=0o700, exist_ok=True)
        os.chown(self.data, self.uid, self.gid)
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(self.main_cf())
        listen = "%s:%d" % (self.host, self.port)
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(listen=listen, smtpd_limit="-"))
        with open(os.path.join(self.etc, "vmailbox"), "w") as f:
            for d in self.domains:
                for u in self.users:
                    # A trailing slash: Maildir (tmp, new, cur), written by the virtual agent.
                    f.write("%s@%s %s/%s/\n" % (u, d, d, u))
        with open(os.path.join(self.etc, "transport"), "w") as f:
            for domain, hop in self.routes.items():
                h, p = hop.rsplit(":", 1)
                f.write("%s smtp:[%s]:%s\n" % (domain, h, p))

    # --- control ---------------------------------------------------------------------------------------

    def command(self, *argv, check=True, timeout=60):
        """Runs a Postfix command under `script -qc` (it prints errors only to a terminal); returns its
        output."""
        line = " ".join(shlex.quote(a) for a in argv)
        p = subprocess.run(["script", "-qec", line, "/dev/null"], capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        out = (p.stdout + p.stderr).replace("\r", "")
        if check and p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s\n%s" % (line, p.returncode, out.strip(), self.log_tail()))
        return out

    def start(self):
        self.write_config()
        self.command("postfix", "-c", self.etc, "start")
        self.running = True
        smtp_ready(self.host, self.port)
        return self

    def reload(self):
        self.write_config()
        self.command("postfix", "-c", self.etc, "reload")

    def postconf(self, **settings):
        """Changes main.cf settings of the running instance and reloads it."""
        self.extra.update(settings)
        self.reload()

    def flush(self):
        """postqueue -f: every deferred message is tried now (and dead next hops are revived)."""
        self.command("postqueue", "-c", self.etc, "-f")

    def master_pid(self):
        try:
            with open(os.path.join(self.spool, "pid", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def pids(self):
        """The master and every process under it (smtpd, qmgr, cleanup…)."""
        master = self.master_pid()
        if master is None:
            return []
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
        out, todo = [], [master]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(children.get(p, []))
        return out

    def stop(self):
        if not self.running:
            return
        self.running = False
        master = self.master_pid()
        try:
            self.command("postfix", "-c", self.etc, "stop", check=False, timeout=30)
        except subprocess.TimeoutExpired:
            pass
        if master:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and os.path.exists("/proc/%d" % master):
                time.sleep(0.05)
            if os.path.exists("/proc/%d" % master):
                for pid in self.pids():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    def cleanup(self):
        self.stop()
        if self.own_base:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # --- what it holds ---------------------------------------------------------------------------------

    def maildir(self, domain, user):
        return os.path.join(self.mail, domain, user)

    def delivered(self, domain, user):
        """The messages in new/ of a Maildir, as bytes, oldest name first."""
        new = os.path.join(self.maildir(domain, user), "new")
        if not os.path.isdir(new):
            return []
        out = []
        for n in sorted(os.listdir(new)):
            with open(os.path.join(new, n), "rb") as f:
                out.append(f.read())
        return out

    def count_new(self, domain, user):
        new = os.path.join(self.maildir(domain, user), "new")
        try:
            return len(os.listdir(new))
        except FileNotFoundError:
            return 0

    def queue_count(self):
        """Messages still in the queue (incoming, active, deferred, hold, maildrop)."""
        n = 0
        for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.spool, sub)):
                n += len(files)
        return n

    def log_tail(self, lines=30):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no maillog)"
