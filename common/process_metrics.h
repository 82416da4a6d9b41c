// The standard process_* families of Prometheus's client libraries, read
// from /proc/self when scraped: CPU time, memory, file descriptors, start
// time and threads. The parsing is apart from the reading, for tests.
#ifndef SOCKRPC_COMMON_PROCESS_METRICS_H_
#define SOCKRPC_COMMON_PROCESS_METRICS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/metrics.h"

namespace sockrpc {

// What /proc/<pid>/stat says, in the units Prometheus wants.
struct ProcessStat {
  double cpu_seconds = 0;  // user + system
  double start_seconds_after_boot = 0;
  double virtual_memory_bytes = 0;
  double resident_memory_bytes = 0;
  int64_t threads = 0;
};

// Parses the text of /proc/<pid>/stat (see proc(5)).
absl::StatusOr<ProcessStat> ParseProcStat(absl::string_view text, int64_t ticks_per_second,
                                          int64_t page_bytes);
// The boot time (the "btime" line of /proc/stat), in seconds since the epoch.
absl::StatusOr<double> ParseBootTime(absl::string_view proc_stat_text);

// Adds process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds and process_threads to `registry`.
void AddProcessMetrics(MetricsRegistry& registry);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_PROCESS_METRICS_H_
