#!/usr/bin/env python3
"""Writes the committed seed corpora fuzz/corpus/{framing_int,square}/.

Re-run after changing the input layout of a target (see README.md here):
    python3 fuzz/make_seeds.py
"""
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent

# fuzz_framing_int.cc: byte 0 = (K - 1) | mode bits; then K {size - 1, events}.
SMALL_MESSAGES, SMALL_PENDING, SMALL_CORE, DEADLINES, ABORTS = 0x08, 0x10, 0x20, 0x40, 0x80
IDLE, DEADLINE, NO_DRAIN, ABORT = 0x01, 0x20, 0x40, 0x80


def before(n):  # answers delivered with client_sent_more before the chunk
    return n << 1


def after(n):  # answers after the chunk (3 = all)
    return n << 3


REST = 256  # a size of 256 (byte 0xff) feeds all the rest at once


def framing(payload, descriptors=((REST, after(3) | IDLE),), mode=0):
    assert 1 <= len(descriptors) <= 8
    head = bytes([mode | (len(descriptors) - 1)])
    for size, events in descriptors:
        assert 1 <= size <= 256
        head += bytes([size - 1, events])
    return head + payload


ALL = after(3)
FRAMING = {
    "handshake_lines": framing(b"Hi there!\n5\n12\n"),
    "original_client": framing(b"Hi there!5123",
                               [(9, IDLE | ALL), (1, IDLE | ALL), (1, IDLE | ALL),
                                (1, IDLE | ALL), (1, IDLE | ALL)]),
    "byte_by_byte": framing(b"Hi there!\n5\n-12\n", [(1, IDLE | after(1))]),
    "crlf": framing(b"Hi there!\r\n7\r\n-3\r\n\r\n"),
    "underscores": framing(b"Hi\n+0_07\n1_000_000\n1__0\n_1\n1_\n0_0\n0_\n"),
    "whitespace": framing(b"Hi\n \t\x0b\x0c 7 \r\n \t\n\r\n\x0b\x0c\n\x1c5\n5\x85\n"),
    "signs": framing(b"Hi\n-0\n+5\n-12\n- 5\n+-1\n--1\n+\n-\n-_1\n"),
    "non_ascii": framing(b"Hi\n\xff\xfe\n\xd9\xa1\xd9\xa2\n\xef\xbc\x91\n\xc2\xa05\n"),
    "nul": framing(b"Hi\n1\x002\n\x00\n5\x00\n\x00"),
    "quotes": framing(b"Hi\nit's\n\"'\n\\\n\"\n'\n"),
    "long_repr": framing(b"Hi\n" + b"x'" * 150 + b"\n" + b"\x80" * 90 + b"\n"),
    "long_digits": framing(b"Hi\n" + b"1" * 100 + b"\n" + b"9" * 101 + b"\n" + b"0" * 200 + b"7\n"),
    "int64_limits": framing(b"Hi\n9223372036854775807\n-9223372036854775808\n"
                            b"9223372036854775808\n18446744073709551615\n18446744073709551616\n"),
    "digits_19_20": framing(b"Hi\n9999999999999999999\n10000000000000000000\n"
                            b"-9999999999999999999\n00000000000000000000001\n"),
    "empty_lines": framing(b"\n\n\n5\n"),
    "output_limit": framing(b"Hi\n" + b"\n" * 3000 + b"5\n", [(REST, after(3))]),
    "eof_partial": framing(b"Hi\n5", [(REST, 0)]),
    "unterminated_greeting": framing(b"Hi there!", [(REST, IDLE | ALL)]),
    "split_line": framing(b"Hi\n1234\n", [(3, ALL), (2, IDLE), (3, ALL)]),
    "void_speculation": framing(b"Hi\n12\n", [(3, ALL), (1, IDLE), (1, before(1)), (1, ALL)]),
    "speculation_then_newline": framing(b"Hi\n5\n", [(4, IDLE | ALL), (1, ALL)]),
    "no_drain": framing(b"Hi\n1\n2\n3\n4", [(2, NO_DRAIN), (3, NO_DRAIN | IDLE), (REST, ALL)]),
    "too_long_small": framing(b"Hi\n" + b"1" * 30 + b"\n5\n", mode=SMALL_MESSAGES),
    "too_long_partial": framing(b"Hi\n7\n" + b"3" * 40, [(6, 0), (30, IDLE), (REST, ALL)],
                                mode=SMALL_MESSAGES),
    "too_long_default": framing(b"Hi\n" + b"8" * 1100 + b"\n", [(REST, 0)]),
    "pending_limit": framing(b"Hi\n1\n2\n3\n4\n5\n6\nx\n7", [(REST, 0), (1, ALL)],
                             mode=SMALL_PENDING),
    "core_rejects": framing(b"Hi\n1\n" + b"2" * 31 + b"\n3\n" + b"4" * 40,
                            [(REST, IDLE | after(1)), (1, ALL)], mode=SMALL_CORE),
    "core_deadline": framing(b"Hi\n5\n6\n7", [(5, DEADLINE), (4, IDLE | DEADLINE), (1, ALL)],
                             mode=DEADLINES),
    "abort": framing(b"Hi\n5\n6\n7\n", [(5, 0), (4, ABORT)], mode=ABORTS),
    "abort_before_greeting": framing(b"Hi", [(2, ABORT)], mode=ABORTS),
    "everything": framing(b"Hi there!\r\n1_0\n-0\n\xff\n" + b"9" * 25 + b"\n12",
                          [(3, IDLE | before(2)), (7, NO_DRAIN | after(2)), (1, IDLE | DEADLINE),
                           (5, ALL)],
                          mode=SMALL_PENDING | SMALL_CORE | DEADLINES),
}

SQUARE = {
    "zero": b"0",
    "minus_zero": b"-0",
    "plus_zero": b"+0",
    "five": b"5",
    "minus_five": b"-5",
    "leading_zeros": b"000123",
    "many_leading_zeros": b"0" * 250 + b"42",
    "int64_max": b"9223372036854775807",
    "int64_min": b"-9223372036854775808",
    "int64_max_plus_one": b"9223372036854775808",
    "uint64_max": b"18446744073709551615",
    "uint64_max_plus_one": b"18446744073709551616",
    "nines_19": b"9" * 19,
    "ten_pow_19": b"1" + b"0" * 19,
    "nines_20": b"-" + b"9" * 20,
    "digits_50": b"1234567890" * 5,
    "digits_51": b"+" + b"1234567890" * 5 + b"1",
    "digits_300": b"9" * 300,
    "empty": b"",
    "plus": b"+",
    "minus": b"-",
    "trailing_garbage": b"1x",
    "space": b" 1",
    "underscore": b"1_000",
    "double_sign": b"++1",
    "non_ascii": b"\xff\xd9\xa1",
    "nul": b"1\x00",
    "int64_min_binary": struct.pack("<q", -2**63),
    "int64_max_binary": struct.pack("<q", 2**63 - 1),
    "minus_one_binary": struct.pack("<q", -1),
    "digits_8": b"12345678",
}


def write(directory, seeds):
    path = HERE / "corpus" / directory
    path.mkdir(parents=True, exist_ok=True)
    for old in path.iterdir():
        old.unlink()
    for name, data in seeds.items():
        (path / name).write_bytes(data)


write("framing_int", FRAMING)
write("square", SQUARE)
