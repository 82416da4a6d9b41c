// The text of Python's time.ctime(): "Wed Jan 29 19:14:15 2014". Pure: no I/O.
#ifndef SOCKRPC_RPC_SERVER_CTIME_TEXT_H_
#define SOCKRPC_RPC_SERVER_CTIME_TEXT_H_

#include <string>

#include "absl/time/time.h"

namespace sockrpc {

// Formats `instant`, floored to the second as time.ctime() does, in `zone`:
// abbreviated weekday and month, day of month padded with a space to two
// columns, 24-hour time, and the year in as many digits as it has
// (C asctime's "%.3s %.3s%3d %.2d:%.2d:%.2d %d"). No trailing newline.
std::string FormatCtime(absl::Time instant, absl::TimeZone zone);

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_CTIME_TEXT_H_
