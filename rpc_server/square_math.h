// Exact squares of integers of any size, as decimal text. Pure: no I/O.
//
// Integers whose magnitude fits in 64 bits are squared with 128-bit machine
// arithmetic (the fast path); larger ones with GMP. Either way the answer is
// exact, never rounded or overflowed.
#ifndef SOCKRPC_RPC_SERVER_SQUARE_MATH_H_
#define SOCKRPC_RPC_SERVER_SQUARE_MATH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace sockrpc {

// Python's default limit for int/str conversion; the server's default limit.
inline constexpr size_t kDefaultMaxDigits = 4300;

// The exact square of `value` in decimal. Cannot fail.
std::string SquareOfInt64(int64_t value);

// The exact square of the integer written in `decimal`: an optional '+' or
// '-' followed by one or more ASCII digits, leading zeros allowed, nothing
// else (no spaces, no underscores). Errors:
//   INVALID_ARGUMENT  the text is not such an integer;
//   OUT_OF_RANGE      it has more than `max_digits` significant digits
//                     (leading zeros do not count).
absl::StatusOr<std::string> SquareOfDecimal(absl::string_view decimal, size_t max_digits);

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SQUARE_MATH_H_
