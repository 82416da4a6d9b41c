#include "common/flag_range.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"

namespace sockrpc {
namespace {

TEST(FlagRangeTest, ValuesInRangeAreReturned) {
  EXPECT_EQ(IntFlagInRangeOrExit("n", 1, 1, 3), 1);
  EXPECT_EQ(IntFlagInRangeOrExit("n", 3, 1, 3), 3);
  EXPECT_EQ(DurationFlagInRangeOrExit("d", absl::Seconds(1), absl::Seconds(1), absl::Minutes(1)),
            absl::Seconds(1));
  EXPECT_EQ(DurationFlagInRangeOrExit("d", absl::InfiniteDuration(), absl::Seconds(1),
                                      absl::Hours(24), /*infinite_allowed=*/true),
            absl::InfiniteDuration());
  EXPECT_EQ(PositiveDurationFlagOrExit("d", absl::Milliseconds(1)), absl::Milliseconds(1));
  EXPECT_EQ(NonNegativeDurationFlagOrExit("d", absl::ZeroDuration()), absl::ZeroDuration());
}

TEST(FlagRangeDeathTest, ValuesOutOfRangeAreUsageErrorsNamingTheFlag) {
  EXPECT_EXIT(IntFlagInRangeOrExit("threads", 1025, 0, 1024, "one per CPU"),
              testing::ExitedWithCode(2),
              "--threads must be from 0 \\(one per CPU\\) to 1024, got 1025");
  EXPECT_EXIT(IntFlagInRangeOrExit("core_streams", 0, 1, 1024), testing::ExitedWithCode(2),
              "--core_streams must be from 1 to 1024, got 0");
  EXPECT_EXIT(DurationFlagInRangeOrExit("busy_poll", absl::Milliseconds(2), absl::ZeroDuration(),
                                        absl::Milliseconds(1)),
              testing::ExitedWithCode(2), "--busy_poll must be from 0 to 1ms, got 2ms");
  EXPECT_EXIT(DurationFlagInRangeOrExit("max_connection_age", absl::Hours(25), absl::Seconds(1),
                                        absl::Hours(24), /*infinite_allowed=*/true),
              testing::ExitedWithCode(2),
              "--max_connection_age must be from 1s to 24h, or inf, got 25h");
  EXPECT_EXIT(PositiveDurationFlagOrExit("deadline", absl::ZeroDuration()),
              testing::ExitedWithCode(2), "--deadline must be positive, got 0");
  EXPECT_EXIT(NonNegativeDurationFlagOrExit("shutdown_grace", absl::Seconds(-1)),
              testing::ExitedWithCode(2), "--shutdown_grace must not be negative, got -1s");
}

}  // namespace
}  // namespace sockrpc
