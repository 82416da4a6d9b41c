#!/usr/bin/python3
"""Command-line client for sockrpc's gRPC core (rpc_server).

    sockrpc-client [--target HOST:PORT] [--timeout SECONDS] [--tls_ca FILE
                   [--tls_cert FILE --tls_key FILE]] [--gen-dir DIR] VERB ...

    now [--zone ZONE]   the current time: ctime text, RFC 3339 instant, zone
    square N            the exact square of the decimal integer N (any size)
    stream              squares of the integers on stdin, one per line, over
                        one SquareService.SquareStream call

Exit status: 0 on success; 1 when the call fails (printed on stderr as
`error: <CODE>: <message>`, CODE being the gRPC status name) or a TLS file
cannot be read; 2 on a usage error, or when grpc or the generated modules
cannot be imported.

The generated modules (sockrpc/{time,square}/v1/*_pb2*.py) are looked up in
--gen-dir, else $SOCKRPC_PY_GEN, else gen/ next to this script (where
`buf generate` at the project root writes them), else among the installed
packages (`pip install clients/python` generates and installs them). Needs
Debian's python3-grpcio and python3-protobuf: run it with /usr/bin/python3,
or from a venv made with --system-site-packages.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TARGET = "localhost:50051"
DEFAULT_TIMEOUT = 10.0
DEFAULT_GEN_DIR = os.path.join(HERE, "gen")
GEN_ENV = "SOCKRPC_PY_GEN"

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
# What the server's `decimal` accepts: an optional sign, then ASCII digits.
INTEGER = re.compile(r"[+-]?[0-9]+")
ASCII_WHITESPACE = " \t\r\n\v\f"


def decimal_integer(text):
    """argparse type of N: a decimal integer of any size, kept as text."""
    if INTEGER.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a decimal integer (expected an optional sign and ASCII digits)")


def seconds(text):
    """argparse type of --timeout: seconds >= 0, 0 meaning no deadline."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return value


TARGET_SCHEME = re.compile(r"(dns|unix|unix-abstract|ipv4|ipv6|passthrough|xds):")
HOST_PORT = re.compile(r"(\[[^\]]+\]|[^:\[\]]+):([0-9]{1,5})")


def target(text):
    """argparse type of --target: HOST:PORT, [IPV6]:PORT or a URI with a known
    scheme; anything else is a usage error, not a failed call."""
    if TARGET_SCHEME.match(text):
        return text
    match = HOST_PORT.fullmatch(text)
    if match and 1 <= int(match.group(2)) <= 65535:
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r}: expected HOST:PORT (port 1..65535), [IPV6]:PORT or a gRPC URI such as "
        "dns:///HOST:PORT")


def number_fields(text):
    """The `number` oneof for an integer given as text: `value` when it fits
    int64, else `decimal` (the text as given). Never converts long text to an
    int, so Python's int/str digit limit does not apply."""
    if INTEGER.fullmatch(text) and len(text.lstrip("+-").lstrip("0")) <= 19:
        number = int(text)
        if INT64_MIN <= number <= INT64_MAX:
            return {"value": number}
    return {"decimal": text}


def build_parser():
    # The connection options are accepted before or after the verb; SUPPRESS
    # keeps a subcommand from overwriting a value given before the verb.
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument("--target", type=target, default=argparse.SUPPRESS, metavar="HOST:PORT",
                       help=f"server address, any gRPC target (default {DEFAULT_TARGET}; "
                            f"plaintext unless a --tls_ flag is given)")
    group.add_argument("--timeout", type=seconds, default=argparse.SUPPRESS, metavar="SECONDS",
                       help=f"deadline of the call, the whole stream for `stream`; "
                            f"0 means none (default {DEFAULT_TIMEOUT:g})")
    group.add_argument("--zone", default=argparse.SUPPRESS, metavar="ZONE",
                       help="for `now`: IANA time zone of the ctime text, e.g. Europe/Paris "
                            "(default: the server's local zone)")
    group.add_argument("--tls_ca", default=argparse.SUPPRESS, metavar="FILE",
                       help="PEM CA bundle: use TLS and verify the server with it")
    group.add_argument("--tls_cert", default=argparse.SUPPRESS, metavar="FILE",
                       help="PEM client certificate (mutual TLS), with --tls_key")
    group.add_argument("--tls_key", default=argparse.SUPPRESS, metavar="FILE",
                       help="PEM private key of --tls_cert")
    group.add_argument("--gen-dir", default=argparse.SUPPRESS, metavar="DIR",
                       help=f"directory of the generated modules (default ${GEN_ENV}, "
                            f"else {DEFAULT_GEN_DIR} if it exists, else the installed "
                            f"package)")

    parser = argparse.ArgumentParser(
        description="Call sockrpc's TimeService and SquareService.", parents=[common],
        epilog="Errors: a failed call prints `error: <CODE>: <message>` on stderr and exits 1; "
               "usage errors exit 2.")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    now = verbs.add_parser("now", parents=[common], help="the current time",
                           description="Print the ctime text, the RFC 3339 instant and the "
                                       "zone, one per line.")

    square = verbs.add_parser("square", parents=[common], help="the square of N",
                              description="Print the exact square of N.")
    square.add_argument("number", type=decimal_integer, metavar="N",
                        help="a decimal integer of any size, e.g. 12 or "
                             "-123456789012345678901234567890")

    verbs.add_parser("stream", parents=[common], help="squares of the numbers on stdin",
                     description="Read integers from stdin, one per line (blank lines are "
                                 "skipped), send them on one SquareStream call with sequence "
                                 "numbers 1, 2, ... and print each square as it arrives. Ends "
                                 "when stdin has ended and every answer has arrived. A line "
                                 "that is not an integer ends the stream with the server's "
                                 "INVALID_ARGUMENT, after the answers to the lines before it.")
    return parser


def read_pem(flag, path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        print(f"{os.path.basename(sys.argv[0])}: cannot read {flag} file {path}: "
              f"{error.strerror}", file=sys.stderr)
        sys.exit(1)


def open_channel(grpc, target, tls):
    """The C++ client's TLS flags: --tls_ca alone is TLS verifying the server
    with that CA; --tls_cert and --tls_key add a client certificate (mutual
    TLS); none of them is plaintext. An unreadable file exits 1."""
    if not any(tls.values()):
        return grpc.insecure_channel(target)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=tls["tls_ca"] and read_pem("--tls_ca", tls["tls_ca"]),
        private_key=tls["tls_key"] and read_pem("--tls_key", tls["tls_key"]),
        certificate_chain=tls["tls_cert"] and read_pem("--tls_cert", tls["tls_cert"]))
    return grpc.secure_channel(target, credentials)


def fail_setup(message):
    print(f"{os.path.basename(sys.argv[0])}: error: {message}", file=sys.stderr)
    sys.exit(2)


def load_modules(gen_dir):
    """Imports grpc and the generated modules from gen_dir."""
    try:
        import grpc
    except ImportError as error:
        fail_setup(f"cannot import grpc ({error}); install Debian's python3-grpcio and "
                   f"run this with /usr/bin/python3")
    if gen_dir is not None:
        marker = os.path.join(gen_dir, "sockrpc", "time", "v1", "time_service_pb2.py")
        if not os.path.isfile(marker):
            fail_setup(f"generated modules not found in {gen_dir}: run `buf generate` at the "
                       f"project root (writes {DEFAULT_GEN_DIR}), or `protoc` as README.md "
                       f"shows, then pass --gen-dir DIR or set {GEN_ENV}=DIR")
        sys.path.insert(0, os.path.abspath(gen_dir))
    try:
        from sockrpc.square.v1 import square_service_pb2, square_service_pb2_grpc
        from sockrpc.time.v1 import time_service_pb2, time_service_pb2_grpc
    except ImportError as error:
        fail_setup(f"cannot import the generated modules ({error}): `pip install "
                   f"clients/python`, or run `buf generate` at the project root")
    return grpc, (time_service_pb2, time_service_pb2_grpc,
                  square_service_pb2, square_service_pb2_grpc)


class ProtocolError(Exception):
    """The server broke the SquareStream contract (answers missing or unpaired)."""


def emit(text):
    """Writes whole lines in one write and flushes, so that a line is never
    split (print() writes the text and its newline separately, two system
    calls when PYTHONUNBUFFERED is set) and each answer shows at once."""
    sys.stdout.write(text)
    sys.stdout.flush()


def now(stubs, modules, args, timeout):
    time_pb2 = modules[0]
    response = stubs["time"].Now(time_pb2.NowRequest(time_zone=args.zone), timeout=timeout)
    emit(f"{response.ctime}\n{response.time.ToJsonString()}\n{response.time_zone}\n")


def square(stubs, modules, args, timeout):
    square_pb2 = modules[2]
    response = stubs["square"].Square(
        square_pb2.SquareRequest(**number_fields(args.number)), timeout=timeout)
    emit(response.square + "\n")


def stdin_lines():
    """Lines of stdin as bytes, each yielded as soon as it is complete.

    Reads file descriptor 0 with os.read rather than through sys.stdin: this
    runs on grpc's request thread, which may still be blocked in a read when
    the call fails and the program exits; blocked inside sys.stdin it would
    hold the buffer's lock and Python would abort at shutdown."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return
    parts = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        *complete, rest = chunk.split(b"\n")
        for piece in complete:
            parts.append(piece)
            yield b"".join(parts)
            parts = []
        if rest:
            parts.append(rest)
    if parts:
        yield b"".join(parts)


def stream(stubs, modules, args, timeout):
    square_pb2 = modules[2]
    sent = [0]

    def requests():
        # Runs on grpc's request thread; must not raise (that would cancel the
        # call), so undecodable bytes go to the server, which rejects them.
        for raw in stdin_lines():
            text = raw.decode("utf-8", "replace").strip(ASCII_WHITESPACE)
            if not text:
                continue
            sent[0] += 1
            yield square_pb2.SquareStreamRequest(sequence=sent[0], **number_fields(text))

    call = stubs["square"].SquareStream(requests(), timeout=timeout)
    received = 0
    try:
        for response in call:
            received += 1
            if response.sequence != received:
                raise ProtocolError(f"answer {received} has sequence {response.sequence}")
            emit(response.square + "\n")
    except BaseException:
        call.cancel()
        raise
    # The stream ended OK, which the server does only after our half-close,
    # so sent[0] is final here.
    if received != sent[0]:
        raise ProtocolError(f"{sent[0]} numbers sent but {received} answers received")


VERBS = {"now": now, "square": square, "stream": stream}


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    tls = {name: getattr(args, name, None) for name in ("tls_ca", "tls_cert", "tls_key")}
    if args.verb != "now" and hasattr(args, "zone"):
        parser.error("--zone goes with now only")
    args.zone = getattr(args, "zone", "")
    if bool(tls["tls_cert"]) != bool(tls["tls_key"]):
        parser.error("--tls_cert and --tls_key go together")
    target = getattr(args, "target", DEFAULT_TARGET)
    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT) or None
    gen_dir = getattr(args, "gen_dir", None) or os.environ.get(GEN_ENV) or (
        DEFAULT_GEN_DIR if os.path.isdir(DEFAULT_GEN_DIR) else None)

    grpc, modules = load_modules(gen_dir)
    time_pb2, time_grpc, square_pb2, square_grpc = modules
    try:
        with open_channel(grpc, target, tls) as channel:
            stubs = {"time": time_grpc.TimeServiceStub(channel),
                     "square": square_grpc.SquareServiceStub(channel)}
            VERBS[args.verb](stubs, modules, args, timeout)
            sys.stdout.flush()
    except grpc.RpcError as error:
        code = error.code() if callable(getattr(error, "code", None)) else None
        details = error.details() if callable(getattr(error, "details", None)) else None
        name = code.name if code is not None else "UNKNOWN"
        print(f"error: {name}: {details or str(error)}", file=sys.stderr)
        return 1
    except ProtocolError as error:
        print(f"error: INTERNAL: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # stdout was closed (e.g. piped into `head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
