#include "common/process_metrics.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

// A real line, with a command name that holds a space and a parenthesis.
constexpr const char* kStat =
    "4242 (rpc (server) S 1 4242 4242 0 -1 4194560 2000 0 0 0 250 150 0 0 20 0 7 0 "
    "123400 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesTheFieldsAfterTheCommandName) {
  const absl::StatusOr<ProcessStat> stat = ParseProcStat(kStat, 100, 4096);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_DOUBLE_EQ(stat->cpu_seconds, 4.0);  // (250 + 150) ticks / 100
  EXPECT_EQ(stat->threads, 7);
  EXPECT_DOUBLE_EQ(stat->start_seconds_after_boot, 1234.0);
  EXPECT_DOUBLE_EQ(stat->virtual_memory_bytes, 104857600.0);
  EXPECT_DOUBLE_EQ(stat->resident_memory_bytes, 2560.0 * 4096);
}

TEST(ProcessMetricsTest, RejectsATruncatedLine) {
  EXPECT_FALSE(ParseProcStat("4242 (x) S 1 2 3", 100, 4096).ok());
  EXPECT_FALSE(ParseProcStat("no parenthesis", 100, 4096).ok());
}

TEST(ProcessMetricsTest, FindsTheBootTime) {
  const absl::StatusOr<double> boot = ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\n");
  ASSERT_TRUE(boot.ok());
  EXPECT_DOUBLE_EQ(*boot, 1700000000.0);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").ok());
}

TEST(ProcessMetricsTest, EveryFamilyIsRenderedWithThisProcesssValues) {
  MetricsRegistry registry;
  AddProcessMetrics(registry);
  const std::string text = registry.Render();
  for (const char* family : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                             "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                             "process_start_time_seconds", "process_threads"}) {
    EXPECT_TRUE(absl::StrContains(text, absl::StrCat("\n", family, " "))) << family;
  }
  EXPECT_TRUE(absl::StrContains(text, "# TYPE process_cpu_seconds_total counter"));
  EXPECT_FALSE(absl::StrContains(text, "process_open_fds 0\n"));
  EXPECT_FALSE(absl::StrContains(text, "process_start_time_seconds 0\n"));
}

}  // namespace
}  // namespace sockrpc
