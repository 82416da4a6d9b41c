#include "rpc_server/ctime_text.h"

#include <array>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace sockrpc {
namespace {

// Indexed by absl::Weekday, which starts on Monday.
constexpr std::array<const char*, 7> kWeekdays = {"Mon", "Tue", "Wed", "Thu",
                                                  "Fri", "Sat", "Sun"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string FormatCtime(absl::Time instant, absl::TimeZone zone) {
  const absl::CivilSecond civil = zone.At(instant).cs;
  const auto weekday = static_cast<size_t>(absl::GetWeekday(civil));
  const auto month = static_cast<size_t>(civil.month() - 1);
  return absl::StrFormat("%s %s %2d %02d:%02d:%02d %d", kWeekdays[weekday], kMonths[month],
                         civil.day(), civil.hour(), civil.minute(), civil.second(), civil.year());
}

}  // namespace sockrpc
