#include "rpc_server/square_math.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

std::string Repeat(char c, size_t n) { return std::string(n, c); }

// Squares computed by an independent implementation: Python's integers.
std::vector<std::string> SquaresFromPython(const std::vector<std::string>& inputs) {
  const std::string path =
      absl::StrCat(testing::TempDir(), "/square_inputs_", ::getpid(), ".txt");
  {
    std::ofstream file(path);
    for (const std::string& input : inputs) file << input << "\n";
  }
  const std::string command = absl::StrCat(
      "/usr/bin/python3 -c 'import sys; sys.set_int_max_str_digits(0); "
      "[print(int(line) ** 2) for line in open(sys.argv[1])]' ",
      path);
  FILE* pipe = ::popen(command.c_str(), "r");
  std::vector<std::string> squares;
  if (pipe == nullptr) return squares;
  std::string line;
  for (int c = std::fgetc(pipe); c != EOF; c = std::fgetc(pipe)) {
    if (c == '\n') {
      squares.push_back(line);
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  EXPECT_EQ(::pclose(pipe), 0) << "python3 failed";
  std::remove(path.c_str());
  return squares;
}

std::string RandomDecimal(std::mt19937_64& random, size_t digits) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> first(1, 9);
  std::string text = (random() & 1) ? "-" : "";
  text.push_back(static_cast<char>('0' + first(random)));
  for (size_t i = 1; i < digits; ++i) text.push_back(static_cast<char>('0' + digit(random)));
  return text;
}

TEST(SquareOfInt64Test, SmallValuesAndSigns) {
  EXPECT_EQ(SquareOfInt64(0), "0");
  EXPECT_EQ(SquareOfInt64(1), "1");
  EXPECT_EQ(SquareOfInt64(-1), "1");
  EXPECT_EQ(SquareOfInt64(12), "144");
  EXPECT_EQ(SquareOfInt64(-12), "144");
  EXPECT_EQ(SquareOfInt64(99), "9801");
}

TEST(SquareOfInt64Test, Int64LimitsAreExact) {
  EXPECT_EQ(SquareOfInt64(std::numeric_limits<int64_t>::max()),
            "85070591730234615847396907784232501249");
  EXPECT_EQ(SquareOfInt64(std::numeric_limits<int64_t>::min()),
            "85070591730234615865843651857942052864");
  EXPECT_EQ(SquareOfInt64(std::numeric_limits<int64_t>::min() + 1),
            "85070591730234615847396907784232501249");
}

TEST(SquareOfInt64Test, SquaresAroundTheTenToTheNineteenSplitAreZeroPadded) {
  // 10^10 squared is 10^20: the low 19 digits are all zeros.
  EXPECT_EQ(SquareOfInt64(10'000'000'000), "100000000000000000000");
  EXPECT_EQ(SquareOfInt64(10'000'000'001), "100000000020000000001");
  EXPECT_EQ(SquareOfInt64(3'162'277'660), "9999999998935075600");  // just under 10^19
  EXPECT_EQ(SquareOfInt64(3'162'277'661), "10000000005259630921");  // just over
}

TEST(SquareOfDecimalTest, AcceptsSignsAndLeadingZeros) {
  EXPECT_EQ(*SquareOfDecimal("5", kDefaultMaxDigits), "25");
  EXPECT_EQ(*SquareOfDecimal("+5", kDefaultMaxDigits), "25");
  EXPECT_EQ(*SquareOfDecimal("-5", kDefaultMaxDigits), "25");
  EXPECT_EQ(*SquareOfDecimal("007", kDefaultMaxDigits), "49");
  EXPECT_EQ(*SquareOfDecimal("-0", kDefaultMaxDigits), "0");
  EXPECT_EQ(*SquareOfDecimal("0000", kDefaultMaxDigits), "0");
}

TEST(SquareOfDecimalTest, FastPathBoundaryAtNineteenAndTwentyDigits) {
  // 19 nines is the largest fast-path magnitude; 20 digits take the GMP path.
  EXPECT_EQ(*SquareOfDecimal("9999999999999999999", kDefaultMaxDigits),
            "99999999999999999980000000000000000001");
  EXPECT_EQ(*SquareOfDecimal("10000000000000000000", kDefaultMaxDigits),
            "100000000000000000000000000000000000000");
  EXPECT_EQ(*SquareOfDecimal("-18446744073709551616", kDefaultMaxDigits),  // 2^64
            "340282366920938463463374607431768211456");
}

TEST(SquareOfDecimalTest, NinesPatternHoldsForBigNumbers) {
  // (10^k - 1)^2 = (k-1 nines) 8 (k-1 zeros) 1.
  for (size_t k : {2U, 19U, 20U, 100U, 1000U, 4300U}) {
    const std::string expected = Repeat('9', k - 1) + "8" + Repeat('0', k - 1) + "1";
    EXPECT_EQ(*SquareOfDecimal(Repeat('9', k), kDefaultMaxDigits), expected) << k;
  }
}

TEST(SquareOfDecimalTest, DigitLimitIsInclusiveAndIgnoresLeadingZeros) {
  const std::string at_limit = "-" + Repeat('7', kDefaultMaxDigits);
  EXPECT_TRUE(SquareOfDecimal(at_limit, kDefaultMaxDigits).ok());
  EXPECT_TRUE(SquareOfDecimal(Repeat('0', 10'000) + Repeat('1', kDefaultMaxDigits),
                              kDefaultMaxDigits).ok());
  const auto over = SquareOfDecimal(Repeat('7', kDefaultMaxDigits + 1), kDefaultMaxDigits);
  ASSERT_EQ(over.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(over.status().message().find("4301 significant digits"), std::string::npos)
      << over.status();
  EXPECT_NE(over.status().message().find("at most 4300"), std::string::npos);
  EXPECT_EQ(SquareOfDecimal("123", 2).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(SquareOfDecimal("0012", 2).ok());
}

TEST(SquareOfDecimalTest, RejectsMalformedText) {
  for (const char* text : {"", "+", "-", " 5", "5 ", "1_000", "1.0", "1e3", "0x10", "--1",
                           "+-1", "12a", "\xd9\xa1", "5\n"}) {
    const auto result = SquareOfDecimal(text, kDefaultMaxDigits);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << '"' << text << '"';
  }
}

TEST(SquareOfDecimalTest, ErrorMessageNamesTheInputAndTheOffendingByte) {
  const auto result = SquareOfDecimal("12a4", kDefaultMaxDigits);
  EXPECT_EQ(result.status().message(),
            "decimal \"12a4\" is not an integer: unexpected \"a\" at offset 2 (expected an "
            "optional sign and ASCII digits only)");
}

TEST(SquareOfDecimalTest, ErrorMessageQuotesOnlyThePrefixOfLongInput) {
  const auto result = SquareOfDecimal(Repeat('x', 100'000), kDefaultMaxDigits);
  EXPECT_LT(result.status().message().size(), 300U);
  EXPECT_NE(result.status().message().find("(100000 bytes)"), std::string::npos);
}

TEST(SquareOfDecimalTest, AgreesWithPythonOnRandomNumbersOfEverySize) {
  std::mt19937_64 random(20261121);
  std::vector<std::string> inputs;
  for (size_t digits = 1; digits <= 60; ++digits) inputs.push_back(RandomDecimal(random, digits));
  for (size_t digits : {100U, 500U, 1000U, 2000U, 4000U, 4299U, 4300U}) {
    inputs.push_back(RandomDecimal(random, digits));
  }
  const std::vector<std::string> expected = SquaresFromPython(inputs);
  ASSERT_EQ(expected.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(*SquareOfDecimal(inputs[i], kDefaultMaxDigits), expected[i]) << inputs[i];
  }
}

TEST(SquareOfInt64Test, AgreesWithPythonOnRandomInt64s) {
  std::mt19937_64 random(7);
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 200; ++i) {
    // Spread over every magnitude, not just the huge ones.
    values.push_back(static_cast<int64_t>(random()) >> (random() % 63));
  }
  std::vector<std::string> inputs;
  for (int64_t value : values) inputs.push_back(absl::StrCat(value));
  const std::vector<std::string> expected = SquaresFromPython(inputs);
  ASSERT_EQ(expected.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(SquareOfInt64(values[i]), expected[i]) << values[i];
  }
}

}  // namespace
}  // namespace sockrpc
