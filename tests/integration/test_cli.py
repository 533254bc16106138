"""Every CLI error path: bad usage exits 2 with what was wrong and a hint; runtime failures exit non-zero
with one clear line."""

import os
import socket
import subprocess

from endhost_test import ENDHOST, TestCase, run


class Usage(TestCase):
    def assertUsageError(self, args, *fragments):
        r = run(args)
        self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
        self.assertIn("--help' for usage", r.stderr)
        for f in fragments:
            self.assertIn(f, r.stderr)
        return r

    def test_no_arguments(self):
        self.assertUsageError([], "subcommand is required")

    def test_unknown_service(self):
        self.assertUsageError(["nosuch"], "unknown service 'nosuch'; the services are: ")

    def test_unknown_service_and_verb_suggest_the_nearest(self):
        self.assertUsageError(["wbe", "serve"], "unknown service 'wbe'; did you mean 'web'?")
        self.assertUsageError(["web", "srve"], "unknown verb 'srve' for 'endhost web'; did you mean 'serve'?",
                              "endhost web --help")
        self.assertUsageError(["ping", "clinet", "127.0.0.1"], "did you mean 'client'?")

    def test_unknown_options_suggest_the_nearest(self):
        self.assertUsageError(["web", "serve", "--port", "8080"],
                              "unknown option --port; use --listen 127.0.0.1:8080", "endhost web serve --help")
        self.assertUsageError(["web", "serve", "--lsten", "127.0.0.1:0"],
                              "unknown option --lsten; did you mean --listen?")
        self.assertUsageError(["proxy", "serve", "--max-conections", "5"], "did you mean --max-connections?")
        r = self.assertUsageError(["fetch", "--bogus-flag", "http://127.0.0.1:1/"], "unknown option --bogus-flag")
        self.assertNotIn("http://127.0.0.1:1/", r.stderr)

    def test_service_help_shows_the_services_examples(self):
        top = run(["--help"]).stdout
        self.assertIn("endhost echo serve --tcp --listen 127.0.0.1:12000", top)
        for service, example in (("web", "endhost web serve ./site"), ("ping", "endhost ping client 127.0.0.1"),
                                 ("dns", "endhost dns query")):
            r = run([service, "--help"])
            self.assertEqual(r.returncode, 0)
            self.assertIn(example, r.stdout)
            self.assertNotIn("run a small Internet on loopback addresses", r.stdout, service)

    def test_unknown_option_names_the_right_help(self):
        self.assertUsageError(["echo", "serve", "--bogus"], "--bogus", "endhost echo serve --help")

    def test_echo_serve_needs_a_protocol(self):
        self.assertUsageError(["echo", "serve", "--udp", "--admin", "127.0.0.1:0"], "need a TCP listener")
        self.assertUsageError(["echo", "serve"], "--tcp or --udp")

    def test_echo_client_needs_exactly_one_protocol(self):
        self.assertUsageError(["echo", "client", "127.0.0.1:1", "x"], "--tcp or --udp")
        self.assertUsageError(["echo", "client", "--tcp", "--udp", "127.0.0.1:1", "x"])

    def test_bad_listen_addresses(self):
        self.assertUsageError(["echo", "serve", "--tcp", "--listen", "example.com:80"], "not an IP address")
        self.assertUsageError(["echo", "serve", "--tcp", "--listen", "127.0.0.1:99999"], "not a port")
        self.assertUsageError(["echo", "serve", "--tcp", "--listen", "::1:80"], "[ADDRESS]:PORT")

    def test_bad_numbers(self):
        self.assertUsageError(["ping", "serve", "--loss", "1.5"], "--loss")
        self.assertUsageError(["ping", "serve", "--delay", "abc"], "--delay")
        self.assertUsageError(["ping", "client", "127.0.0.1", "--interval", "0"], "--interval")
        self.assertUsageError(["ping", "client", "127.0.0.1", "--count", "-1"], "--count")
        self.assertUsageError(["ping", "client"], "server")

    def test_help_and_version_exit_0(self):
        for args in (["--help"], ["echo", "--help"], ["echo", "serve", "--help"], ["ping", "client", "--help"],
                     ["lab", "--help"]):
            r = run(args)
            self.assertEqual(r.returncode, 0, args)
            self.assertIn("Usage:", r.stdout)
        self.assertIn("Examples:", run(["--help"]).stdout)
        r = run(["--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^endhost \d+\.\d+\.\d+")


class RuntimeFailures(TestCase):
    def test_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            r = run(["echo", "serve", "--tcp", "--listen", "127.0.0.1:%d" % port])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot listen on 127.0.0.1:%d" % port, r.stderr)
        self.assertIn("already in use", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_address_not_on_this_machine(self):
        r = run(["echo", "serve", "--tcp", "--listen", "192.0.2.1:12000"])  # TEST-NET-1: never local
        self.assertEqual(r.returncode, 1)
        self.assertIn("not one of this machine's", r.stderr)

    def test_privileged_port_as_unprivileged_user(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to switch to an unprivileged user")
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            if int(f.read()) <= 80:
                self.skipTest("this kernel lets anyone bind low ports")
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ENDHOST, "echo", "serve",
                            "--tcp", "--listen", "127.0.0.1:80"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("permission denied", r.stderr)
        self.assertIn("below 1024", r.stderr)

    def test_connection_refused_for_tcp_client(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
            port = s.getsockname()[1]
            r = run(["echo", "client", "--tcp", "127.0.0.1:%d" % port, "x"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot connect", r.stderr)

    def test_unresolvable_host(self):
        r = run(["echo", "client", "--tcp", "no-such-host.invalid:12000", "x"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot resolve", r.stderr)
