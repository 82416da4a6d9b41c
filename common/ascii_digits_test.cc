#include "common/ascii_digits.h"

#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

uint64_t Chunk(const std::string& eight) {
  uint64_t chunk;
  std::memcpy(&chunk, eight.data(), sizeof chunk);
  return chunk;
}

TEST(AsciiDigitsTest, EightAtATimeAgreesWithOneAtATimeForEveryByte) {
  // Every byte value at every position of an otherwise all-digit chunk, with
  // the neighbours that carry the most ('9') and the least ('0').
  for (const char fill : {'0', '9'}) {
    for (size_t position = 0; position < 8; ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string eight(8, fill);
        eight[position] = static_cast<char>(byte);
        const bool digit = byte >= '0' && byte <= '9';
        EXPECT_EQ(EightAsciiDigits(Chunk(eight)), digit) << "byte " << byte << " at " << position;
      }
    }
  }
}

TEST(AsciiDigitsTest, CountsTheLeadingDigits) {
  EXPECT_EQ(LeadingAsciiDigits(""), 0u);
  EXPECT_EQ(LeadingAsciiDigits("x"), 0u);
  EXPECT_EQ(LeadingAsciiDigits("7"), 1u);
  EXPECT_EQ(LeadingAsciiDigits("0123456789"), 10u);
  // A non-digit at every offset of a text longer than two chunks, so that it
  // falls in a chunk, at a chunk's edge and in the tail.
  for (const size_t length : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{23}, size_t{64}}) {
    const std::string digits(length, '5');
    EXPECT_EQ(LeadingAsciiDigits(digits), length);
    for (size_t bad = 0; bad < length; ++bad) {
      for (const char other : {'/', ':', '_', ' ', '\0', '\xff', '\xfa'}) {
        std::string text = digits;
        text[bad] = other;
        EXPECT_EQ(LeadingAsciiDigits(text), bad) << "length " << length << ", offset " << bad;
      }
    }
  }
}

}  // namespace
}  // namespace sockrpc
