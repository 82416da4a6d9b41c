// Time zones by IANA name: the server's local zone, and zones clients ask for.
#ifndef SOCKRPC_COMMON_TIME_ZONES_H_
#define SOCKRPC_COMMON_TIME_ZONES_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sockrpc {

struct NamedTimeZone {
  std::string name;  // IANA name, e.g. "Europe/Paris"
  absl::TimeZone zone;
};

// Whether `name` is spelled like an IANA zone name ("Area/Location", "UTC",
// "Etc/GMT+5"): letters, digits and "_-+/", no empty or dot-dot component, at
// most 64 characters. Rejects paths and anything else that is not a zone name.
bool LooksLikeIanaZoneName(absl::string_view name);

// Loads the zone an IANA name names. INVALID_ARGUMENT, naming it, if the name
// is malformed or no such zone is installed.
absl::StatusOr<NamedTimeZone> LoadNamedTimeZone(absl::string_view name);

// The IANA name of the process's local zone, the one Python's time.ctime()
// uses: $TZ when set (a leading ':' and a ".../zoneinfo/" prefix removed; an
// empty TZ means UTC), else the target of the /etc/localtime link, else
// /etc/timezone, else "UTC".
std::string LocalTimeZoneName();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TIME_ZONES_H_
