"""A private Dovecot 2.3 (dovecot-imapd, dovecot-pop3d) for bench/imap and bench/pop3: the anchor of issue 12 §6.

Everything lives under one directory DIR: DIR/dovecot.conf (made here, nothing from /etc/dovecot is read),
DIR/run (base_dir: the master's sockets and the login processes' chroot), DIR/state (state_dir) and
DIR/dovecot.log (errors and warnings only; info_log_path is /dev/null, so a login writes no log line, as
endhost logs none). IMAP and POP3 listen on 127.0.0.1 at ports of the caller's choosing, never on all
interfaces. The master runs in the foreground (`dovecot -F -c DIR/dovecot.conf`) and is stopped by its pid.

The mail is the caller's: Maildirs at the layout endhost uses (`MAIL/users/<user>/` is INBOX, Maildir++
subfolders `.Name` beside it), so the same files can be copied under both servers. Users come from a
passwd-file (the same file endhost reads as --users: `name:{SHA512-CRYPT}$6$…`), with a static userdb that
gives every user the uid `mail_user` (Dovecot does not give mail access to root) and the home above; the
mail's files must be that user's (chown_mail).

Tuned as ANCHORS.md says: `service_count = 0` for imap-login, pop3-login, imap and pop3 (a process serves
one session after another instead of being forked for each), `process_min_avail` login processes for each
core. `mail_fsync = always`, because endhost fsyncs what it acknowledges (APPEND, STORE, EXPUNGE) and the
comparison must be of the same durability. ssl = no and plaintext logins allowed: the bench is on loopback.
No auth cache (Dovecot's default, and endhost has none): every login verifies its hash.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

CONF = """\
# A private Dovecot for endhost's bench (bench/mailaccess/dovecot_instance.py); loopback only.
protocols = imap pop3
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
instance_name = endhost-bench-{port_imap}
log_path = {base}/dovecot.log
info_log_path = /dev/null
debug_log_path = /dev/null
default_internal_user = dovecot
default_login_user = dovenull
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 0
auth_verbose = no
auth_debug = no
mail_debug = no
verbose_proctitle = no
first_valid_uid = {uid}
last_valid_uid = 0
mail_location = maildir:{mail}/users/%u
mail_fsync = {mail_fsync}
mail_max_userip_connections = 10000
default_client_limit = 10000
default_process_limit = {process_limit}
default_vsz_limit = 1G

passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {users}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/users/%u
}}

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port_imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
  service_count = 0
  process_min_avail = {login_processes}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {port_pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
  service_count = 0
  process_min_avail = {login_processes}
}}
service imap {{
  service_count = 0
}}
service pop3 {{
  service_count = 0
}}
protocol imap {{
  mail_max_userip_connections = 10000
}}
protocol pop3 {{
  mail_max_userip_connections = 10000
}}
"""


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_greeting(host, port, prefix, timeout=20, proc_alive=None):
    """Waits until a line starting with `prefix` comes from host:port; raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc_alive is not None and not proc_alive():
            raise RuntimeError("the server exited before it listened on %s:%d" % (host, port))
        try:
            with socket.create_connection((host, port), timeout=2) as s:
                line = s.makefile("rb").readline()
                if line.startswith(prefix):
                    s.sendall(b"a LOGOUT\r\n" if prefix == b"* OK" else b"QUIT\r\n")
                    return
                last = line
        except OSError as e:
            last = e
        time.sleep(0.01)
    raise RuntimeError("no greeting on %s:%d (%s)" % (host, port, last))


class Dovecot:
    """One private Dovecot over the Maildirs under `mail_dir` (`mail_dir`/users/<user>/), the users of the
    passwd-file `users`. `mail_user` owns the mail (its files must be that user's: chown_mail does it)."""

    def __init__(self, base, mail_dir, users, port_imap=None, port_pop3=None, mail_user="mail",
                 login_processes=None, process_limit=1000, mail_fsync="always"):
        self.base = base
        self.mail_dir = mail_dir
        self.users = users
        self.port_imap = port_imap or free_port()
        self.port_pop3 = port_pop3 or free_port()
        pw = pwd.getpwnam(mail_user)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.login_processes = login_processes or os.cpu_count() or 1
        self.process_limit = process_limit
        self.mail_fsync = mail_fsync
        self.conf = os.path.join(base, "dovecot.conf")
        self.log = os.path.join(base, "dovecot.log")
        self.proc = None
        for name in ("dovecot", "dovenull"):
            try:
                pwd.getpwnam(name)
            except KeyError:
                raise RuntimeError("no user `%s` (apt-get install dovecot-imapd dovecot-pop3d)" % name)

    def write_config(self):
        os.makedirs(self.base, exist_ok=True)
        os.chmod(self.base, 0o755)  # the login and auth processes (dovenull, dovecot) walk into base_dir
        for sub in ("run", "state"):
            os.makedirs(os.path.join(self.base, sub), mode=0o755, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(CONF.format(base=self.base, mail=self.mail_dir, users=self.users, uid=self.uid, gid=self.gid,
                                port_imap=self.port_imap, port_pop3=self.port_pop3,
                                login_processes=self.login_processes, process_limit=self.process_limit,
                                mail_fsync=self.mail_fsync))
        # The auth process (user dovecot) reads the passwd-file.
        os.chmod(self.users, 0o644)

    def chown_mail(self, path=None):
        """Gives the mail (or `path`, e.g. a template that cp -a copies with its owners) to the mail user."""
        subprocess.run(["chown", "-R", "%d:%d" % (self.uid, self.gid), path or self.mail_dir], check=True)

    def start(self):
        self.write_config()
        # Refuses a bad config before anything runs, with the reason on stderr.
        check = subprocess.run(["doveconf", "-c", self.conf, "-n"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("doveconf: %s" % check.stderr.strip())
        with open(os.path.join(self.base, "dovecot.stderr"), "ab") as log:
            self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf], stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        alive = lambda: self.proc.poll() is None
        wait_greeting("127.0.0.1", self.port_imap, b"* OK", proc_alive=alive)
        wait_greeting("127.0.0.1", self.port_pop3, b"+OK", proc_alive=alive)
        return self

    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_tail(self, lines=20):
        out = []
        for name in ("dovecot.log", "dovecot.stderr"):
            try:
                with open(os.path.join(self.base, name), errors="replace") as f:
                    out += f.readlines()[-lines:]
            except OSError:
                pass
        return "".join(out)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
