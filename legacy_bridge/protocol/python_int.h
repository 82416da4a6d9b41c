// Python 3's int(bytes_object) in base 10, as the legacy servers applied it to
// the raw bytes a client sent: accepted literals, their value as canonical
// decimal text, and the exact ValueError text for everything else. Pure.
#ifndef SOCKRPC_LEGACY_BRIDGE_PROTOCOL_PYTHON_INT_H_
#define SOCKRPC_LEGACY_BRIDGE_PROTOCOL_PYTHON_INT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

// Parses `bytes` exactly as Python 3's int(bytes_object) with base 10 does
// (CPython's PyLong_FromString on the raw bytes): optional ASCII whitespace
// (space, \t, \n, \v, \f, \r only) around an optional '+' or '-' followed
// directly by ASCII digits, with single underscores allowed between digits.
// Returns the canonical decimal text of the integer: "-" only for non-zero
// negatives, no leading zeros, no underscores, "0" for zero. Any size (no
// digit limit here). Linear time.
//
// Otherwise returns InvalidArgumentError with the text Python would give:
// "invalid literal for int() with base 10: b'abc'". Like CPython, the repr is
// of the first 200 bytes only and is then cut to 200 characters (%.200R), so
// its quote character depends on those 200 bytes alone.
absl::StatusOr<std::string> ParsePythonInt(absl::string_view bytes);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_PROTOCOL_PYTHON_INT_H_
