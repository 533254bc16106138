"""The UDP pinger: loss with a fixed seed, the textbook's output, python3 as an independent client, delay,
and the heartbeat exercise."""

import re
import signal
import socket
import subprocess
import time

from endhost_test import ENDHOST, Server, TestCase, run

SUMMARY = re.compile(r"^(\d+) packets transmitted, (\d+) received, ([\d.]+)% packet loss, time (\d+)ms$", re.M)
RTT = re.compile(r"^rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms$", re.M)


class Ping(TestCase):
    def test_loss_is_reported_and_rtts_are_plausible(self):
        with Server(["ping", "serve", "--listen", "127.0.0.1:0", "--loss", "0.3", "--seed", "42"],) as server:
            addr = "%s:%d" % server.address("ping", "udp")
            r = run(["ping", "client", addr, "--count", "40", "--interval", "0.01", "--timeout", "0.3"])
            self.assertEqual(server.stop(), 0)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = SUMMARY.search(r.stdout)
        self.assertIsNotNone(m, r.stdout)
        sent, received, loss = int(m.group(1)), int(m.group(2)), float(m.group(3))
        self.assertEqual(sent, 40)
        replies = len(re.findall(r"^Reply from ", r.stdout, re.M))
        timeouts = len(re.findall(r"^Request timed out", r.stdout, re.M))
        self.assertEqual(replies, received)
        self.assertEqual(replies + timeouts, 40)
        self.assertAlmostEqual(loss, 100.0 * (40 - received) / 40, places=3)
        self.assertTrue(3 <= 40 - received <= 25, r.stdout)  # 30% of 40, with room for chance
        rtt = RTT.search(r.stdout)
        mn, avg, mx, mdev = (float(x) for x in rtt.groups())
        self.assertTrue(0 < mn <= avg <= mx < 300, rtt.group(0))
        self.assertGreaterEqual(mdev, 0)
        # Every reply is the request upper-cased: "PING <seq> <time>".
        for line in r.stdout.splitlines():
            if line.startswith("Reply from"):
                self.assertRegex(line, r": PING \d+ \d+\.\d{6}  seq=\d+ rtt=[\d.]+ ms$")

    def test_same_seed_drops_the_same_pings(self):
        outcomes = []
        for _ in range(2):
            with Server(["ping", "serve", "--listen", "127.0.0.1:0", "--loss", "0.5", "--seed", "7",
                         "--threads", "1"]) as server:
                r = run(["ping", "client", "%s:%d" % server.address("ping", "udp"), "--count", "20",
                         "--interval", "0.01", "--timeout", "0.3"])
                server.stop()
            outcomes.append(re.findall(r"^(Reply|Request timed out).*?seq=(\d+)", r.stdout, re.M))
        self.assertEqual(outcomes[0], outcomes[1])

    def test_python_client_gets_upper_cased_reply(self):
        with Server(["ping", "serve", "--listen", "127.0.0.1:0"]) as server:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(5)
                s.sendto(b"Ping 1 %f" % time.time(), server.address("ping", "udp"))
                data, _ = s.recvfrom(1024)
            self.assertTrue(data.startswith(b"PING 1 "), data)
            self.assertEqual(server.stop(), 0)

    def test_delay_is_added_to_rtt(self):
        with Server(["ping", "serve", "--listen", "127.0.0.1:0", "--delay", "50:5"]) as server:
            r = run(["ping", "client", "%s:%d" % server.address("ping", "udp"), "--count", "3", "--interval", "0.1"])
            server.stop()
        mn = float(RTT.search(r.stdout).group(1))
        self.assertGreaterEqual(mn, 45.0, r.stdout)

    def test_no_server_means_exit_1_and_full_loss(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))
            r = run(["ping", "client", "127.0.0.1:%d" % silent.getsockname()[1], "--count", "2",
                     "--interval", "0.05", "--timeout", "0.1"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("2 packets transmitted, 0 received, 100% packet loss", r.stdout)
        self.assertNotIn("rtt min", r.stdout)


class Interrupt(TestCase):
    """ping(8)'s habits: Ctrl-C prints the statistics, -q prints only them, --count 0 runs until Ctrl-C."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(["ping", "serve", "--listen", "127.0.0.1:0"])
        cls.addr = "%s:%d" % cls.server.address("ping", "udp")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.__exit__()

    def interrupted(self, *args):
        p = subprocess.Popen([ENDHOST, "ping", "client", self.addr] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        # Wait for the first line (the client runs), then for its second reply, then Ctrl-C.
        first = p.stdout.readline()
        lines = [first]
        if "-q" not in args:
            lines += [p.stdout.readline(), p.stdout.readline()]
        else:
            time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        return p.returncode, "".join(lines) + out, err

    def test_ctrl_c_prints_the_statistics_and_count_0_runs_until_then(self):
        code, out, err = self.interrupted("--count", "0", "--interval", "0.05")
        self.assertEqual(code, 0, err)
        self.assertIn(": until Ctrl-C, interval 0.05 s", out)
        self.assertIn("ping statistics ---", out)
        m = SUMMARY.search(out)
        self.assertIsNotNone(m, out)
        self.assertGreaterEqual(int(m.group(2)), 2)
        self.assertEqual(len(re.findall(r"^Reply from ", out, re.M)), int(m.group(2)))

    def test_ctrl_c_stops_a_counted_run_early(self):
        code, out, err = self.interrupted("--count", "1000", "--interval", "0.05")
        self.assertEqual(code, 0, err)
        m = SUMMARY.search(out)
        self.assertIsNotNone(m, out)
        self.assertLess(int(m.group(1)), 1000)

    def test_quiet_prints_only_the_first_line_and_the_statistics(self):
        code, out, err = self.interrupted("-c", "0", "-q", "--interval", "0.05")
        self.assertEqual(code, 0, err)
        self.assertNotIn("Reply from", out)
        self.assertIsNotNone(SUMMARY.search(out), out)
        self.assertIsNotNone(RTT.search(out), out)
        r = run(["ping", "client", self.addr, "-q", "-c", "3", "-i", "0.01"])
        self.assertEqual(r.returncode, 0)
        # The first line, then the statistics' title and its two lines.
        self.assertEqual(len([l for l in r.stdout.splitlines() if l]), 4, r.stdout)


class Heartbeat(TestCase):
    def test_server_reports_lost_heartbeats_and_silent_client(self):
        with Server(["ping", "serve", "--listen", "127.0.0.1:0", "--heartbeat-timeout", "0.5"]) as server:
            addr = server.address("ping", "udp")
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for seq in (1, 2, 5, 6):  # 3 and 4 never sent
                    s.sendto(b"Heartbeat %d %f" % (seq, time.time()), addr)
                    time.sleep(0.02)
                lost = server.wait_log(lambda r: r.get("msg") == "heartbeat: lost")
                self.assertEqual((lost["first_lost"], lost["last_lost"]), (3, 4))
                gone = server.wait_log(lambda r: r.get("msg") == "heartbeat: client gone", timeout=5)
                self.assertEqual(gone["last_seq"], 6)
                self.assertGreaterEqual(gone["silent_ms"], 500)
            self.assertEqual(server.stop(), 0)

    def test_heartbeat_client_mode(self):
        with Server(["ping", "serve", "--listen", "127.0.0.1:0"]) as server:
            r = run(["ping", "client", "%s:%d" % server.address("ping", "udp"), "--heartbeat", "--count", "3",
                     "--interval", "0.05"])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(len(re.findall(r"^sent Heartbeat \d+ ", r.stdout, re.M)), 3)
            server.wait_log(lambda rec: rec.get("msg") == "heartbeat: new client")
            server.stop()
