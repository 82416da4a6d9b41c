#!/usr/bin/python3
"""The real legacy_bridge in front of the real rpc_server, used as legacy
users use it: `nc`, and a client that talks exactly like the original one.
These tests cover the legacy protocols on their own; the conformance kit in
../shared runs in addition where it is present (run_legacy_kit.py)."""

import errno
import json
import os
import random
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from legacy_client import CTIME_LINE, ERROR_LINE, GREETING, LegacyConnection  # noqa: E402
from processes import (BRIDGE_LISTENING, Process, free_port, require_env,  # noqa: E402
                       sample, scrape, start_bridge, start_core, threads_named)

sys.set_int_max_str_digits(0)
RPC_SERVER = require_env("RPC_SERVER")
BRIDGE = require_env("LEGACY_BRIDGE")
UTC = {"TZ": "UTC"}


def square_reply(text):
    return str(int(text) ** 2).encode()


class BridgeTestCase(unittest.TestCase):
    """One core and one bridge for the whole class."""

    bridge_flags = ()

    @classmethod
    def setUpClass(cls):
        cls.core = start_core(RPC_SERVER, env=UTC)
        cls.bridge = start_bridge(BRIDGE, cls.core.target, extra=cls.bridge_flags, env=UTC)

    @classmethod
    def tearDownClass(cls):
        cls.bridge.terminate()
        cls.core.terminate()

    def squares(self):
        return LegacyConnection(self.bridge.square)

    def handshaken(self):
        connection = self.squares()
        connection.send(b"Hi there!\n")
        self.assertEqual(connection.read_exact(len(GREETING)), GREETING)
        return connection

    def nc(self, port, data, *flags):
        done = subprocess.run(["nc", *flags, "127.0.0.1", str(port)], input=data,
                              capture_output=True, timeout=30)
        return done.stdout


class NetcatTest(BridgeTestCase):
    """`nc` (netcat-openbsd) as users type it."""

    def test_time_with_nc(self):
        before = time.time()
        line = self.nc(self.bridge.time[1], b"")
        self.assertRegex(line, CTIME_LINE)
        expected = [time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(t)).encode() + b"\n"
                    for t in range(int(before) - 1, int(time.time()) + 2)]
        self.assertIn(line, expected)

    def test_squares_half_close_with_nc_n(self):
        self.assertEqual(self.nc(self.bridge.square[1], b"Hi there!\n5\n", "-N"),
                         GREETING + b"25")

    def test_scripted_session_with_lines(self):
        script = b"Hi there!\n5\n-12\n1_000\nabc\n  7  \n"
        out = self.nc(self.bridge.square[1], script, "-N")
        self.assertTrue(out.startswith(GREETING + b"25" + b"144" + b"1000000"), out)
        rest = out[len(GREETING + b"251441000000"):]
        self.assertEqual(rest, b"ERROR invalid literal for int() with base 10: b'abc'\n49")

    def test_last_message_without_newline_is_answered_on_half_close(self):
        self.assertEqual(self.nc(self.bridge.square[1], b"Hi there!\n6", "-N"), GREETING + b"36")

    def test_file_of_600_big_numbers_through_nc_n(self):
        # nc writes the file in pieces of its own choosing, with Nagle on:
        # lines cut anywhere must each stay one message.
        rng = random.Random(600)
        numbers = ["".join(rng.choice("0123456789") for _ in range(rng.randint(1, 3000)))
                   for _ in range(600)]
        out = self.nc(self.bridge.square[1],
                      b"Hi there!\n" + "".join(n + "\n" for n in numbers).encode(), "-N")
        self.assertEqual(out, GREETING + b"".join(square_reply(n) for n in numbers))


class OriginalClientTest(BridgeTestCase):
    """Exactly the seed's client: no delimiters, lockstep, 0..99, Nagle left on."""

    def test_original_client_gets_every_answer(self):
        with LegacyConnection(self.bridge.square, nodelay=False) as client:
            client.send(b"Hi there!")
            self.assertEqual(client.read_exact(len(GREETING)), GREETING)
            for i in range(100):
                client.send(str(i).encode())
                expected = str(i * i).encode()
                self.assertEqual(client.read_exact(len(expected)), expected, i)
            self.assertTrue(client.quiet_for(0.2))

    def test_many_original_clients_at_once(self):
        clients = [LegacyConnection(self.bridge.square, nodelay=False) for _ in range(50)]
        try:
            for client in clients:
                client.send(b"Hi there!")
            for client in clients:
                self.assertEqual(client.read_exact(len(GREETING)), GREETING)
            for i in range(20):
                for n, client in enumerate(clients):
                    client.send(str(i * 1000 + n).encode())
                for n, client in enumerate(clients):
                    expected = str((i * 1000 + n) ** 2).encode()
                    self.assertEqual(client.read_exact(len(expected)), expected)
        finally:
            for client in clients:
                client.close()


class LegacyClientScriptsTest(BridgeTestCase):
    """clients/legacy's original clients, run unchanged but for the address."""

    LEGACY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients",
                          "legacy")

    def run_script(self, name, address):
        return subprocess.run(["/usr/bin/python3", os.path.join(self.LEGACY, name), address[0],
                               str(address[1])], capture_output=True, timeout=60, text=True)

    def test_original_time_client(self):
        done = self.run_script("time_client.py", self.bridge.time)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"^The time got from the server is \w{3} \w{3} [ \d]\d "
                                      r"\d\d:\d\d:\d\d \d{4}\n\n$")

    def test_original_squares_client(self):
        done = self.run_script("squares_client.py", self.bridge.square)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(),
                         [GREETING.decode()] + [str(i * i) for i in range(100)])

    def test_fifty_original_squares_clients_at_once(self):
        scripts = [subprocess.Popen(
            ["/usr/bin/python3", os.path.join(self.LEGACY, "squares_client.py"),
             self.bridge.square[0], str(self.bridge.square[1])],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(50)]
        expected = [GREETING.decode()] + [str(i * i) for i in range(100)]
        try:
            for script in scripts:
                out, err = script.communicate(timeout=120)
                self.assertEqual(script.returncode, 0, err)
                self.assertEqual(out.splitlines(), expected)
        finally:
            for script in scripts:
                script.kill()
                script.wait()


class ProtocolTest(BridgeTestCase):
    """The rules of the spec, each as a session."""

    def test_pipelined_lines_in_one_write_are_answered_in_order(self):
        with self.handshaken() as c:
            c.send(b"1\n2\n3\n")
            self.assertEqual(c.read_exact(3), b"149")

    def test_errors_keep_their_place_among_pipelined_answers(self):
        with self.handshaken() as c:
            c.send(b"2\nx\n3\n")
            self.assertEqual(c.read_exact(1), b"4")
            self.assertEqual(c.read_line(), b"ERROR invalid literal for int() with base 10: b'x'\n")
            self.assertEqual(c.read_exact(1), b"9")

    def test_line_split_over_writes_is_one_message(self):
        with self.handshaken() as c:
            c.send(b"12")
            c.send(b"34\n")
            self.assertEqual(c.read_exact(7), b"1522756")
            self.assertTrue(c.quiet_for(0.1))

    def test_python_int_syntax(self):
        accepted = [b" 5", b"5 ", b"\t6\t", b"\x0b7\x0c", b"+8", b"-9", b"007", b"1_000",
                    b"0_1", b"5\r", b"-0"]
        with self.handshaken() as c:
            for message in accepted:
                c.send(message + b"\n")
                expected = square_reply(message.decode())
                self.assertEqual(c.read_exact(len(expected)), expected, message)

    def test_rejected_literals_get_one_error_line_each(self):
        rejected = [b"", b"   ", b"1 2", b"1__0", b"_1", b"1_", b"-_1", b"--1", b"0x10",
                    b"1.0", b"1e3", b"5\x00", b"\x1c5", "\u0663".encode(), b"\xa05", b"\xff"]
        with self.handshaken() as c:
            for message in rejected:
                c.send(message + b"\n")
                line = c.read_line()
                self.assertRegex(line, ERROR_LINE, message)
                self.assertIn(b"invalid literal for int() with base 10", line)
            c.send(b"3\n")
            self.assertEqual(c.read_exact(1), b"9")

    def test_big_numbers_are_exact(self):
        rng = random.Random(5)
        with self.handshaken() as c:
            for digits in (30, 300, 1000, 4000):
                number = "-" + "".join(rng.choice("0123456789") for _ in range(digits))
                c.send(number.encode() + b"\n")
                expected = square_reply(number)
                self.assertEqual(c.read_exact(len(expected)), expected, digits)

    def test_first_message_is_greeted_whatever_it_holds(self):
        with self.squares() as c:
            c.send(b"anything at all\n")
            self.assertEqual(c.read_exact(len(GREETING)), GREETING)
            c.send(b"4\n")
            self.assertEqual(c.read_exact(2), b"16")

    def test_unterminated_messages_mixed_with_lines(self):
        with self.squares() as c:
            c.send(b"Hi there!")
            self.assertEqual(c.read_exact(len(GREETING)), GREETING)
            c.send(b"3")
            self.assertEqual(c.read_exact(1), b"9")
            c.send(b"4\n")
            self.assertEqual(c.read_exact(2), b"16")
            c.send(b" 6 ")
            self.assertEqual(c.read_exact(2), b"36")
            c.send(b"7\n8")
            self.assertEqual(c.read_exact(4), b"4964")

    def test_eof_answers_everything_received_then_closes(self):
        with self.handshaken() as c:
            c.send(b"1\n2\n3")
            c.half_close()
            self.assertEqual(c.read_until_close(), b"149")
            self.assertTrue(c.closed_by_server)

    def test_eof_before_handshake_closes_without_a_byte(self):
        with self.squares() as c:
            c.half_close()
            self.assertEqual(c.read_until_close(), b"")
            self.assertTrue(c.closed_by_server)

    def test_oversize_message_gets_an_error_and_a_close(self):
        with self.handshaken() as c:
            c.send(b"3\n")
            self.assertEqual(c.read_exact(1), b"9")
            c.send(b"9" * 5000 + b"\n")
            line = c.read_line()
            self.assertRegex(line, ERROR_LINE)
            self.assertIn(b"longer than 4096 bytes", line)
            self.assertEqual(c.read_until_close(), b"")
            self.assertTrue(c.closed_by_server)

    def test_time_ignores_what_the_client_sends(self):
        with LegacyConnection(self.bridge.time) as c:
            c.send(b"GET / HTTP/1.0\r\n\r\n")
            self.assertRegex(c.read_until_close(), CTIME_LINE)

    def test_time_after_client_half_close(self):
        with LegacyConnection(self.bridge.time) as c:
            c.half_close()
            out = c.read_until_close()
            self.assertRegex(out, CTIME_LINE)
            self.assertEqual(len(out), 25)

    def test_time_closes_at_once_when_the_client_sent_nothing(self):
        """With nothing to drain, the bridge does not wait for the client's
        close: a write after the line and EOF meets a closed socket."""
        with LegacyConnection(self.bridge.time) as c:
            self.assertRegex(c.read_until_close(), CTIME_LINE)
            # The FIN comes from shutdown() just before the bridge checks for
            # input and closes: a write sent at once could still count as
            # input to drain (in a sanitizer build, say). Well after, it cannot.
            time.sleep(0.2)
            c.send(b"late\n")
            time.sleep(0.3)  # a closed loopback socket resets within microseconds
            # The reset after the FIN shows as a pending EPIPE (Linux).
            self.assertEqual(c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR),
                             errno.EPIPE)

class SharedCallsTest(BridgeTestCase):
    """Calls to the core that clients share. Every SQUARES session shares one
    SquareStream (--core_streams=1): a request the core rejects ends that
    stream, and only the session that sent it gets an ERROR line; the others'
    requests are asked again on a new stream. TIME clients connecting together
    share Now calls."""

    bridge_flags = ("--core_streams=1",)

    @classmethod
    def setUpClass(cls):
        port = free_port()  # explicit: the admin port's log line comes first
        cls.core = start_core(RPC_SERVER, port=port,
                              extra=["--max_digits=30", "--admin_listen=127.0.0.1:0"], env=UTC)
        cls.bridge = start_bridge(BRIDGE, f"127.0.0.1:{port}", extra=cls.bridge_flags, env=UTC)

    def test_a_rejected_request_fails_only_its_own_session(self):
        with self.handshaken() as bad, self.handshaken() as good:
            for round_ in range(5):
                numbers = [round_ * 1000 + k for k in range(200)]
                good.send(b"".join(b"%d\n" % n for n in numbers))
                bad.send(b"%d\n" % (10 ** 40 + round_))
                line = bad.read_line()
                self.assertTrue(line.startswith(b"ERROR "), line)
                self.assertIn(b"digits", line)
                for n in numbers:
                    expected = str(n * n).encode()
                    self.assertEqual(good.read_exact(len(expected)), expected, n)
                bad.send(b"12\n")
                self.assertEqual(bad.read_exact(3), b"144")

    def core_metric(self, name, **labels):
        value = sample(scrape(self.core), name, **labels)
        return 0.0 if value is None else value  # a counter appears once counted

    def core_streams_open(self):
        return self.core_metric("sockrpc_core_streams_open")

    def test_time_clients_connecting_together_share_now_calls(self):
        before = self.core_metric("sockrpc_core_requests_total", method="NowStream")
        clients = [LegacyConnection(self.bridge.time) for _ in range(200)]
        try:
            for client in clients:
                self.assertRegex(client.read_until_close(), CTIME_LINE)
        finally:
            for client in clients:
                client.close()
        calls = self.core_metric("sockrpc_core_requests_total", method="NowStream") - before
        self.assertGreaterEqual(calls, 1)
        self.assertLess(calls, 200)

    def test_requests_ready_together_travel_in_batches(self):
        batches_before = self.core_metric("sockrpc_core_batches_total")
        requests_before = self.core_metric("sockrpc_core_requests_total",
                                           method="SquareBatchStream")
        # As many lines as the session takes at once (--max_pending_replies,
        # 128), in one send: they become requests together, and the bridge
        # queues them together, so they travel as full batches of 64 (a send
        # this small reaches the bridge in one read).
        lines = 128
        with self.handshaken() as c:
            c.send(b"".join(b"%d\n" % n for n in range(lines)))
            for n in range(lines):
                expected = str(n * n).encode()
                self.assertEqual(c.read_exact(len(expected)), expected, n)
        requests = self.core_metric("sockrpc_core_requests_total",
                                    method="SquareBatchStream") - requests_before
        batches = self.core_metric("sockrpc_core_batches_total") - batches_before
        self.assertEqual(requests, lines)
        self.assertEqual(batches, lines / 64, "the requests were not sent as full batches")

    def test_sessions_share_the_stream(self):
        sessions = []
        try:
            for _ in range(50):
                session = self.squares()
                sessions.append(session)
                session.send(b"Hi there!")  # the original's handshake, settled by a probe
                self.assertEqual(session.read_exact(len(GREETING)), GREETING)
            for n, session in enumerate(sessions):
                session.send(b"%d\n" % n)
            for n, session in enumerate(sessions):
                expected = str(n * n).encode()
                self.assertEqual(session.read_exact(len(expected)), expected)
            self.assertLessEqual(self.core_streams_open(), 1)
        finally:
            for session in sessions:
                session.close()


class LargeMessagesTest(BridgeTestCase):
    """Numbers near --max_message_bytes' top (1 MiB) from several sessions at
    once, on one shared stream: the core rejects each (too many digits), and
    only the sessions that sent them get the ERROR line. (How such numbers
    are batched is batch_queue_test's.)"""

    bridge_flags = ("--max_message_bytes=1048576", "--core_streams=1")

    def test_megabyte_numbers_fail_only_their_own_sessions(self):
        big = [self.handshaken() for _ in range(7)]
        innocent = self.handshaken()
        try:
            for session in big:
                session.send(b"7" * 1_000_000 + b"\n")
            innocent.send(b"12\n")
            self.assertEqual(innocent.read_exact(3, timeout=60), b"144")
            for session in big:
                line = session.read_line(timeout=60)
                self.assertRegex(line, ERROR_LINE)
                self.assertIn(b"digits", line)
        finally:
            for session in big + [innocent]:
                session.close()


class LimitsTest(BridgeTestCase):
    bridge_flags = ("--max_connections=3", "--idle_timeout=1500ms", "--handshake_timeout=1s",
                    "--verbose", "--admin_listen=127.0.0.1:0")

    def setUp(self):
        # The connections of the previous test count against --max_connections
        # until the bridge has seen them close, which on a busy machine may be
        # a moment after the client closed them: wait (bounded) for none open.
        deadline = time.monotonic() + 10
        while True:
            metrics = scrape(self.bridge)
            values = [sample(metrics, "sockrpc_bridge_connections_open", protocol=protocol)
                      for protocol in ("time", "squares")]
            self.assertNotIn(None, values, metrics)  # one gauge per protocol
            open_now = sum(values)
            if open_now == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.assertEqual(open_now, 0, "connections of an earlier test are still open")

    def closed_by_limit(self, reason):
        return sample(scrape(self.bridge), "sockrpc_bridge_closed_by_limit_total", reason=reason)

    def assert_counted_soon(self, reason, before):
        # The bridge counts the close once it has written the ERROR line and
        # closed; the client may read the close a moment before that.
        deadline = time.monotonic() + 5
        while self.closed_by_limit(reason) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.closed_by_limit(reason), before + 1, reason)

    def test_idle_session_gets_an_error_line_and_is_closed(self):
        before = self.closed_by_limit("idle_timeout")
        with self.handshaken() as c:
            c.send(b"2\n")
            self.assertEqual(c.read_exact(1), b"4")
            out = c.read_until_close(timeout=5)
            self.assertRegex(out, rb"^ERROR idle for 1500ms; closing\n$")
        self.assert_counted_soon("idle_timeout", before)

    def test_silent_client_gets_a_handshake_timeout(self):
        before = self.closed_by_limit("handshake_timeout")
        with self.squares() as c:
            out = c.read_until_close(timeout=5)
            self.assertRegex(out, rb"^ERROR no handshake within 1000ms; closing\n$")
        self.assert_counted_soon("handshake_timeout", before)

    def test_connections_past_the_limit_are_refused_with_an_error(self):
        before = self.closed_by_limit("too_many_connections")
        held = [self.handshaken() for _ in range(3)]
        try:
            with self.squares() as extra:
                out = extra.read_until_close(timeout=5)
                self.assertRegex(out, rb"^ERROR too many connections \(limit 3\)")
            held[0].send(b"5\n")
            self.assertEqual(held[0].read_exact(2), b"25")
            self.assert_counted_soon("too_many_connections", before)
        finally:
            for c in held:
                c.close()

    def test_verbose_logs_a_line_per_connection(self):
        with self.handshaken() as c:
            c.send(b"4\n")
            self.assertEqual(c.read_exact(2), b"16")
            c.half_close()
            c.read_until_close()
        self.bridge.wait_for_line(r"SQUARES peer=127\.0\.0\.1:\d+ messages=2 errors=0 "
                                  r"outcome=client_closed duration=")


class JsonLogTest(BridgeTestCase):
    """--log_format=json: every line one JSON object, connection lines with fields."""

    bridge_flags = ("--verbose", "--log_format=json")

    def test_every_line_is_json_and_connection_lines_carry_fields(self):
        with self.handshaken() as c:
            c.send(b"4\n")
            self.assertEqual(c.read_exact(2), b"16")
            c.half_close()
            c.read_until_close()
        self.assertEqual(self.nc(self.bridge.time[1], b"")[-1:], b"\n")
        self.bridge.wait_for_line(r'"protocol":"TIME"')
        self.bridge.wait_for_line(r'"protocol":"SQUARES"')
        lines = [json.loads(line) for line in self.bridge.stderr_text().splitlines()]
        for line in lines:
            self.assertEqual(line["process"], "legacy_bridge", line)
            self.assertIn(line["level"], ("debug", "info", "warning", "error"), line)
            self.assertRegex(line["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
            self.assertIsInstance(line["msg"], str)
        self.assertTrue(any("TIME listening on" in line["msg"] for line in lines))
        squares = [line for line in lines if line.get("protocol") == "SQUARES"][0]
        self.assertRegex(squares["peer"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual((squares["messages"], squares["errors"], squares["outcome"]),
                         (2, 0, "client_closed"))
        self.assertIsInstance(squares["duration_ms"], float)
        time_line = [line for line in lines if line.get("protocol") == "TIME"][0]
        self.assertEqual(time_line["outcome"], "answered")


class LogLevelTest(unittest.TestCase):
    def test_warning_level_keeps_warnings_and_drops_info_lines(self):
        time_port = free_port()
        with start_core(RPC_SERVER, env=UTC) as core:
            # A file limit below --max_connections gives a warning at start.
            with Process(["prlimit", "--nofile=1024:1024", BRIDGE,
                          f"--time_listen=127.0.0.1:{time_port}", "--square_listen=127.0.0.1:0",
                          f"--target={core.target}", "--log_level=warning", "--verbose"],
                         env=UTC, ready_pattern=re.compile(r" WARN the file descriptor limit")) as bridge:
                deadline = time.monotonic() + 20
                while True:
                    try:
                        with socket.create_connection(("127.0.0.1", time_port), timeout=5) as s:
                            self.assertRegex(s.makefile("rb").readline(), CTIME_LINE)
                        break
                    except ConnectionRefusedError:
                        self.assertLess(time.monotonic(), deadline, "TIME never listened")
                        time.sleep(0.1)
                self.assertEqual(bridge.terminate(), 0)
                self.assertNotIn(" INFO ", bridge.stderr_text())
            core.terminate()


class CoreOutageTest(unittest.TestCase):
    """The core stopped mid-session and started again on the same port."""

    def test_errors_while_the_core_is_down_then_recovery(self):
        port = free_port()
        core = start_core(RPC_SERVER, port=port, env=UTC)
        bridge = start_bridge(BRIDGE, f"127.0.0.1:{port}", extra=["--deadline=1s"], env=UTC)
        try:
            with LegacyConnection(bridge.square) as c:
                c.send(b"Hi there!\n5\n")
                self.assertEqual(c.read_exact(len(GREETING) + 2), GREETING + b"25")

                core.terminate(signal.SIGKILL)
                c.send(b"6\n")
                started = time.monotonic()
                line = c.read_line(timeout=5)
                self.assertRegex(line, ERROR_LINE)
                self.assertLess(time.monotonic() - started, 3)
                with LegacyConnection(bridge.time) as t:
                    self.assertRegex(t.read_until_close(timeout=5), rb"^ERROR [^\n]*\n$")

                core = start_core(RPC_SERVER, port=port, env=UTC)
                recovered = False
                for _ in range(40):  # bounded: 40 tries, at most ~20 s
                    c.send(b"7\n")
                    reply = c.read_exact(2, timeout=3)
                    if reply == b"49":
                        recovered = True
                        break
                    self.assertEqual(reply, b"ER")  # an ERROR line, never a wrong answer
                    self.assertRegex(b"ER" + c.read_line(), ERROR_LINE)
                    time.sleep(0.5)
                self.assertTrue(recovered, "the bridge did not recover")
            with LegacyConnection(bridge.time) as t:
                self.assertRegex(t.read_until_close(), CTIME_LINE)
        finally:
            bridge.terminate()
            core.terminate()


class ShutdownTest(unittest.TestCase):
    def test_sigterm_answers_what_was_received_then_exits_zero(self):
        core = start_core(RPC_SERVER, env=UTC)
        bridge = start_bridge(BRIDGE, core.target, env=UTC)
        try:
            with LegacyConnection(bridge.square) as c:
                c.send(b"Hi there!\n")
                self.assertEqual(c.read_exact(len(GREETING)), GREETING)
                c.send(b"7\n8")  # one line and an unterminated message
                time.sleep(0.05)
                self.assertEqual(bridge.terminate(signal.SIGTERM), 0)
                self.assertEqual(c.read_until_close(), b"4964")
            self.assertIn("stopped", bridge.stderr_text())
            with self.assertRaises(OSError):
                socket.create_connection(bridge.square, timeout=2).close()
        finally:
            bridge.terminate()
            core.terminate()


class ManyConnectionsTest(unittest.TestCase):
    def test_ten_thousand_open_connections_and_another_client_is_served(self):
        core = start_core(RPC_SERVER, env=UTC)
        # All from one address: lift the per-address cap for this one.
        bridge = start_bridge(BRIDGE, core.target, env=UTC,
                              extra=["--max_connections_per_address=15000"])
        selector = selectors.DefaultSelector()
        held = []
        try:
            for _ in range(10_000):
                s = socket.create_connection(bridge.square, timeout=10)
                s.sendall(b"Hi there!\n")
                s.setblocking(False)
                selector.register(s, selectors.EVENT_READ, bytearray())
                held.append(s)
            greeted = 0
            deadline = time.monotonic() + 120
            while greeted < len(held) and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=1):
                    key.data.extend(key.fileobj.recv(64))
                    if bytes(key.data) == GREETING:
                        greeted += 1
                        selector.unregister(key.fileobj)
            self.assertEqual(greeted, 10_000)

            with LegacyConnection(bridge.square, nodelay=False) as client:
                client.send(b"Hi there!")
                self.assertEqual(client.read_exact(len(GREETING)), GREETING)
                for i in range(100):
                    client.send(str(i).encode())
                    self.assertEqual(client.read_exact(len(str(i * i))), str(i * i).encode())
        finally:
            for s in held:
                s.close()
            selector.close()
            bridge.terminate()
            core.terminate()


class BridgeProcessTest(unittest.TestCase):
    def run_bridge(self, *args):
        return subprocess.run([BRIDGE, *args], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)

    def test_help_lists_the_flags_and_exits_zero(self):
        done = self.run_bridge("--help")
        self.assertEqual(done.returncode, 0)
        for flag in ["--time_listen", "--square_listen", "--target", "--time_zone", "--deadline",
                     "--max_message_bytes", "--handshake_timeout", "--idle_timeout",
                     "--max_connections", "--verbose", "--line_pause", "--core_streams",
                     "--core_stream_max_age", "--threads", "--busy_poll", "--log_format",
                     "--log_level"]:
            self.assertIn(flag, done.stdout)
        self.assertIn("Exit status: 0", done.stdout)

    def test_every_usage_error_exits_2_naming_the_flag(self):
        for args, named in [
                (["--bogus"], "unknown flag --bogus"), (["--noverbose=1"], "--noverbose"),
                (["--verbose=maybe"], "--verbose"), (["--deadline=soon"], "--deadline"),
                (["--threads=two"], "--threads"), (["--max_connections"], "--max_connections"),
                (["--log_format=xml"], "--log_format"), (["--log_level=loud"], "--log_level"),
                (["--time_listen=9999"], "--time_listen"),
                (["--square_listen=127.0.0.1:x"], "--square_listen"),
                (["--admin_listen=[::1]"], "--admin_listen"),
                (["--max_message_bytes=10"], "--max_message_bytes"),
                (["--time_zone=Nowhere/Land"], "--time_zone"), (["--deadline=0s"], "--deadline"),
                (["--core_streams=0"], "--core_streams"),
                (["--core_streams=2000"], "--core_streams"),
                (["--core_stream_max_age=0s"], "--core_stream_max_age"),
                (["--threads=-1"], "--threads"), (["--threads=1025"], "--threads"),
                (["--busy_poll=-1us"], "--busy_poll"), (["--busy_poll=2ms"], "--busy_poll"),
                (["--load_balancing=random"], "--load_balancing"),
                (["--tls_cert=cert.pem"], "--tls_key"), (["extra"], "extra")]:
            done = self.run_bridge(*args)
            self.assertEqual(done.returncode, 2, f"{args}: {done.stderr}")
            lines = done.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, f"{args}: {done.stderr}")
            self.assertIn(named, lines[0], args)

    def test_failures_at_run_time_exit_1(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            done = self.run_bridge(f"--square_listen=127.0.0.1:{port}",
                                   "--time_listen=127.0.0.1:0")
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn(f"cannot listen on 127.0.0.1:{port}", done.stderr)
        done = self.run_bridge("--time_listen=127.0.0.1:0", "--square_listen=127.0.0.1:0",
                               "--tls_ca=/nonexistent/ca.pem")
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("cannot read --tls_ca file", done.stderr)

    def test_threads_sets_the_event_loops(self):
        core = start_core(RPC_SERVER, env=UTC)
        bridge = start_bridge(BRIDGE, core.target, extra=["--threads=3"], env=UTC)
        try:
            self.assertIn("3 event loops, ", bridge.stderr_text())
            self.assertEqual(threads_named(bridge.proc.pid, "event_loop_"), 3)
            # Every loop accepts: a few clients in a row are all answered.
            for _ in range(6):
                with LegacyConnection(bridge.time) as t:
                    self.assertRegex(t.read_until_close(), CTIME_LINE)
        finally:
            bridge.terminate()
            core.terminate()

    def test_zero_threads_is_one_per_cpu_of_the_affinity_mask(self):
        core = start_core(RPC_SERVER, env=UTC)
        bridge = Process(["taskset", "-c", "0", BRIDGE, "--time_listen=127.0.0.1:0",
                          "--square_listen=127.0.0.1:0", f"--target={core.target}",
                          "--threads=0"], env=UTC, ready_pattern=BRIDGE_LISTENING)
        try:
            # On one CPU a polling thread would only hold up the one it waits for.
            self.assertIn("1 event loop, no busy polling)", bridge.stderr_text())
            self.assertEqual(threads_named(bridge.proc.pid, "event_loop_"), 1)
        finally:
            bridge.terminate()
            core.terminate()

    def test_busy_poll_zero_turns_polling_off_and_serves_both_protocols(self):
        core = start_core(RPC_SERVER, env=UTC)
        bridge = start_bridge(BRIDGE, core.target, extra=["--busy_poll=0"], env=UTC)
        try:
            self.assertIn("no busy polling)", bridge.stderr_text())
            with LegacyConnection(bridge.time) as t:
                self.assertRegex(t.read_until_close(), CTIME_LINE)
            with LegacyConnection(bridge.square) as s:
                s.send(b"Hi there!")
                self.assertEqual(s.read_exact(len(GREETING)), GREETING)
                for i in range(50):
                    s.send(str(i).encode())
                    self.assertEqual(s.read_exact(len(str(i * i))), str(i * i).encode())
        finally:
            bridge.terminate()
            core.terminate()

    @unittest.skipIf(len(os.sched_getaffinity(0)) < 2, "busy polling is off on one CPU")
    def test_busy_poll_is_on_by_default_with_two_cpus(self):
        core = start_core(RPC_SERVER, env=UTC)
        bridge = start_bridge(BRIDGE, core.target, env=UTC)
        try:
            self.assertIn("busy polling up to 200us)", bridge.stderr_text())
        finally:
            bridge.terminate()
            core.terminate()

    def test_time_zone_flag_sets_the_zone_of_the_time_line(self):
        core = start_core(RPC_SERVER, env=UTC)
        bridge = start_bridge(BRIDGE, core.target, extra=["--time_zone=Asia/Kolkata"], env=UTC)
        try:
            with LegacyConnection(bridge.time) as t:
                line = t.read_until_close()
            expected = subprocess.run(
                ["/usr/bin/python3", "-c", "import time; print(time.ctime())"],
                capture_output=True, env={"TZ": "Asia/Kolkata"}).stdout
            self.assertEqual(line[:16], expected[:16])  # same day and minute (bar a boundary)
        finally:
            bridge.terminate()
            core.terminate()


if __name__ == "__main__":
    unittest.main(verbosity=2)
