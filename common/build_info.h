// What build a binary is: the project version (CMake's project(VERSION)) and
// the git revision it was configured from. Shown by --version, in the start-up
// line and as the sockrpc_build_info gauge.
#ifndef SOCKRPC_COMMON_BUILD_INFO_H_
#define SOCKRPC_COMMON_BUILD_INFO_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/metrics.h"

namespace sockrpc {

// "0.1.0".
absl::string_view BuildVersion();
// `git describe --always --dirty`, e.g. "b8446a2-dirty"; "unknown" without git.
absl::string_view BuildRevision();

// "sockrpc 0.1.0 (revision b8446a2)", for the start-up line.
std::string BuildDescription();

// --version's text: "<program> (sockrpc) 0.1.0\nrevision b8446a2\n" (the
// first line in the GNU form help2man reads).
std::string VersionText(absl::string_view program);

// Adds sockrpc_build_info{version="...",revision="..."} 1 to `registry`.
void AddBuildInfoGauge(MetricsRegistry& registry);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_BUILD_INFO_H_
