#include "rpc_server/square_math.h"

#include <gmp.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/ascii_digits.h"

namespace sockrpc {
namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr uint64_t kTenPow19 = 10'000'000'000'000'000'000ULL;
// 19 decimal digits always fit in 64 bits (10^19 - 1 < 2^64), and the square of
// a 64-bit magnitude always fits in 128 bits.
constexpr size_t kFastPathMaxDigits = 19;
// How much of a rejected input an error message quotes.
constexpr size_t kQuotedInputLimit = 48;

void AppendUint64(uint64_t value, std::string* out) { absl::StrAppend(out, value); }

std::string Uint128ToDecimal(Uint128 value) {
  std::string out;
  const auto high = static_cast<uint64_t>(value / kTenPow19);
  const auto low = static_cast<uint64_t>(value % kTenPow19);
  if (high == 0) {
    AppendUint64(low, &out);
  } else {
    // high < 10^19 too, since value < 2^128 < 10^39.
    AppendUint64(high, &out);
    const std::string low_digits = absl::StrCat(low);
    out.append(19 - low_digits.size(), '0');
    out += low_digits;
  }
  return out;
}

std::string SquareOfMagnitude(uint64_t magnitude) {
  return Uint128ToDecimal(static_cast<Uint128>(magnitude) * magnitude);
}

std::string Quote(absl::string_view text) {
  if (text.size() <= kQuotedInputLimit) return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kQuotedInputLimit)), "\"... (",
                      text.size(), " bytes)");
}

// Squares a magnitude given as ASCII digits with no leading zeros.
std::string SquareOfBigMagnitude(absl::string_view digits) {
  const std::string terminated(digits);  // GMP reads NUL-terminated text
  mpz_t number;
  mpz_init(number);
  mpz_set_str(number, terminated.c_str(), 10);
  mpz_mul(number, number, number);
  // mpz_sizeinbase may overstate by one; room for the NUL as well.
  std::string out(mpz_sizeinbase(number, 10) + 1, '\0');
  mpz_get_str(out.data(), 10, number);
  out.resize(std::strlen(out.c_str()));
  mpz_clear(number);
  return out;
}

}  // namespace

std::string SquareOfInt64(int64_t value) {
  // Negating in unsigned arithmetic keeps INT64_MIN exact.
  const uint64_t magnitude =
      value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  return SquareOfMagnitude(magnitude);
}

absl::StatusOr<std::string> SquareOfDecimal(absl::string_view decimal, size_t max_digits) {
  absl::string_view digits = decimal;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  if (digits.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decimal ", Quote(decimal), " is not an integer: expected digits after an optional sign"));
  }
  const size_t bad = LeadingAsciiDigits(digits);
  if (bad != digits.size()) {
    const size_t offset = bad + (decimal.size() - digits.size());
    return absl::InvalidArgumentError(absl::StrFormat(
        "decimal %s is not an integer: unexpected %s at offset %d (expected an optional sign and "
        "ASCII digits only)",
        Quote(decimal), Quote(decimal.substr(offset, 1)), offset));
  }
  const size_t first_significant = std::min(digits.find_first_not_of('0'), digits.size());
  digits.remove_prefix(first_significant);
  if (digits.size() > max_digits) {
    return absl::OutOfRangeError(absl::StrCat("decimal has ", digits.size(),
                                              " significant digits; this server squares at most ",
                                              max_digits));
  }
  if (digits.size() <= kFastPathMaxDigits) {
    uint64_t magnitude = 0;
    for (const char digit : digits) magnitude = magnitude * 10 + static_cast<uint64_t>(digit - '0');
    return SquareOfMagnitude(magnitude);
  }
  return SquareOfBigMagnitude(digits);
}

}  // namespace sockrpc
