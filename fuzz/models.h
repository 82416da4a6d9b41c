// Reference models for the fuzz targets: simple, slow, obviously correct code
// written independently of the production implementation (which the targets
// compare against these). Nothing here includes a production header.
#ifndef SOCKRPC_FUZZ_MODELS_H_
#define SOCKRPC_FUZZ_MODELS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace sockrpc_fuzz {

// ---- Failing loudly ---------------------------------------------------------

// Prints `text` with every byte visible (printable ASCII as is, the rest \xNN).
inline std::string Visible(const std::string& text, size_t limit = 600) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out.push_back(static_cast<char>(byte));
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
      out += buffer;
    }
  }
  if (text.size() > limit) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "\n==== MODEL MISMATCH ====\n%s\n========================\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---- Decimal digit strings ---------------------------------------------------

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// `digits` (ASCII digits only) without its leading zeros; "0" if nothing is left.
inline std::string WithoutLeadingZeros(const std::string& digits) {
  size_t first = 0;
  while (first < digits.size() && digits[first] == '0') ++first;
  if (first == digits.size()) return "0";
  return digits.substr(first);
}

// The number of significant digits of a string of ASCII digits.
inline size_t SignificantDigits(const std::string& digits) {
  size_t count = 0;
  bool seen_non_zero = false;
  for (const char c : digits) {
    if (c != '0') seen_non_zero = true;
    if (seen_non_zero) ++count;
  }
  return count;
}

// Schoolbook multiplication of a digit string by itself: every digit times
// every digit into column sums, then one carry pass. O(n^2), obviously exact.
inline std::string SchoolbookSquare(const std::string& digits) {
  const std::string a = WithoutLeadingZeros(digits);
  if (a == "0") return "0";
  const size_t n = a.size();
  // columns[k]: sum of the products of digits whose places add up to k
  // (place 0 is the last digit). At most n products of at most 81 each.
  std::vector<uint64_t> columns(2 * n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const auto x = static_cast<uint64_t>(a[n - 1 - i] - '0');
      const auto y = static_cast<uint64_t>(a[n - 1 - j] - '0');
      columns[i + j] += x * y;
    }
  }
  uint64_t carry = 0;
  std::string reversed;
  for (size_t k = 0; k < columns.size(); ++k) {
    const uint64_t total = columns[k] + carry;
    reversed.push_back(static_cast<char>('0' + total % 10));
    carry = total / 10;
  }
  while (carry > 0) {
    reversed.push_back(static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
  return WithoutLeadingZeros(std::string(reversed.rbegin(), reversed.rend()));
}

// The magnitude of an int64 as decimal digits, by repeated division of a
// value that cannot overflow: |v| = -(v + 1) + 1 for negatives.
inline std::string Int64MagnitudeDigits(int64_t value) {
  uint64_t magnitude = 0;
  if (value < 0) {
    magnitude = static_cast<uint64_t>(-(value + 1)) + 1;
  } else {
    magnitude = static_cast<uint64_t>(value);
  }
  if (magnitude == 0) return "0";
  std::string reversed;
  while (magnitude > 0) {
    reversed.push_back(static_cast<char>('0' + magnitude % 10));
    magnitude /= 10;
  }
  return std::string(reversed.rbegin(), reversed.rend());
}

// ---- The core's SquareOfDecimal ---------------------------------------------

struct ModelSquareResult {
  enum Kind { kOk, kInvalid, kOutOfRange } kind = kInvalid;
  std::string square;             // kOk
  size_t significant_digits = 0;  // kOk and kOutOfRange
};

// Optional '+'/'-', then one or more ASCII digits, nothing else; then the
// digit limit on significant digits; then the square.
inline ModelSquareResult ModelSquareOfDecimal(const std::string& text, size_t max_digits) {
  ModelSquareResult result;
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 0 && (c == '+' || c == '-')) continue;
    if (!IsAsciiDigit(c)) return result;  // kInvalid
    digits.push_back(c);
  }
  if (digits.empty()) return result;  // kInvalid
  result.significant_digits = SignificantDigits(digits);
  if (result.significant_digits > max_digits) {
    result.kind = ModelSquareResult::kOutOfRange;
    return result;
  }
  result.kind = ModelSquareResult::kOk;
  result.square = SchoolbookSquare(digits);
  return result;
}

// ---- Python's int(bytes) and repr(bytes) -------------------------------------

inline bool IsPythonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// int(b) in base 10 as a five-state machine over the bytes: the canonical
// decimal text, or nothing when Python raises ValueError.
inline std::optional<std::string> ModelPythonInt(const std::string& bytes) {
  enum class State {
    kLeadingSpace,     // nothing but whitespace so far
    kAfterSign,        // a sign: a digit must follow
    kInDigits,         // the last byte was a digit
    kAfterUnderscore,  // the last byte was '_' (after a digit): a digit must follow
    kTrailingSpace,    // digits, then whitespace: only whitespace may follow
  };
  State state = State::kLeadingSpace;
  bool negative = false;
  std::string digits;
  for (const char c : bytes) {
    switch (state) {
      case State::kLeadingSpace:
        if (IsPythonSpace(c)) break;
        if (c == '+' || c == '-') {
          negative = c == '-';
          state = State::kAfterSign;
        } else if (IsAsciiDigit(c)) {
          digits.push_back(c);
          state = State::kInDigits;
        } else {
          return std::nullopt;
        }
        break;
      case State::kAfterSign:
      case State::kAfterUnderscore:
        if (!IsAsciiDigit(c)) return std::nullopt;
        digits.push_back(c);
        state = State::kInDigits;
        break;
      case State::kInDigits:
        if (IsAsciiDigit(c)) {
          digits.push_back(c);
        } else if (c == '_') {
          state = State::kAfterUnderscore;
        } else if (IsPythonSpace(c)) {
          state = State::kTrailingSpace;
        } else {
          return std::nullopt;
        }
        break;
      case State::kTrailingSpace:
        if (!IsPythonSpace(c)) return std::nullopt;
        break;
    }
  }
  if (state != State::kInDigits && state != State::kTrailingSpace) return std::nullopt;
  const std::string magnitude = WithoutLeadingZeros(digits);
  if (negative && magnitude != "0") return "-" + magnitude;
  return magnitude;
}

// repr(bytes): CPython's bytes_repr.
inline std::string ModelBytesRepr(const std::string& bytes) {
  bool has_single = false;
  bool has_double = false;
  for (const char c : bytes) {
    if (c == '\'') has_single = true;
    if (c == '"') has_double = true;
  }
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out = "b";
  out.push_back(quote);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte >= 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
      out += buffer;
    } else {
      out.push_back(c);
    }
  }
  out.push_back(quote);
  return out;
}

// The ValueError text of int(b): "%.200R" of b[:200].
inline std::string ModelPythonIntError(const std::string& bytes) {
  std::string repr = ModelBytesRepr(bytes.substr(0, 200));
  if (repr.size() > 200) repr = repr.substr(0, 200);
  return "invalid literal for int() with base 10: " + repr;
}

}  // namespace sockrpc_fuzz

#endif  // SOCKRPC_FUZZ_MODELS_H_
