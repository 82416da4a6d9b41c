#include "common/flags_usage.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/internal/parse.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/build_info.h"
#include "common/log.h"

namespace sockrpc {
namespace {

std::string& ProgramForErrors() {
  static std::string program;
  return program;
}

}  // namespace

void ParseFlagsOrExit(int argc, char** argv, absl::string_view program, absl::string_view usage,
                      absl::string_view flags_dir) {
  ProgramForErrors() = std::string(program);
  SetLogProgramName(program);
  absl::FlagsUsageConfig config;
  const std::string dir(flags_dir);
  config.contains_help_flags = [dir](absl::string_view file) {
    return absl::StrContains(file, dir);
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.normalize_filename = [](absl::string_view file) {
    // Show paths relative to the project, not the build machine.
    for (const char* top : {"/rpc_server/", "/legacy_bridge/", "/clients/", "/common/"}) {
      const size_t at = file.rfind(top);
      if (at != absl::string_view::npos) return std::string(file.substr(at + 1));
    }
    return std::string(file);
  };
  config.version_string = [name = std::string(program)] { return VersionText(name); };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  // Abseil's ParseCommandLine exits with status 1 after --help; a help request
  // is a success, so the usage flags are handled here, on stdout, with exit 0.
  const std::vector<char*> positional = absl::flags_internal::ParseCommandLineImpl(
      argc, argv, absl::flags_internal::ArgvListAction::kRemoveParsedArgs,
      absl::flags_internal::UsageFlagsAction::kIgnoreUsage,
      absl::flags_internal::OnUndefinedFlag::kAbortIfUndefined);
  if (absl::flags_internal::HandleUsageFlags(std::cout, usage) >= 0) {
    std::cout.flush();
    std::exit(0);
  }
  if (positional.size() > 1) {
    ExitWithUsageError(absl::StrCat("unexpected argument \"", positional[1],
                                    "\" (this program takes only --flags; see --help)"));
  }
}

void ExitWithUsageError(absl::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", ProgramForErrors().c_str(), static_cast<int>(message.size()),
               message.data());
  std::exit(2);
}

}  // namespace sockrpc
