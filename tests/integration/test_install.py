"""The Quick start's install step: scripts/install puts the built program at PREFIX/bin/endhost (CMake's install
rule), where it runs by name. Installed into a temporary prefix, never the real /usr/local."""

import os
import shutil
import subprocess
import tempfile
import unittest

from endhost_test import ENDHOST

HERE = os.path.dirname(os.path.abspath(__file__))
INSTALL = os.path.join(HERE, "..", "..", "scripts", "install")


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="endhost-install-")
        env = dict(os.environ, ENDHOST_BUILD=os.path.dirname(os.path.abspath(ENDHOST)))
        cls.result = subprocess.run([INSTALL, cls.prefix], capture_output=True, text=True, env=env, timeout=120)
        # On PATH the way a user's shell has /usr/local/bin, with nothing else called endhost before it.
        cls.env = dict(os.environ, PATH=os.path.join(cls.prefix, "bin") + os.pathsep + "/usr/bin:/bin")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def test_installs_an_executable_named_endhost(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        path = os.path.join(self.prefix, "bin", "endhost")
        self.assertTrue(os.path.isfile(path) and os.access(path, os.X_OK), self.result.stdout)
        self.assertEqual(shutil.which("endhost", path=self.env["PATH"]), path)

    def test_runs_by_name(self):
        version = subprocess.run(["endhost", "--version"], capture_output=True, text=True, env=self.env,
                                 timeout=30)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertTrue(version.stdout.strip())
        help_ = subprocess.run(["endhost", "lab", "--help"], capture_output=True, text=True, env=self.env,
                               timeout=30)
        self.assertEqual(help_.returncode, 0, help_.stderr)
        self.assertIn("endhost lab", help_.stdout)

    def test_says_when_the_prefix_is_not_on_path(self):
        # A temporary prefix is not on the caller's PATH: the script says how to add it.
        self.assertIn("not on your PATH", self.result.stderr)

    def test_an_unwritable_prefix_says_what_to_do(self):
        # A prefix the user may not write (as /usr/local is for a non-root user): one line saying what to do,
        # not cmake's permission error. As root, the check is made as nobody, for whom a 0555 directory is
        # read-only (root may write anywhere).
        ro = os.path.join(self.prefix, "read-only")
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        os.chmod(self.prefix, 0o755)
        command = [INSTALL, ro]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "nobody", "--"] + command
        r = subprocess.run(command, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("cannot write to %s/bin" % ro, r.stderr)
        self.assertIn("sudo scripts/install", r.stderr)
        self.assertNotIn("CMake Error", r.stderr)

    def test_without_a_build_says_what_to_run(self):
        env = dict(os.environ, ENDHOST_BUILD=os.path.join(self.prefix, "no-build"))
        r = subprocess.run([INSTALL, os.path.join(self.prefix, "other")], capture_output=True, text=True,
                           env=env, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("run scripts/build first", r.stderr)


if __name__ == "__main__":
    unittest.main()
