// Python 3's repr() of a bytes object, byte for byte: the legacy servers echo
// it in their error replies, so the bridge must reproduce it exactly. Pure.
#ifndef SOCKRPC_LEGACY_BRIDGE_PROTOCOL_BYTES_REPR_H_
#define SOCKRPC_LEGACY_BRIDGE_PROTOCOL_BYTES_REPR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sockrpc {

// repr(bytes): b'...' or, iff `bytes` holds a ' and no ", b"...". Backslash
// and the quote in use are escaped with a backslash; \t, \n, \r by name; other
// bytes below 0x20 or from 0x7f up as \xNN (lowercase hex); printable ASCII
// as is.
std::string PythonBytesRepr(absl::string_view bytes);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_PROTOCOL_BYTES_REPR_H_
