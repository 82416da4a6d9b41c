#include "legacy_bridge/protocol/python_int.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "legacy_bridge/protocol/bytes_repr.h"

namespace sockrpc {
namespace {

using namespace std::string_literals;  // "\0"s keeps embedded NULs

constexpr absl::string_view kPrefix = "invalid literal for int() with base 10: ";

// "OK <value>" or "ERR <message>", the shape the Python cross-check prints.
std::string Outcome(absl::string_view bytes) {
  const absl::StatusOr<std::string> parsed = ParsePythonInt(bytes);
  if (parsed.ok()) return absl::StrCat("OK ", *parsed);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return absl::StrCat("ERR ", parsed.status().message());
}

struct ValidCase {
  std::string input;
  std::string canonical;
};

TEST(ParsePythonIntTest, AcceptsAndCanonicalizes) {
  const std::vector<ValidCase> cases = {
      {"0", "0"},
      {"7", "7"},
      {"42", "42"},
      {"+42", "42"},
      {"-42", "-42"},
      {"007", "7"},
      {"000", "0"},
      {"-0", "0"},
      {"+0", "0"},
      {"-000", "0"},
      {"-0_0", "0"},
      {"-007", "-7"},
      {"1_000", "1000"},
      {"0_1", "1"},
      {"0_0_1_0", "10"},
      {"1_2_3_4", "1234"},
      {"-1_000_000", "-1000000"},
      {" 1", "1"},
      {"1 ", "1"},
      {" \t\n\v\f\r-12 \t\n\v\f\r", "-12"},
      {"\x0b" "5" "\x0c", "5"},
      {"\r\n99\r\n", "99"},
      {"123456789012345678901234567890123456789012345678901234567890",
       "123456789012345678901234567890123456789012345678901234567890"},
      {"-00000000000000000000000000000000000000000000000000000000000000001", "-1"},
      {"18446744073709551616", "18446744073709551616"},
      {"-9223372036854775809", "-9223372036854775809"},
  };
  for (const ValidCase& c : cases) {
    SCOPED_TRACE(PythonBytesRepr(c.input));
    const absl::StatusOr<std::string> parsed = ParsePythonInt(c.input);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, c.canonical);
  }
}

TEST(ParsePythonIntTest, RejectsWithPythonsMessage) {
  // Input bytes and the repr Python puts in the message.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "b''"},
      {" ", "b' '"},
      {" \t\n\v\f\r", "b' \\t\\n\\x0b\\x0c\\r'"},
      {"+", "b'+'"},
      {"-", "b'-'"},
      {" - ", "b' - '"},
      {"1 2", "b'1 2'"},
      {"- 1", "b'- 1'"},
      {"+ 1", "b'+ 1'"},
      {"--1", "b'--1'"},
      {"++1", "b'++1'"},
      {"+-1", "b'+-1'"},
      {"-+1", "b'-+1'"},
      {"1-", "b'1-'"},
      {"0x10", "b'0x10'"},
      {"0b1", "b'0b1'"},
      {"0o7", "b'0o7'"},
      {"1.0", "b'1.0'"},
      {"1.", "b'1.'"},
      {".5", "b'.5'"},
      {"1e3", "b'1e3'"},
      {"abc", "b'abc'"},
      {"_1", "b'_1'"},
      {"1_", "b'1_'"},
      {"1__0", "b'1__0'"},
      {"-_1", "b'-_1'"},
      {"+_1", "b'+_1'"},
      {"_", "b'_'"},
      {"1_ ", "b'1_ '"},
      {"1 _0", "b'1 _0'"},
      {"\0"s, "b'\\x00'"},
      {"1\0"s, "b'1\\x00'"},
      {"\0" "1"s, "b'\\x001'"},
      {"1\0" "2"s, "b'1\\x002'"},
      {"1 \0"s, "b'1 \\x00'"},
      {"\x1c" "1", "b'\\x1c1'"},
      {"1\x1f", "b'1\\x1f'"},
      {"\x85" "1", "b'\\x851'"},
      {"1\xa0", "b'1\\xa0'"},
      {"\xff", "b'\\xff'"},
      {"\xd9\xa1", "b'\\xd9\\xa1'"},  // U+0661 ARABIC-INDIC ONE in UTF-8
      {"\xef\xbc\x91", "b'\\xef\\xbc\\x91'"},  // U+FF11 FULLWIDTH ONE
      {"1\x7f", "b'1\\x7f'"},
      {"'1'", "b\"'1'\""},
      {"\"1\"", "b'\"1\"'"},
      {"'\"", "b'\\'\"'"},
      {"\\1", "b'\\\\1'"},
      {"\x7f", "b'\\x7f'"},
      {"1\x08", "b'1\\x08'"},
  };
  for (const auto& [input, repr] : cases) {
    SCOPED_TRACE(repr);
    const absl::StatusOr<std::string> parsed = ParsePythonInt(input);
    ASSERT_FALSE(parsed.ok()) << *parsed;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), absl::StrCat(kPrefix, repr));
  }
}

TEST(ParsePythonIntTest, MessageTruncatesReprTo200Characters) {
  // 250 letters: repr would be 253 characters; Python keeps the first 200.
  const std::string letters(250, 'a');
  EXPECT_EQ(ParsePythonInt(letters).status().message(),
            absl::StrCat(kPrefix, "b'", std::string(198, 'a')));

  // Exactly 197 bytes: repr is 200 characters and survives whole.
  const std::string fits = std::string(196, '1') + "x";
  EXPECT_EQ(ParsePythonInt(fits).status().message(),
            absl::StrCat(kPrefix, "b'", fits, "'"));

  // 198 bytes: the closing quote is cut.
  const std::string cut = std::string(197, '1') + "x";
  EXPECT_EQ(ParsePythonInt(cut).status().message(), absl::StrCat(kPrefix, "b'", cut));

  // Escapes can be cut in the middle: 198 = 49 * 4 + 2 leaves "\x".
  const std::string high(100, '\xff');
  std::string expected = "b'";
  for (int i = 0; i < 49; ++i) expected += "\\xff";
  expected += "\\x";
  EXPECT_EQ(ParsePythonInt(high).status().message(), absl::StrCat(kPrefix, expected));
}

TEST(ParsePythonIntTest, MessageQuoteDependsOnFirst200BytesOnly) {
  // CPython reprs bytes[:200]: a '"' beyond byte 200 does not count, so the
  // message uses double quotes although repr(bytes) would not.
  const std::string input = "'" + std::string(250, '1') + "\"";
  ASSERT_EQ(PythonBytesRepr(input).substr(0, 3), "b'\\");
  EXPECT_EQ(ParsePythonInt(input).status().message(),
            absl::StrCat(kPrefix, "b\"'", std::string(197, '1')));
}

TEST(ParsePythonIntTest, LargeInputs) {
  // 1 MiB of digits with underscores and padding: linear, and exact.
  std::string input = "  -000";
  std::string expected = "-";
  for (int i = 0; input.size() < (1u << 20); ++i) {
    const char digit = static_cast<char>('1' + i % 9);
    input += digit;
    input += '_';
    input += '0';
    expected += digit;
    expected += '0';
  }
  input += "\n";
  const absl::StatusOr<std::string> parsed = ParsePythonInt(input);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, expected);

  // A bad byte at the very end of 1 MiB still gives a 200-character repr.
  std::string bad(1u << 20, '9');
  bad.back() = 'x';
  const absl::StatusOr<std::string> rejected = ParsePythonInt(bad);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().message(),
            absl::StrCat(kPrefix, "b'", std::string(198, '9')));

  EXPECT_EQ(Outcome(std::string(1u << 20, '0')), "OK 0");
}


TEST(ParsePythonIntTest, DigitsOnlyAndMixedLiteralsAgree) {
  // The digits-only path (no underscore) and the general one give the same
  // value, whatever the sign, the padding and the leading zeros.
  const std::string digits = "1234567890123456789012345678901234567890";
  for (const std::string sign : {"", "+", "-"}) {
    for (const std::string zeros : {"", "0", "00000000000"}) {
      const std::string plain = absl::StrCat(" ", sign, zeros, digits, "\r\n");
      const std::string underscored = absl::StrCat(sign, zeros, "1_", digits.substr(1));
      const std::string expected = absl::StrCat(sign == "-" ? "-" : "", digits);
      EXPECT_EQ(Outcome(plain), absl::StrCat("OK ", expected)) << plain;
      EXPECT_EQ(Outcome(underscored), absl::StrCat("OK ", expected)) << underscored;
    }
    EXPECT_EQ(Outcome(absl::StrCat(sign, "000000000000")), "OK 0");
    EXPECT_EQ(Outcome(absl::StrCat(sign, "0_0")), "OK 0");
  }
  // A bad byte after many digits, in a chunk of eight and in the tail.
  for (const size_t offset : {size_t{8}, size_t{13}, size_t{39}}) {
    std::string bad = digits;
    bad[offset] = '.';
    EXPECT_EQ(Outcome(bad), absl::StrCat("ERR ", kPrefix, "b'", bad, "'"));
  }
}
TEST(PythonBytesReprTest, QuotingAndEscapes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "b''"},
      {"abc", "b'abc'"},
      {" ~", "b' ~'"},
      {"'", "b\"'\""},
      {"\"", "b'\"'"},
      {"'\"", "b'\\'\"'"},
      {"it's", "b\"it's\""},
      {"say \"it's\"", "b'say \"it\\'s\"'"},
      {"\\", "b'\\\\'"},
      {"\\'", "b\"\\\\'\""},
      {"\t\n\r", "b'\\t\\n\\r'"},
      {"\0\x01\x0b\x0c\x1b\x1f"s, "b'\\x00\\x01\\x0b\\x0c\\x1b\\x1f'"},
      {"\x7f\x80\xa0\xab\xff", "b'\\x7f\\x80\\xa0\\xab\\xff'"},
      {"\xc3\xa9", "b'\\xc3\\xa9'"},
      {"a\0b"s, "b'a\\x00b'"},
  };
  for (const auto& [input, repr] : cases) {
    EXPECT_EQ(PythonBytesRepr(input), repr);
  }
}

TEST(PythonBytesReprTest, EveryByteValue) {
  for (int b = 0; b < 256; ++b) {
    const std::string input(1, static_cast<char>(b));
    const std::string repr = PythonBytesRepr(input);
    SCOPED_TRACE(b);
    if (b == '\'') {
      EXPECT_EQ(repr, "b\"'\"");
    } else if (b == '\\') {
      EXPECT_EQ(repr, "b'\\\\'");
    } else if (b == '\t' || b == '\n' || b == '\r') {
      EXPECT_EQ(repr.size(), 5u);
    } else if (b < 0x20 || b >= 0x7f) {
      EXPECT_EQ(repr, absl::StrCat("b'\\x", absl::BytesToHexString(input), "'"));
    } else {
      EXPECT_EQ(repr, absl::StrCat("b'", input, "'"));
    }
  }
}

// Byte strings biased toward int-like content, from a fixed seed. Uses the
// engine's raw output so the sequence is the same with any standard library.
std::vector<std::string> RandomInputs() {
  std::mt19937 random(20260121);
  const auto below = [&random](uint32_t n) { return static_cast<size_t>(random() % n); };
  constexpr absl::string_view kDigits = "0123456789";
  const std::string kOdd = " \t\n\v\f\r\x1c\x1f\x85\xa0\xff\0x._+-'\"\\eE"s;
  const std::string kSpace = " \t\n\v\f\r";

  std::vector<std::string> inputs;
  for (int n = 0; n < 4000; ++n) {
    std::string s;
    const size_t length = below(41);
    if (below(2) == 0) {
      // Well-formed skeleton (whitespace, sign, digit groups, whitespace),
      // then maybe a few mutations.
      while (below(3) == 0) s += kSpace[below(static_cast<uint32_t>(kSpace.size()))];
      if (below(3) == 0) s += below(2) ? '-' : '+';
      while (s.size() < length) {
        s += kDigits[below(10)];
        if (below(5) == 0) s += '_';
      }
      if (!s.empty() && s.back() == '_') s.pop_back();
      while (below(3) == 0) s += kSpace[below(static_cast<uint32_t>(kSpace.size()))];
      for (size_t m = below(3); m > 0 && !s.empty(); --m) {
        const size_t at = below(static_cast<uint32_t>(s.size()));
        switch (below(3)) {
          case 0: s[at] = kOdd[below(static_cast<uint32_t>(kOdd.size()))]; break;
          case 1: s.insert(at, 1, kOdd[below(static_cast<uint32_t>(kOdd.size()))]); break;
          default: s.erase(at, 1); break;
        }
      }
    } else {
      // Soup: mostly digits, often punctuation, sometimes any byte.
      for (size_t i = 0; i < length; ++i) {
        const size_t kind = below(10);
        if (kind < 5) {
          s += kDigits[below(10)];
        } else if (kind < 9) {
          s += kOdd[below(static_cast<uint32_t>(kOdd.size()))];
        } else {
          s += static_cast<char>(below(256));
        }
      }
    }
    inputs.push_back(std::move(s));
  }
  // Long ones around the 200-byte cut of the error message, including a
  // quote choice that only the first 200 bytes decide.
  for (size_t length : {196u, 197u, 198u, 199u, 200u, 201u, 202u, 260u}) {
    inputs.push_back(std::string(length, '7'));
    inputs.push_back(std::string(length, '7') + "x");
    inputs.push_back("'" + std::string(length, '7') + "\"");
    inputs.push_back(std::string(length, '\xff'));
    inputs.push_back(std::string(length / 2, '5') + "__" + std::string(length / 2, '5'));
  }
  return inputs;
}

// Runs real Python over `inputs`; two lines per input: the outcome of
// int(bytes) and "REPR <repr(bytes)>".
std::vector<std::string> PythonOutcomes(const std::vector<std::string>& inputs) {
  const std::string path =
      absl::StrCat(testing::TempDir(), "/python_int_inputs_", ::getpid(), ".txt");
  {
    std::ofstream file(path);
    for (const std::string& input : inputs) file << absl::BytesToHexString(input) << "\n";
  }
  // No single quotes in the script: the shell quotes it with them.
  const std::string command = absl::StrCat(
      "/usr/bin/python3 -c '\n"
      "import sys\n"
      "sys.set_int_max_str_digits(0)\n"
      "for line in open(sys.argv[1]):\n"
      "    b = bytes.fromhex(line.strip())\n"
      "    try:\n"
      "        print(\"OK\", int(b))\n"
      "    except ValueError as e:\n"
      "        print(\"ERR\", e)\n"
      "    print(\"REPR\", repr(b))\n"
      "' '",
      path, "'");
  std::vector<std::string> lines;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed";
    return lines;
  }
  std::string line;
  for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe)) {
    if (c == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  EXPECT_EQ(::pclose(pipe), 0) << "python3 failed";
  std::remove(path.c_str());
  return lines;
}

TEST(PythonIntCrossCheckTest, AgreesWithPython3OnRandomBytes) {
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  const std::vector<std::string> inputs = RandomInputs();
  const std::vector<std::string> lines = PythonOutcomes(inputs);
  ASSERT_EQ(lines.size(), 2 * inputs.size());

  size_t accepted = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& input = inputs[i];
    const std::string outcome = Outcome(input);
    if (outcome.starts_with("OK ")) ++accepted;
    EXPECT_EQ(outcome, lines[2 * i]) << "input hex " << absl::BytesToHexString(input);
    EXPECT_EQ(absl::StrCat("REPR ", PythonBytesRepr(input)), lines[2 * i + 1])
        << "input hex " << absl::BytesToHexString(input);
  }
  // The generator is meant to exercise both outcomes substantially.
  EXPECT_GT(accepted, inputs.size() / 5);
  EXPECT_LT(accepted, inputs.size() * 4 / 5);
}

}  // namespace
}  // namespace sockrpc
