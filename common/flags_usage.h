// Command-line set-up shared by the binaries: --help lists the binary's own
// flags (those defined under its source directory), and errors in flag values
// end the process with a message and exit status 2.
#ifndef SOCKRPC_COMMON_FLAGS_USAGE_H_
#define SOCKRPC_COMMON_FLAGS_USAGE_H_

#include "absl/strings/string_view.h"

namespace sockrpc {

// Parses argv with Abseil flags after setting the usage text; `flags_dir` is
// the source directory (e.g. "rpc_server/") whose flags --help shows. Exits
// with status 2 if positional arguments are left over.
void ParseFlagsOrExit(int argc, char** argv, absl::string_view program,
                      absl::string_view usage, absl::string_view flags_dir);

// Prints "<program>: <message>" on stderr and exits with status 2.
[[noreturn]] void ExitWithUsageError(absl::string_view message);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_FLAGS_USAGE_H_
