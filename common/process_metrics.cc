#include "common/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sockrpc {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<ProcessStat> ReadSelfStat() {
  return ParseProcStat(ReadFile("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
}

// Entries of /proc/self/fd (the directory's own descriptor, open while it is
// listed, is not counted).
double OpenFds() {
  std::error_code error;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++count;
  }
  return count > 0 ? count - 1 : 0;
}

double MaxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

absl::StatusOr<ProcessStat> ParseProcStat(absl::string_view text, int64_t ticks_per_second,
                                          int64_t page_bytes) {
  // The command name (field 2) is in parentheses and may hold spaces and
  // parentheses itself: the fields that follow start after the last ')'.
  const size_t name_end = text.rfind(')');
  if (name_end == absl::string_view::npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("malformed /proc/self/stat");
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(text.substr(name_end + 1)), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state): field N is fields[N - 3].
  constexpr size_t kUtime = 14 - 3, kStime = 15 - 3, kThreads = 20 - 3, kStart = 22 - 3,
                   kVsize = 23 - 3, kRss = 24 - 3;
  if (fields.size() <= kRss) return absl::InvalidArgumentError("short /proc/self/stat");
  uint64_t utime = 0, stime = 0, start = 0, vsize = 0;
  int64_t threads = 0, rss = 0;
  if (!absl::SimpleAtoi(fields[kUtime], &utime) || !absl::SimpleAtoi(fields[kStime], &stime) ||
      !absl::SimpleAtoi(fields[kThreads], &threads) || !absl::SimpleAtoi(fields[kStart], &start) ||
      !absl::SimpleAtoi(fields[kVsize], &vsize) || !absl::SimpleAtoi(fields[kRss], &rss)) {
    return absl::InvalidArgumentError("non-numeric field in /proc/self/stat");
  }
  const double ticks = static_cast<double>(ticks_per_second);
  return ProcessStat{
      .cpu_seconds = static_cast<double>(utime + stime) / ticks,
      .start_seconds_after_boot = static_cast<double>(start) / ticks,
      .virtual_memory_bytes = static_cast<double>(vsize),
      .resident_memory_bytes = static_cast<double>(rss * page_bytes),
      .threads = threads,
  };
}

absl::StatusOr<double> ParseBootTime(absl::string_view proc_stat_text) {
  for (absl::string_view line : absl::StrSplit(proc_stat_text, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    int64_t seconds = 0;
    if (!absl::SimpleAtoi(line, &seconds)) break;
    return static_cast<double>(seconds);
  }
  return absl::InvalidArgumentError("no btime line in /proc/stat");
}

void AddProcessMetrics(MetricsRegistry& registry) {
  // Computed once: neither the boot time nor the start time changes.
  const absl::StatusOr<double> boot = ParseBootTime(ReadFile("/proc/stat"));
  const absl::StatusOr<ProcessStat> stat = ReadSelfStat();
  const double start_time = boot.ok() && stat.ok() ? *boot + stat->start_seconds_after_boot : 0;
  auto read = [](double ProcessStat::*field) {
    return [field] {
      const absl::StatusOr<ProcessStat> now = ReadSelfStat();
      return now.ok() ? (*now).*field : 0.0;
    };
  };
  registry.AddCallbackCounter("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.", {},
                              read(&ProcessStat::cpu_seconds));
  registry.AddCallbackGauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
                            read(&ProcessStat::resident_memory_bytes));
  registry.AddCallbackGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
                            read(&ProcessStat::virtual_memory_bytes));
  registry.AddCallbackGauge("process_open_fds", "Number of open file descriptors.", {}, OpenFds);
  registry.AddCallbackGauge("process_max_fds", "Maximum number of open file descriptors.", {},
                            MaxFds);
  registry.AddCallbackGauge("process_start_time_seconds",
                            "Start time of the process since unix epoch in seconds.", {},
                            [start_time] { return start_time; });
  registry.AddCallbackGauge("process_threads", "Number of OS threads in the process.", {}, [] {
    const absl::StatusOr<ProcessStat> now = ReadSelfStat();
    return now.ok() ? static_cast<double>(now->threads) : 0.0;
  });
}

}  // namespace sockrpc
