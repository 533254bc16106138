"""Every example in README.md and docs/guide/*.md, run as written, so that none can rot.

The convention (docs/guide/README.md, "How the examples are tested", says the same for writers):

- A fenced block opened with ```sh is run; every other fence (```toml, ``` for a file or output) is not.
- In a block with `$ ` prompts, each `$ ` line is a command (a line ending in `\\` continues it) and the lines
  under it, up to the next prompt, are output that must appear: each non-empty line, in order, somewhere in
  what the command printed (stdout and stderr together, whitespace runs compared as one space). `...` inside a
  line stands for anything (times, dates, ETags); a line that is only `...` marks lines left out, which any
  line may be anyway. In a block without prompts every line is a command (`#` comments are the shell's).
- `endhost <service> serve …` and `endhost lab [options]` (not `lab experiment`, `--print-config`, `--help`,
  nor a command line with `;`, `|` or `&&` around it, outside single quotes) run in the background: the test waits until the server is ready (its main thread waits in epoll_wait after
  it printed `listening`, or, for the lab, `Ctrl-C`), runs the rest of the block, then sends SIGINT and
  expects exit status 0 and, if the block shows output under the server's prompt, those lines in its output.
  Before each command the test lets the servers finish what the previous one started (it waits until all
  their threads sleep in epoll_wait or on a lock), as they would have by the time a person typed it.
  Every other command must exit 0; an example about a failure shows it with `; echo "exit $?"`.
- `<!-- with: COMMAND -->` just above a block starts COMMAND as a background server first (consecutive blocks
  with the same COMMAND share one), for blocks such as the lab's "Try" lines that assume a running lab.
- `<!-- not-run: REASON -->` just above a block skips it; the reason is required, and kept for the few blocks
  that cannot run in a test (installing packages, reaching the real Internet).
- Nothing is substituted: the whole module runs in a network namespace of its own (unshare -n) with only the
  loopback interface up, so the documented ports (8080, 3128, 5353, the lab's 127.20.x.y) are free and an
  example that tries to reach the real Internet fails. Each block runs in a fresh temporary directory (also
  $HOME) where `examples/` links to the repository's, with `endhost` on PATH and XDG_RUNTIME_DIR private to
  the module; blocks run in document order. Each command runs in a shell of its own (`bash -o pipefail`), so a
  variable set by one is not seen by the next.
"""

import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENDHOST = os.path.abspath(os.environ.get("ENDHOST_BIN", os.path.join(ROOT, "build/release/endhost")))
DOCS = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs/guide/*.md")))
if os.environ.get("ENDHOST_DOCS_ONLY"):  # for writers: only the files whose name contains this
    DOCS = [d for d in DOCS if os.environ["ENDHOST_DOCS_ONLY"] in os.path.relpath(d, ROOT)]
NETNS_MARK = "ENDHOST_DOCS_IN_NETNS"


def _enter_network_namespace():
    """Re-runs this test inside a new network namespace with only loopback up (once, at import)."""
    if os.environ.get(NETNS_MARK) or not shutil.which("unshare"):
        return
    env = dict(os.environ, **{NETNS_MARK: "1"})
    # Real root keeps its identity (the lab drops to `nobody`, which a user namespace could not map); anyone
    # else gets a user namespace mapping only themselves.
    unshare = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-n", "--map-current-user"]
    probe = subprocess.run(unshare + ["true"], capture_output=True)
    if probe.returncode != 0:
        return  # reported by the module's setUpModule
    # Without CAP_NET_ADMIN from then on (setpriv, when root), so that `endhost lab` runs on loopback as the
    # examples show it; emulated links (docs/internals/lab-network.md) are test_lab_network.py's.
    drop = ["setpriv", "--bounding-set", "-net_admin"] if os.geteuid() == 0 and shutil.which("setpriv") else []
    argv = unshare + ["sh", "-c", 'ip link set lo up && exec "$@"', "sh"] + drop + [sys.executable] + sys.orig_argv[1:]
    sys.stdout.flush()
    os.execvpe(argv[0], argv, env)


_enter_network_namespace()


# ---------------------------------------------------------------------------------------------------------
# Extraction


class Command:
    def __init__(self, text, line):
        self.text = text          # the shell command, continuation lines joined
        self.line = line          # its line number in the Markdown file
        self.expected = []        # output lines shown under it

    def is_server(self):
        code = re.sub(r"(^|\s)#.*$", "", self.text)  # the trailing comment is not part of it
        # A ';' inside a quoted argument (`--add-header '/=Link: </x>; rel=preload'`) separates nothing.
        if re.search(r"[;|]|&&", re.sub(r"'[^']*'", "''", code)):
            return False  # a command line around the server (`…; echo "exit $?"`) runs in the foreground
        words = code.split()
        if len(words) < 2 or words[0] != "endhost":
            return False
        if words[1] == "lab":
            return not any(w in ("experiment", "--print-config", "--help", "-h") for w in words[2:])
        return len(words) >= 3 and words[2] == "serve" and "--help" not in words


class Block:
    def __init__(self, path, line, directives, body):
        self.path = path
        self.line = line
        self.directives = directives  # list of (name, value) from the HTML comments above the fence
        self.commands = parse_commands(body, line)

    def directive(self, name):
        return [v for k, v in self.directives if k == name]

    def where(self):
        return "%s:%d" % (os.path.relpath(self.path, ROOT), self.line)


def parse_commands(lines, fence_line):
    """lines: the block's text lines; fence_line: the line number of the opening fence."""
    prompted = any(l.startswith("$ ") or l == "$" for l in lines)
    commands = []
    i = 0
    while i < len(lines):
        line = lines[i]
        number = fence_line + 1 + i
        if prompted and not line.startswith("$ "):
            if commands:
                commands[-1].expected.append(line)
            i += 1
            continue
        text = line[2:] if prompted else line
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1].rstrip() + " " + lines[i].lstrip()
        i += 1
        if not prompted and (not text.strip() or text.lstrip().startswith("#")):
            continue
        commands.append(Command(text.strip(), number))
    return commands


DIRECTIVE = re.compile(r"<!--\s*(not-run|with)\s*:(.*?)-->")


def extract(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^(\s*)(```+)\s*(\S*)", lines[i])
        if not fence:
            i += 1
            continue
        indent, ticks, lang = fence.groups()
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(ticks):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        if lang != "sh":
            continue
        # Directives: the HTML comments on the lines just above the fence (blank lines allowed between).
        directives = []
        j = start - 1
        while j >= 0 and (not lines[j].strip() or lines[j].strip().startswith("<!--")):
            for name, value in DIRECTIVE.findall(lines[j]):
                directives.append((name, value.strip()))
            j -= 1
        blocks.append(Block(path, start + 1, list(reversed(directives)), body))
    return blocks


# ---------------------------------------------------------------------------------------------------------
# Matching shown output against real output


def _normalise(s):
    return " ".join(s.split())


def line_matches(pattern, actual):
    pos = 0
    for part in _normalise(pattern).split("..."):
        part = part.strip()
        if not part:
            continue
        found = actual.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def missing_lines(expected, output):
    """The first shown line that does not appear (in order) in output, or None."""
    actual = [_normalise(l) for l in output.split("\n")]
    k = 0
    for want in expected:
        if not want.strip() or want.strip() == "...":
            continue
        while k < len(actual) and not line_matches(want, actual[k]):
            k += 1
        if k == len(actual):
            return want
        k += 1
    return None


# ---------------------------------------------------------------------------------------------------------
# Running


class Background:
    """A server command of a block, running until the block ends."""

    def __init__(self, command, cwd, env):
        self.command = command
        self.proc = subprocess.Popen(["bash", "-c", "exec " + command.text], cwd=cwd, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.output = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._wait_ready()

    def _read(self):
        for raw in self.proc.stdout:
            with self._lock:
                self.output.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def text(self):
        with self._lock:
            return "\n".join(self.output)

    def _wait_ready(self):
        lab = self.command.text.split()[1] == "lab"
        marker = "Ctrl-C" if lab else "listening"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._reader.join(timeout=5)
                raise AssertionError("`%s` exited with %s before it was ready:\n%s" %
                                     (self.command.text, self.proc.returncode, self.text()))
            if marker in self.text() and self._main_thread_waits():
                return
            time.sleep(0.05)
        self.proc.kill()
        raise AssertionError("`%s` printed no %r within 60 s:\n%s" % (self.command.text, marker, self.text()))

    def _main_thread_waits(self):
        # Every listener is bound before the event loop starts, so the main thread in epoll_wait means ready.
        try:
            with open("/proc/%d/wchan" % self.proc.pid) as f:
                return "epoll" in f.read()
        except OSError:
            return True

    IDLE_WAITS = ("epoll", "futex", "poll", "select", "nanosleep", "pipe_read", "wait_woken")

    def wait_idle(self, timeout=5):
        """Waits (a while at most) until every thread of the server sleeps in an idle wait: what it does after a
        request (storing a cached object, fsync) is done before the next command, as it would be by the time
        a person typed one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                waits = []
                for task in os.listdir("/proc/%d/task" % self.proc.pid):
                    with open("/proc/%d/task/%s/wchan" % (self.proc.pid, task)) as f:
                        waits.append(f.read())
            except OSError:
                return
            if all(any(w in wait for w in self.IDLE_WAITS) for wait in waits):
                return
            time.sleep(0.01)

    def stop(self):
        """SIGINT, as Ctrl-C; returns (exit status, output)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._reader.join(timeout=5)
        self.proc.stdout.close()
        return rc, self.text()


class Context:
    """State shared by the module: the private runtime directory and the server of a `with:` directive."""
    tmp = None
    shared = None  # (command text, Background)

    @classmethod
    def env(cls, home):
        env = dict(os.environ)
        env["PATH"] = os.path.dirname(ENDHOST) + os.pathsep + env.get("PATH", "/usr/bin:/bin")
        env["HOME"] = home
        env["XDG_RUNTIME_DIR"] = cls.tmp
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
            env.pop(name, None)
        return env

    @classmethod
    def stop_shared(cls):
        if cls.shared:
            _, server = cls.shared
            cls.shared = None
            return server.stop()
        return None


def setUpModule():
    if not os.environ.get(NETNS_MARK):
        raise unittest.SkipTest("cannot make a network namespace here (unshare -n); the documented ports "
                                "would collide with other tests and examples could reach the Internet")
    Context.tmp = tempfile.mkdtemp(prefix="endhost-docs-")
    os.chmod(Context.tmp, 0o755)  # a lab started as root on the real ports becomes `nobody`: its state is under here


def tearDownModule():
    Context.stop_shared()
    if Context.tmp:
        shutil.rmtree(Context.tmp, ignore_errors=True)


def run_block(test, block):
    for reason in block.directive("not-run"):
        test.assertTrue(reason, "%s: <!-- not-run: --> needs a reason" % block.where())
        raise unittest.SkipTest("not run: " + reason)
    test.assertTrue(block.commands, "%s: an empty sh block" % block.where())
    work = tempfile.mkdtemp(prefix="block-", dir=Context.tmp)
    os.chmod(work, 0o755)
    os.symlink(os.path.join(ROOT, "examples"), os.path.join(work, "examples"))
    env = Context.env(work)

    wanted = block.directive("with")
    if Context.shared and (not wanted or Context.shared[0] != wanted[0]):
        result = Context.stop_shared()
        test.assertEqual(result[0], 0, "the shared server stopped with an error:\n" + result[1])
    if wanted and not Context.shared:
        shared_dir = tempfile.mkdtemp(prefix="shared-", dir=Context.tmp)
        os.chmod(shared_dir, 0o755)
        Context.shared = (wanted[0], Background(Command(wanted[0], block.line), shared_dir, Context.env(shared_dir)))

    servers = []
    try:
        for cmd in block.commands:
            where = "%s:%d" % (os.path.relpath(block.path, ROOT), cmd.line)
            if cmd.is_server():
                servers.append(Background(cmd, work, env))
                continue
            for server in servers + ([Context.shared[1]] if Context.shared else []):
                server.wait_idle()
            r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd.text], cwd=work, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            out = r.stdout.decode("utf-8", "replace")
            if os.environ.get("ENDHOST_DOCS_SHOW"):  # for writers: what each command really printed
                sys.stderr.write("\n### %s: $ %s\n%s" % (where, cmd.text, out))
            test.assertEqual(r.returncode, 0, "%s: `%s` exited %d:\n%s" % (where, cmd.text, r.returncode, out))
            missing = missing_lines(cmd.expected, out)
            test.assertIsNone(missing, "%s: `%s` did not print the line shown\n  %s\nIt printed:\n%s" %
                              (where, cmd.text, missing, out))
    finally:
        results = [(s, s.stop()) for s in reversed(servers)]
    for server, (rc, out) in results:
        where = "%s:%d" % (os.path.relpath(block.path, ROOT), server.command.line)
        if os.environ.get("ENDHOST_DOCS_SHOW"):
            sys.stderr.write("\n### %s: $ %s (exit %d)\n%s\n" % (where, server.command.text, rc, out))
        test.assertEqual(rc, 0, "%s: `%s` exited %d after SIGINT:\n%s" % (where, server.command.text, rc, out))
        missing = missing_lines(server.command.expected, out)
        test.assertIsNone(missing, "%s: `%s` did not print the line shown\n  %s\nIt printed:\n%s" %
                          (where, server.command.text, missing, out))
    shutil.rmtree(work, ignore_errors=True)


class Docs(unittest.TestCase):
    """One test per sh block, named by file and line, in document order."""
    maxDiff = None


def _add_tests():
    n = 0
    for path in DOCS:
        for block in extract(path):
            n += 1
            name = "test_%03d_%s_line_%d" % (n, re.sub(r"\W", "_", os.path.relpath(path, ROOT)), block.line)
            setattr(Docs, name, lambda self, b=block: run_block(self, b))


_add_tests()


class Convention(unittest.TestCase):
    """The extraction and matching rules themselves, so that a broken runner cannot pass every block."""

    def test_prompted_block_has_commands_and_output(self):
        cmds = parse_commands(["$ endhost echo client --tcp a:1 \\", "    'hi'", "HI", "$ true"], 10)
        self.assertEqual([c.text for c in cmds], ["endhost echo client --tcp a:1 'hi'", "true"])
        self.assertEqual(cmds[0].expected, ["HI"])
        self.assertEqual(cmds[0].line, 11)

    def test_plain_block_skips_comments(self):
        cmds = parse_commands(["# a comment", "", "endhost web serve --root x   # note"], 1)
        self.assertEqual(len(cmds), 1)
        self.assertTrue(cmds[0].is_server())

    def test_servers_recognised(self):
        self.assertTrue(Command("endhost lab --trace", 1).is_server())
        self.assertFalse(Command("endhost lab experiment cache", 1).is_server())
        self.assertFalse(Command("endhost lab --print-config > x.toml", 1).is_server())
        self.assertFalse(Command("endhost dns query x", 1).is_server())
        self.assertTrue(Command("endhost lab   # prints its map; Ctrl-C stops it", 1).is_server())
        self.assertFalse(Command("endhost lab --print-config > x.toml  # a copy", 1).is_server())

    def test_matching(self):
        self.assertIsNone(missing_lines(["a ... c", "...", "d"], "x a b c\nzz\nd\n"))
        self.assertEqual(missing_lines(["d", "a"], "a\nd\n"), "a")  # order matters
        self.assertEqual(missing_lines(["HELLO"], "hello\n"), "HELLO")

    def test_help_prints_each_guide_page(self):
        """`endhost help TOPIC` is the page as written, less the HTML comments that steer this test."""
        for path in glob.glob(os.path.join(ROOT, "docs/guide/*.md")):
            topic = os.path.basename(path)[:-3]
            topic = "guide" if topic == "README" else topic
            with open(path, encoding="utf-8") as f:
                want = "".join(l for l in f.read().splitlines(True)
                               if not (l.startswith("<!--") and l.rstrip("\n").endswith("-->")))
            r = subprocess.run([ENDHOST, "help", topic], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.rstrip("\n"), want.rstrip("\n"), topic)

    def test_help_suggests_the_nearest_topic(self):
        r = subprocess.run([ENDHOST, "help", "lab-studnet"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown help topic 'lab-studnet'; did you mean 'lab-student'?", r.stderr)
        r = subprocess.run([ENDHOST, "help", "zzzzzzzzzz"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertNotIn("did you mean", r.stderr)

    def test_student_guide_covers_every_experiment(self):
        """A new `endhost lab experiment` needs its section in the student's guide."""
        r = subprocess.run([ENDHOST, "lab", "experiment", "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        choices = re.search(r"\{([a-z0-9,-]+)\}", r.stdout)
        self.assertTrue(choices, "no list of experiments in:\n" + r.stdout)
        with open(os.path.join(ROOT, "docs/guide/lab-student.md"), encoding="utf-8") as f:
            guide = f.read()
        for name in choices.group(1).split(","):
            self.assertIn("$ endhost lab experiment %s" % name, guide, "docs/guide/lab-student.md: no %s" % name)

    def test_every_doc_has_a_run_block(self):
        for path in DOCS:
            blocks = [b for b in extract(path) if not b.directive("not-run")]
            self.assertTrue(blocks, "%s has no example that runs" % path)


if __name__ == "__main__":
    unittest.main()
