#include "common/time_zones.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sockrpc {
namespace {

constexpr size_t kMaxZoneNameLength = 64;
constexpr absl::string_view kZoneinfoMarker = "zoneinfo/";

// "/usr/share/zoneinfo/Europe/Paris" -> "Europe/Paris"; other text unchanged.
absl::string_view StripZoneinfoPrefix(absl::string_view path) {
  const size_t marker = path.rfind(kZoneinfoMarker);
  if (marker == absl::string_view::npos) return path;
  return path.substr(marker + kZoneinfoMarker.size());
}

}  // namespace

bool LooksLikeIanaZoneName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxZoneNameLength) return false;
  if (name == "localtime") return false;  // Abseil's alias for /etc/localtime
  for (const absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
    for (const char c : part) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
          c != '+') {
        return false;
      }
    }
  }
  return true;
}

absl::StatusOr<NamedTimeZone> LoadNamedTimeZone(absl::string_view name) {
  absl::TimeZone zone;
  if (!LooksLikeIanaZoneName(name) || !absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown time zone \"", absl::CHexEscape(name.substr(0, kMaxZoneNameLength)),
                     "\": expected an IANA name such as \"Europe/Paris\" or \"UTC\""));
  }
  return NamedTimeZone{std::string(name), zone};
}

std::string LocalTimeZoneName() {
  if (const char* tz = std::getenv("TZ"); tz != nullptr) {
    absl::string_view name = tz;
    if (!name.empty() && name.front() == ':') name.remove_prefix(1);
    if (name.empty()) return "UTC";
    return std::string(StripZoneinfoPrefix(name));
  }
  std::error_code error;
  const std::filesystem::path target = std::filesystem::read_symlink("/etc/localtime", error);
  if (!error) {
    const absl::string_view name = StripZoneinfoPrefix(target.native());
    if (LooksLikeIanaZoneName(name)) return std::string(name);
  }
  std::ifstream timezone_file("/etc/timezone");
  std::string line;
  if (std::getline(timezone_file, line)) {
    const absl::string_view name = absl::StripAsciiWhitespace(line);
    if (LooksLikeIanaZoneName(name)) return std::string(name);
  }
  return "UTC";
}

}  // namespace sockrpc
