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
#include "common/flag_check.h"
#include "common/listen_address.h"
#include "common/log.h"
#include "common/log_flags.h"

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
    return absl::StrContains(file, dir) || absl::StrContains(file, "common/");
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
  const std::string usage_text = absl::StrCat(
      usage,
      "\n\nExit status: 0 after a clean shutdown (SIGTERM, SIGINT) or --help; 2 on a usage "
      "error (an unknown flag, a value that does not parse or is out of range, a bad address), "
      "with one message naming the flag; 1 on a failure at start-up (a port in use, a TLS file "
      "that cannot be read).");
  absl::SetProgramUsageMessage(usage_text);
  // Abseil's parser exits with status 1 on an unknown flag or a bad value;
  // those are usage errors, so they are found first and exit with 2.
  const absl::Status flags =
      CheckCommandLineFlags(absl::MakeConstSpan(argv, static_cast<size_t>(argc)));
  if (!flags.ok()) {
    ExitWithUsageError(absl::StrCat(flags.message(), " (see --help)"));
  }
  // Abseil's ParseCommandLine exits with status 1 after --help; a help request
  // is a success, so the usage flags are handled here, on stdout, with exit 0.
  const std::vector<char*> positional = absl::flags_internal::ParseCommandLineImpl(
      argc, argv, absl::flags_internal::ArgvListAction::kRemoveParsedArgs,
      absl::flags_internal::UsageFlagsAction::kIgnoreUsage,
      absl::flags_internal::OnUndefinedFlag::kAbortIfUndefined);
  if (absl::flags_internal::HandleUsageFlags(std::cout, usage_text) >= 0) {
    std::cout.flush();
    std::exit(0);
  }
  if (positional.size() > 1) {
    ExitWithUsageError(absl::StrCat("unexpected argument \"", positional[1],
                                    "\" (this program takes only --flags; see --help)"));
  }
  ApplyLogFlags();
}

void ExitWithUsageError(absl::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", ProgramForErrors().c_str(), static_cast<int>(message.size()),
               message.data());
  std::exit(2);
}

void ListenAddressFlagOrExit(absl::string_view flag, absl::string_view value, bool empty_ok) {
  if (empty_ok && value.empty()) return;
  if (absl::StatusOr<ListenAddress> address = ParseListenAddress(value); !address.ok()) {
    ExitWithUsageError(absl::StrCat("--", flag, ": ", address.status().message()));
  }
}

void ExitWithStatus(const absl::Status& status) {
  if (absl::IsInvalidArgument(status)) ExitWithUsageError(status.message());
  LogError(status.message());
  std::exit(1);
}

}  // namespace sockrpc
