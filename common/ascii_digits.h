// How many of a text's first bytes are ASCII digits, eight bytes per step.
// Both processes check every decimal they are given this way: the bridge each
// message a client sends (python_int.cc), the core each number it squares
// (square_math.cc). A byte-at-a-time loop cost the bridge 17 instructions per
// digit, half its work on a 4,000-digit message (docs/performance.md, "Long
// numbers: the digits checked eight at a time").
#ifndef SOCKRPC_COMMON_ASCII_DIGITS_H_
#define SOCKRPC_COMMON_ASCII_DIGITS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace sockrpc {

// Whether all eight bytes of `chunk` (loaded in memory order) are '0'..'9':
// each byte's high nibble is 3, and adding 6 to it does not carry into the
// high nibble (which it does for ':' to '?'). Only a byte of 0xfa or more
// carries into the next one, and such a byte already fails.
inline bool EightAsciiDigits(uint64_t chunk) {
  constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0ULL;
  constexpr uint64_t kThrees = 0x3333333333333333ULL;
  constexpr uint64_t kSixes = 0x0606060606060606ULL;
  return ((chunk & kHighNibbles) | (((chunk + kSixes) & kHighNibbles) >> 4)) == kThrees;
}

// The length of the longest prefix of `text` made of ASCII digits only.
inline size_t LeadingAsciiDigits(absl::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, text.data() + i, sizeof chunk);
    if (!EightAsciiDigits(chunk)) break;
  }
  while (i < text.size() && static_cast<unsigned char>(text[i] - '0') < 10) ++i;
  return i;
}

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_ASCII_DIGITS_H_
