#include "legacy_bridge/protocol/bytes_repr.h"

namespace sockrpc {

std::string PythonBytesRepr(absl::string_view bytes) {
  // CPython's bytes_repr picks the quote the same way.
  const bool double_quote = bytes.find('\'') != absl::string_view::npos &&
                            bytes.find('"') == absl::string_view::npos;
  const char quote = double_quote ? '"' : '\'';
  constexpr absl::string_view kHex = "0123456789abcdef";

  std::string repr;
  repr.reserve(bytes.size() + 3);
  repr.push_back('b');
  repr.push_back(quote);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      repr.push_back('\\');
      repr.push_back(c);
    } else if (c == '\t') {
      repr.append("\\t");
    } else if (c == '\n') {
      repr.append("\\n");
    } else if (c == '\r') {
      repr.append("\\r");
    } else if (byte < 0x20 || byte >= 0x7f) {
      repr.append("\\x");
      repr.push_back(kHex[byte >> 4]);
      repr.push_back(kHex[byte & 0xf]);
    } else {
      repr.push_back(c);
    }
  }
  repr.push_back(quote);
  return repr;
}

}  // namespace sockrpc
