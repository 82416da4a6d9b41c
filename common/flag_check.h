// Checks a command line against the registered Abseil flags before Abseil
// parses it. Abseil's own parser ends the process with status 1 on an unknown
// flag or a value that does not parse; checking first lets every usage error
// end with status 2 and one message naming the flag.
#ifndef SOCKRPC_COMMON_FLAG_CHECK_H_
#define SOCKRPC_COMMON_FLAG_CHECK_H_

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace sockrpc {

// Follows Abseil's syntax: --name=value, --name value (not for booleans),
// --name and --noname for booleans, a single dash in place of two, and "--"
// ending the flags. Returns InvalidArgument naming the first flag that is
// unknown, lacks its value or has one that does not parse. Sets the flags it
// checks, as Abseil's parser then does again. argv[0] is the program.
absl::Status CheckCommandLineFlags(absl::Span<char* const> argv);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_FLAG_CHECK_H_
