#include "legacy_bridge/connections/log_throttle.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

using std::chrono::milliseconds;

TEST(LogThrottleTest, AFewLinesPerSecondThenTheCountOfTheRest) {
  LogThrottle throttle(2);
  const auto start = LogThrottle::Clock::now();
  EXPECT_EQ(throttle.Allow(start), 0u);
  EXPECT_EQ(throttle.Allow(start + milliseconds(1)), 0u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(throttle.Allow(start + milliseconds(2 + i)), std::nullopt);
  EXPECT_EQ(throttle.Allow(start + milliseconds(1000)), 100u);
  EXPECT_EQ(throttle.Allow(start + milliseconds(1001)), 0u);
  EXPECT_EQ(throttle.Allow(start + milliseconds(1002)), std::nullopt);
}

}  // namespace
}  // namespace sockrpc
