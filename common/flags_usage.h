// Command-line set-up shared by the servers: --help lists the binary's own
// flags (those defined under its source directory) and the shared ones under
// common/. Exit status: 0 after --help or --version, 2 on a usage error (an
// unknown flag, a value that does not parse or is out of range, a bad
// address), with one message naming the flag; 1 is left for failures at run
// time (a port in use, a certificate file that cannot be read).
#ifndef SOCKRPC_COMMON_FLAGS_USAGE_H_
#define SOCKRPC_COMMON_FLAGS_USAGE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

// Parses argv with Abseil flags after setting the usage text; `flags_dir` is
// the source directory (e.g. "rpc_server/") whose flags --help shows. Exits
// with status 2 on a flag Abseil would reject or on positional arguments.
// Applies --log_format and --log_level.
void ParseFlagsOrExit(int argc, char** argv, absl::string_view program,
                      absl::string_view usage, absl::string_view flags_dir);

// Prints "<program>: <message>" on stderr and exits with status 2.
[[noreturn]] void ExitWithUsageError(absl::string_view message);

// Exits with status 2 unless `value` of --`flag` is host:port (or empty, when
// `empty_ok`: the flag turns something off).
void ListenAddressFlagOrExit(absl::string_view flag, absl::string_view value,
                             bool empty_ok = false);

// A failed start-up step: InvalidArgument is a usage error (status 2), any
// other code a failure at run time, logged, status 1.
[[noreturn]] void ExitWithStatus(const absl::Status& status);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_FLAGS_USAGE_H_
