// libFuzzer target: the core's exact squares (rpc_server/square_math.h)
// against a schoolbook square over decimal digit strings (models.h).
//
// The input is the decimal text (cut to kMaxTextBytes so the O(n^2) model
// stays fast). It is squared with the server's default digit limit, with a
// small limit (kSmallMaxDigits), and right at its own number of significant
// digits (accepted) and one below (OUT_OF_RANGE); errors are classified
// (INVALID_ARGUMENT before OUT_OF_RANGE). The first 8 bytes, when there are
// 8, are also an int64 for SquareOfInt64; and a valid text whose value fits
// in an int64 must square the same through both functions.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fuzz/models.h"
#include "rpc_server/square_math.h"

namespace {

using sockrpc_fuzz::Fail;
using sockrpc_fuzz::ModelSquareResult;
using sockrpc_fuzz::Visible;

constexpr size_t kMaxTextBytes = 320;
constexpr size_t kDefaultMaxDigits = 4300;
constexpr size_t kSmallMaxDigits = 50;

const char* KindName(ModelSquareResult::Kind kind) {
  switch (kind) {
    case ModelSquareResult::kOk:
      return "ok";
    case ModelSquareResult::kInvalid:
      return "INVALID_ARGUMENT";
    case ModelSquareResult::kOutOfRange:
      return "OUT_OF_RANGE";
  }
  return "?";
}

std::string Describe(const absl::StatusOr<std::string>& got) {
  if (got.ok()) return "ok \"" + *got + "\"";
  return got.status().ToString();
}

// SquareOfDecimal(text, max_digits) against the model; returns the model's view.
ModelSquareResult CheckSquareOfDecimal(const std::string& text, size_t max_digits) {
  const ModelSquareResult want = sockrpc_fuzz::ModelSquareOfDecimal(text, max_digits);
  const absl::StatusOr<std::string> got =
      sockrpc::SquareOfDecimal(absl::string_view(text.data(), text.size()), max_digits);
  bool same = false;
  switch (want.kind) {
    case ModelSquareResult::kOk:
      same = got.ok() && *got == want.square;
      break;
    case ModelSquareResult::kInvalid:
      same = !got.ok() && got.status().code() == absl::StatusCode::kInvalidArgument &&
             absl::string_view(got.status().message()).substr(0, 8) == "decimal ";
      break;
    case ModelSquareResult::kOutOfRange: {
      // The message names the number of significant digits and the limit.
      const std::string count =
          "decimal has " + std::to_string(want.significant_digits) + " significant digits";
      const std::string limit = "at most " + std::to_string(max_digits);
      same = !got.ok() && got.status().code() == absl::StatusCode::kOutOfRange &&
             got.status().message().find(count) != absl::string_view::npos &&
             got.status().message().find(limit) != absl::string_view::npos;
      break;
    }
  }
  if (!same) {
    Fail("SquareOfDecimal(\"" + Visible(text) + "\", " + std::to_string(max_digits) +
         ")\n  production: " + Describe(got) + "\n  model:      " + KindName(want.kind) + " \"" +
         want.square + "\"");
  }
  return want;
}

void CheckSquareOfInt64(int64_t value) {
  const std::string want =
      sockrpc_fuzz::SchoolbookSquare(sockrpc_fuzz::Int64MagnitudeDigits(value));
  const std::string got = sockrpc::SquareOfInt64(value);
  if (got != want) {
    Fail("SquareOfInt64(" + std::to_string(value) + ")\n  production: " + got +
         "\n  model:      " + want);
  }
}

// The int64 written in `text` (already known to be a valid decimal), if it fits.
bool ParseInt64Model(const std::string& text, int64_t* value) {
  bool negative = false;
  std::string digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.erase(0, 1);
  }
  digits = sockrpc_fuzz::WithoutLeadingZeros(digits);
  const std::string limit = negative ? "9223372036854775808" : "9223372036854775807";
  if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) {
    return false;
  }
  // Accumulate towards the sign so that INT64_MIN never overflows.
  int64_t result = 0;
  for (const char c : digits) {
    const int digit = c - '0';
    result = result * 10 + (negative ? -digit : digit);
  }
  *value = result;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data),
                         size < kMaxTextBytes ? size : kMaxTextBytes);

  const ModelSquareResult full = CheckSquareOfDecimal(text, kDefaultMaxDigits);
  const ModelSquareResult small = CheckSquareOfDecimal(text, kSmallMaxDigits);
  if (full.kind == ModelSquareResult::kOutOfRange) Fail("a 320-byte text exceeds 4300 digits?");
  if ((small.kind == ModelSquareResult::kInvalid) != (full.kind == ModelSquareResult::kInvalid)) {
    Fail("the model classifies differently with another limit");
  }
  if (full.kind == ModelSquareResult::kOk) {
    // Exactly at the limit: accepted; one below: out of range.
    CheckSquareOfDecimal(text, full.significant_digits);
    if (full.significant_digits > 0) CheckSquareOfDecimal(text, full.significant_digits - 1);
    int64_t value = 0;
    if (ParseInt64Model(text, &value)) {
      CheckSquareOfInt64(value);
      if (sockrpc::SquareOfInt64(value) != full.square) {
        Fail("SquareOfInt64 and SquareOfDecimal disagree on \"" + Visible(text) + "\"");
      }
    }
  }

  if (size >= 8) {
    int64_t value = 0;
    std::memcpy(&value, data, sizeof value);
    CheckSquareOfInt64(value);
  }
  return 0;
}
