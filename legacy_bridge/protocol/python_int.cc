#include "legacy_bridge/protocol/python_int.h"

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/ascii_digits.h"
#include "legacy_bridge/protocol/bytes_repr.h"

namespace sockrpc {
namespace {

// Py_ISSPACE: ASCII whitespace only. Not \x1c-\x1f (str.isspace() would take
// those), not \x85 or \xa0.
bool IsPythonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status InvalidLiteral(absl::string_view bytes) {
  // _PyLong_FromBytes: repr(bytes[:200]) formatted with %.200R.
  constexpr size_t kLimit = 200;
  std::string repr = PythonBytesRepr(bytes.substr(0, kLimit));
  if (repr.size() > kLimit) repr.resize(kLimit);
  return absl::InvalidArgumentError(
      absl::StrCat("invalid literal for int() with base 10: ", repr));
}

}  // namespace

absl::StatusOr<std::string> ParsePythonInt(absl::string_view bytes) {
  // Whitespace is never part of the literal, so trimming both ends first is
  // the same as CPython's forward scan. An embedded NUL stops CPython's scan
  // early; here it simply fails the checks below.
  size_t begin = 0;
  size_t end = bytes.size();
  while (begin < end && IsPythonSpace(bytes[begin])) ++begin;
  while (end > begin && IsPythonSpace(bytes[end - 1])) --end;
  absl::string_view body = bytes.substr(begin, end - begin);

  bool negative = false;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }

  if (body.empty() || !IsDigit(body.front())) return InvalidLiteral(bytes);
  // Digits only, the common case: the literal is the digits from the first
  // non-zero one on.
  if (LeadingAsciiDigits(body) == body.size()) {
    const size_t first_significant = body.find_first_not_of('0');
    if (first_significant == absl::string_view::npos) return std::string("0");
    body.remove_prefix(first_significant);
    return negative ? absl::StrCat("-", body) : std::string(body);
  }

  // Otherwise one pass to validate and count the digits that survive: those
  // from the first non-zero one on.
  size_t first_significant = body.size();
  size_t significant_digits = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (IsDigit(c)) {
      if (first_significant == body.size() && c != '0') first_significant = i;
      if (first_significant != body.size()) ++significant_digits;
    } else if (c == '_') {
      // Preceded by a digit (the first byte is one, and "__" fails here),
      // and it must be followed by one.
      if (i + 1 == body.size() || !IsDigit(body[i + 1])) return InvalidLiteral(bytes);
    } else {
      return InvalidLiteral(bytes);
    }
  }
  if (significant_digits == 0) return std::string("0");

  std::string text;
  text.reserve(significant_digits + (negative ? 1 : 0));
  if (negative) text.push_back('-');
  // Copy the runs between underscores whole.
  absl::string_view rest = body.substr(first_significant);
  for (size_t underscore = rest.find('_'); underscore != absl::string_view::npos;
       underscore = rest.find('_')) {
    text.append(rest.data(), underscore);
    rest.remove_prefix(underscore + 1);
  }
  text.append(rest.data(), rest.size());
  return text;
}

}  // namespace sockrpc
