#include "common/build_info.h"

#include "absl/strings/str_cat.h"
#include "common/build_version.h"

namespace sockrpc {

absl::string_view BuildVersion() { return SOCKRPC_VERSION; }

absl::string_view BuildRevision() { return SOCKRPC_REVISION; }

std::string BuildDescription() {
  return absl::StrCat("sockrpc ", BuildVersion(), " (revision ", BuildRevision(), ")");
}

std::string VersionText(absl::string_view program) {
  return absl::StrCat(program, " (sockrpc) ", BuildVersion(), "\nrevision ", BuildRevision(),
                      "\n");
}

void AddBuildInfoGauge(MetricsRegistry& registry) {
  registry
      .AddGauge("sockrpc_build_info",
                "Always 1; the labels say which build is running (project version, git revision).",
                {{"version", std::string(BuildVersion())},
                 {"revision", std::string(BuildRevision())}})
      .Set(1);
}

}  // namespace sockrpc
