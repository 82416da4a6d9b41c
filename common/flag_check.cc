#include "common/flag_check.h"

#include <functional>
#include <set>
#include <string>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace sockrpc {
namespace {

// Names --undefok lets through unknown, as Abseil does.
std::set<std::string, std::less<>> UndefinedOk(absl::Span<char* const> argv) {
  std::set<std::string, std::less<>> names;
  for (size_t i = 1; i < argv.size(); ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    arg = absl::StripPrefix(absl::StripPrefix(arg, "-"), "-");
    if (absl::ConsumePrefix(&arg, "undefok=")) {
      for (absl::string_view name : absl::StrSplit(arg, ',', absl::SkipEmpty())) {
        names.emplace(name);
      }
    }
  }
  return names;
}

}  // namespace

absl::Status CheckCommandLineFlags(absl::Span<char* const> argv) {
  // ParseFrom sets each flag as Abseil's parser then sets it again, from the
  // same arguments. (absl::FlagSaver would put the values back, but logs each
  // one it restores.)
  const auto undefined_ok = UndefinedOk(argv);
  for (size_t i = 1; i < argv.size(); ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;  // positional, or "-"
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    const bool has_value = equals != absl::string_view::npos;
    absl::string_view value = has_value ? arg.substr(equals + 1) : absl::string_view();

    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    bool negated = false;
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      negated = flag != nullptr;
    }
    // --help, --version and the like are no registered flags in Abseil
    // 20220623; this recognises (and records) them as its parser does.
    if (flag == nullptr && absl::flags_internal::DeduceUsageFlags(name, value)) continue;
    if (flag == nullptr) {
      if (undefined_ok.count(name) > 0 ||
          (absl::StartsWith(name, "no") && undefined_ok.count(name.substr(2)) > 0)) {
        continue;
      }
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    const std::string shown = absl::StrCat("--", flag->Name());
    const bool boolean = flag->IsOfType<bool>();
    if (negated) {
      if (!boolean) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown flag --", name, " (", shown, " is not a boolean flag)"));
      }
      if (has_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " takes no value (write ", shown, "=", value, ")"));
      }
      continue;
    }
    if (!has_value) {
      if (boolean) continue;
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(absl::StrCat(shown, " needs a value"));
      }
      value = argv[++i];
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      // Abseil says "Illegal value 'v' specified for flag 'name'; <why>":
      // keep only the why, if any.
      const size_t why = error.find("; ");
      return absl::InvalidArgumentError(
          absl::StrCat("invalid value \"", value, "\" for ", shown,
                       why == std::string::npos ? "" : ": ",
                       why == std::string::npos ? "" : error.substr(why + 2)));
    }
  }
  return absl::OkStatus();
}

}  // namespace sockrpc
