"""Random SQUARES sessions, an independent model of their replies, and a
client that writes them the way real scripted clients do: in pieces, with short
gaps, with Nagle's algorithm on or off, then a half-close.

The model is written here from the protocol's spec (docs/legacy-protocol.md),
not taken from the bridge's code, and checked against Python's own int() on
bytes (check_model_against_python). A session is reproducible from its seed:

    session = make_session(random.Random(f"{seed}/{batch}/{index}"), index,
                           max_message_bytes=4096, nodelay=False)
"""

import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # squares of 4,096-digit numbers are printed whole

GREETING = b"Hello. Nice to see you."
ERROR_LINE = re.compile(rb"ERROR[ :][^\n]*\n")

# ---------------------------------------------------------------------------
# The model: Python's int() on the bytes of a message, written from its
# grammar. ASCII whitespace around an optional sign and decimal digits, single
# underscores between digits, leading zeros allowed, any size; nothing else.
_WHITESPACE = b" \t\n\r\x0b\x0c"
_DIGITS = b"0123456789"


def model_int(message):
    """The integer Python's int() makes of `message` (bytes), or None if it raises."""
    text = message.strip(_WHITESPACE)
    if text[:1] in (b"+", b"-"):
        sign, text = text[:1], text[1:]
    else:
        sign = b"+"
    if not text or text[0] not in _DIGITS or text[-1] not in _DIGITS:
        return None
    digits = bytearray()
    previous_underscore = False
    for byte in text:
        if byte in _DIGITS:
            digits.append(byte)
            previous_underscore = False
        elif byte == ord("_") and not previous_underscore:
            previous_underscore = True
        else:
            return None
    value = 0
    # Chunked so that 4,096-digit numbers stay fast without int(str).
    for start in range(0, len(digits), 18):
        chunk = digits[start:start + 18]
        value = value * 10 ** len(chunk) + int(chunk.decode("ascii"), 10)
    return -value if sign == b"-" else value


def python_int(message):
    """What Python's own int() does with `message`: the integer, or None."""
    try:
        return int(message)
    except ValueError:
        return None


def model_replies(messages):
    """The replies to a session's messages, in order: bytes, or None where an
    ERROR line (any text) is the reply."""
    replies = []
    for index, message in enumerate(messages):
        if index == 0:
            replies.append(GREETING)  # the first message, whatever it holds
            continue
        value = model_int(message)
        replies.append(None if value is None else str(value * value).encode("ascii"))
    return replies


# ---------------------------------------------------------------------------
# Spellings: every form int() accepts and the near misses it rejects.
_SPACES = [b" ", b"\t", b"\r", b"\x0b", b"\x0c"]


def _digits(rng, max_digits):
    roll = rng.random()
    if roll < 0.7:
        count = rng.randint(1, 19)
    elif roll < 0.9:
        count = rng.randint(19, 400)
    else:
        count = rng.randint(400, max(400, max_digits))
    count = min(count, max_digits)
    first = rng.choice(b"123456789") if rng.random() < 0.8 else ord("0")
    return bytes([first]) + bytes(rng.choice(_DIGITS) for _ in range(count - 1))


def _with_underscores(rng, digits):
    out = bytearray()
    for i, byte in enumerate(digits):
        if i and rng.random() < 0.1:
            out += b"_"
        out.append(byte)
    return bytes(out)


def _space(rng):
    return b"".join(rng.choice(_SPACES) for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])))


def valid_spelling(rng, max_bytes):
    body = _digits(rng, max(1, max_bytes - 16))
    if rng.random() < 0.15:
        body = b"0" * rng.randint(1, 5) + body
    if rng.random() < 0.2:
        body = _with_underscores(rng, body)
    sign = rng.choice([b"", b"", b"", b"-", b"+"])
    return (_space(rng) + sign + body + _space(rng))[:max_bytes]


_NEAR_MISSES = [
    b"", b" ", b"\t\r", b"1 2", b"1__0", b"_1", b"1_", b"-_1", b"--1", b"+-1", b"0x10",
    b"1.0", b"1e3", b"- 1", b"12a", b"abc", b"Hi there!", b"\x001", b"1\x00", b"\x1c1",
    b"1\x1f", b"\xd9\xa1\xd9\xa2",  # Arabic-Indic digits, as UTF-8
    b"\xef\xbc\x91",  # fullwidth 1
    b"\xc2\xa01", b"\xe2\x80\x831",  # NBSP, EM SPACE
    b"\xff", b"0b101", b"1,000", b"(1)", b"+", b"-", b"_",
]


def invalid_spelling(rng, max_bytes):
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(_NEAR_MISSES)
    if roll < 0.8:  # a valid number with one byte broken
        good = bytearray(valid_spelling(rng, 40))
        good.insert(rng.randint(0, len(good)), rng.choice(b"_ ax.\x00\x80\xff-+\x1e"))
        return bytes(good)
    # garbage: any bytes but the newline
    length = rng.randint(1, min(max_bytes, 64))
    return bytes(rng.choice([b for b in range(256) if b != 10]) for _ in range(length))


def message_spelling(rng, max_bytes):
    return valid_spelling(rng, max_bytes) if rng.random() < 0.75 else invalid_spelling(rng, max_bytes)


def check_model_against_python(rng, count):
    """Raises AssertionError if model_int and Python's int() ever disagree."""
    for _ in range(count):
        spelling = message_spelling(rng, 4096) if rng.random() < 0.9 else rng.choice(_NEAR_MISSES)
        if rng.random() < 0.3:
            spelling = spelling[:rng.randint(0, len(spelling))]  # prefixes are messages too
        model, real = model_int(spelling), python_int(spelling)
        if model != real:
            raise AssertionError(f"model_int({spelling[:80]!r}) = {model}, int() gives {real}")


# ---------------------------------------------------------------------------
# Sessions.
@dataclass
class Session:
    index: int
    nodelay: bool
    messages: list          # what the model sees: the bytes of each message
    pieces: list            # the writes, in order
    gaps: list              # seconds to wait before each write (gaps[0] is 0)
    expected: list = field(default_factory=list)

    def describe(self, limit=600):
        shown = repr(self.pieces)
        if len(shown) > limit:
            shown = shown[:limit] + f"... ({len(self.pieces)} writes)"
        return (f"session {self.index}: {'TCP_NODELAY' if self.nodelay else 'Nagle on'}, "
                f"{len(self.messages)} messages, writes {shown}")


def make_session(rng, index, max_message_bytes, nodelay, max_messages=300):
    """A random session: a first line, then 1..max_messages messages written
    in random pieces. The first write always holds the whole first line: until
    a client has sent a newline, the bridge takes it for the original client,
    whose message is whatever one write carried."""
    first = rng.choice([b"Hi there!", b"Hi there!", b"hello", b"", b"5", b"\xff\xfe"])
    roll = rng.random()
    count = rng.randint(1, 10) if roll < 0.6 else rng.randint(10, 60) if roll < 0.9 \
        else rng.randint(60, max_messages)
    # One byte short of the limit: a CRLF line's \r is part of its message.
    bodies = [message_spelling(rng, max_message_bytes - 1) for _ in range(count)]
    unterminated_last = rng.random() < 0.3 and bodies[-1] != b""
    stream = bytearray()
    for i, body in enumerate(bodies):
        stream += body
        if i < len(bodies) - 1 or not unterminated_last:
            stream += rng.choice([b"\n", b"\n", b"\n", b"\r\n"])
    messages = [first] + _split_messages(bytes(stream))
    pieces, gaps = _cut(rng, first + b"\n", bytes(stream))
    session = Session(index, nodelay, messages, pieces, gaps)
    session.expected = model_replies(messages)
    return session


def _split_messages(stream):
    """The messages the spec sees in a stream ending with a half-close: each
    newline ends one; a non-empty unterminated rest is the last."""
    parts = stream.split(b"\n")
    rest = parts.pop()
    return parts + ([rest] if rest else [])


def _cut(rng, first_line, stream):
    """Random writes: the first carries the whole first line (and maybe more)."""
    if rng.random() < 0.15 or not stream:  # all pipelined in one write
        return [first_line + stream], [0.0]
    head = rng.randint(0, min(len(stream), 64)) if rng.random() < 0.5 else 0
    pieces, gaps = [first_line + stream[:head]], [0.0]
    position = head
    while position < len(stream):
        roll = rng.random()
        size = (rng.randint(1, 8) if roll < 0.5 else rng.randint(8, 200) if roll < 0.85
                else rng.randint(200, 9000))
        pieces.append(stream[position:position + size])
        position += size
        gap_roll = rng.random()
        gaps.append(0.0 if gap_roll < 0.4 else rng.uniform(0.00005, 0.0015))
    return pieces, gaps


# ---------------------------------------------------------------------------
# Running a session against a real server.
@dataclass
class Outcome:
    received: bytes
    stalled_ms: float  # longest client-side pause inside an unfinished message
    problem: str = ""  # empty: the replies are right
    error_lines: int = 0  # ERROR lines where the model has a number (mode exact_or_error)
    first_error_line: bytes = b""


def run_session(address, session, mode="exact", timeout=60.0):
    """Writes the session, half-closes, reads until the server closes, and
    compares with the model. mode "exact": every reply byte-exact; mode
    "exact_or_error": each reply exact or an ERROR line in its place."""
    sock = socket.create_connection(address, timeout=timeout)
    if session.nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    chunks = []
    reader_error = []

    def read_all():
        try:
            while True:
                data = sock.recv(262144)
                if not data:
                    return
                chunks.append(data)
        except OSError as error:  # a reset or the timeout
            reader_error.append(repr(error))

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    stalled = 0.0
    try:
        message_open = False  # the bytes sent so far end inside a message
        previous_start = time.monotonic()
        for piece, gap in zip(session.pieces, session.gaps):
            if gap:
                time.sleep(gap)
            started = time.monotonic()
            sock.sendall(piece)
            if message_open:
                # From before the previous write to after this one: a pause
                # anywhere between the two (a preempted thread, an oversleep)
                # counts, whatever the moment the kernel took the bytes.
                stalled = max(stalled, time.monotonic() - previous_start)
            previous_start = started
            message_open = not piece.endswith(b"\n")
        sock.shutdown(socket.SHUT_WR)
    except OSError as error:
        reader_error.append(f"write failed: {error!r}")
    reader.join(timeout)
    sock.close()
    received = b"".join(chunks)
    error_lines, standing_in = 0, []
    if reader.is_alive():
        problem = f"no close from the server within {timeout}s"
    else:
        standing_in = []
        problem, error_lines = compare(session.expected, received, mode, standing_in)
        if not problem and reader_error:
            problem = reader_error[0]
    return Outcome(received, stalled * 1000, problem, error_lines,
                   standing_in[0] if standing_in else b"")


def compare(expected, received, mode, standing_in=None):
    """(problem, error_lines): problem is empty if `received` is the replies
    `expected` (see model_replies), else where and how it differs;
    error_lines counts the ERROR lines that stood in for a number, which are
    appended to `standing_in` if given."""
    standing_in = [] if standing_in is None else standing_in
    position = error_lines = 0
    for number, reply in enumerate(expected):
        error = ERROR_LINE.match(received, position)
        if reply is None and not error:
            return _mismatch(number, "an ERROR line", received, position), error_lines
        if error and (reply is None or mode == "exact_or_error"):
            if reply is not None:
                error_lines += 1
                standing_in.append(error.group(0))
            position = error.end()
            continue
        if received[position:position + len(reply)] != reply:
            return _mismatch(number, repr(_window(reply)), received, position), error_lines
        position += len(reply)
    if position != len(received):
        return (f"{len(received) - position} unexpected bytes after the last reply: "
                f"{_window(received[position:])!r}"), error_lines
    return "", error_lines


def _window(data, size=60):
    return data if len(data) <= size else data[:size] + b"..."


def _mismatch(number, wanted, received, position):
    return (f"reply {number}: expected {wanted}, got {_window(received[position:])!r} "
            f"at byte {position}")
