#include "legacy_bridge/connections/fair_share_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace sockrpc {
namespace {

using Candidate = FairSharePolicy::Candidate;
using std::chrono::milliseconds;
using std::chrono::seconds;

FairSharePolicy Policy(size_t max_connections, size_t per_address) {
  return FairSharePolicy({.max_connections = max_connections,
                          .max_per_address = per_address,
                          .evict_above_percent = 90,
                          .shrink_timeouts_above_percent = 80,
                          .min_timeout_percent = 10});
}

TEST(FairSharePolicyTest, PerAddressCapNeverExceedsTheTable) {
  EXPECT_EQ(Policy(200, 150).max_per_address(), 150u);
  EXPECT_EQ(Policy(100, 1000).max_per_address(), 100u);
  EXPECT_TRUE(Policy(200, 150).UnderAddressCap(149));
  EXPECT_FALSE(Policy(200, 150).UnderAddressCap(150));
  // At or above the table's size, the table's own limit applies instead.
  EXPECT_TRUE(Policy(100, 1000).UnderAddressCap(100));
  EXPECT_TRUE(Policy(100, 100).UnderAddressCap(100));
}

TEST(FairSharePolicyTest, EvictsOnlyAboveTheThreshold) {
  const FairSharePolicy policy = Policy(200, 150);
  EXPECT_FALSE(policy.ShouldEvict(180));  // exactly 90 %
  EXPECT_TRUE(policy.ShouldEvict(181));
  EXPECT_FALSE(policy.Full(199));
  EXPECT_TRUE(policy.Full(200));
  FairSharePolicy never({.max_connections = 200, .evict_above_percent = 100});
  EXPECT_FALSE(never.ShouldEvict(200));
}

TEST(FairSharePolicyTest, HandshakeBeforeIdleFromTheBiggestAddress) {
  const auto now = FairSharePolicy::Clock::now();
  const std::vector<Candidate> candidates = {
      {.address_sessions = 100, .in_handshake = false, .busy = false, .last_active = now - seconds(50)},
      {.address_sessions = 100, .in_handshake = true, .busy = false, .last_active = now},
      {.address_sessions = 100, .in_handshake = false, .busy = false, .last_active = now - seconds(90)},
      {.address_sessions = 40, .in_handshake = true, .busy = false, .last_active = now - seconds(99)},
  };
  EXPECT_EQ(FairSharePolicy::ChooseVictim(candidates, 0), 1u);
}

TEST(FairSharePolicyTest, LongestIdleWhenNoneIsInHandshake) {
  const auto now = FairSharePolicy::Clock::now();
  const std::vector<Candidate> candidates = {
      {.address_sessions = 100, .last_active = now - seconds(50)},
      {.address_sessions = 100, .last_active = now - seconds(90)},
      {.address_sessions = 100, .last_active = now - seconds(10)},
  };
  EXPECT_EQ(FairSharePolicy::ChooseVictim(candidates, 0), 1u);
}

TEST(FairSharePolicyTest, BusySessionsAreNeverEvicted) {
  const auto now = FairSharePolicy::Clock::now();
  const std::vector<Candidate> candidates = {
      {.address_sessions = 100, .in_handshake = true, .busy = true, .last_active = now},
      {.address_sessions = 100, .busy = true, .last_active = now - seconds(90)},
      {.address_sessions = 60, .busy = false, .last_active = now},
  };
  EXPECT_EQ(FairSharePolicy::ChooseVictim(candidates, 0), 2u);
  EXPECT_EQ(FairSharePolicy::ChooseVictim(std::vector<Candidate>(candidates.begin(),
                                                                 candidates.begin() + 2),
                                          0),
            std::nullopt);
}

TEST(FairSharePolicyTest, NeverTakesFromAnAddressNoBiggerThanTheNewcomers) {
  const std::vector<Candidate> candidates = {{.address_sessions = 51}, {.address_sessions = 50}};
  EXPECT_EQ(FairSharePolicy::ChooseVictim(candidates, 50), std::nullopt);
  EXPECT_EQ(FairSharePolicy::ChooseVictim(candidates, 49), 0u);
  EXPECT_EQ(FairSharePolicy::ChooseVictim({}, 0), std::nullopt);
}

TEST(FairSharePolicyTest, PressureRisesInStepsFromTheThreshold) {
  const FairSharePolicy policy = Policy(1000, 1000);
  EXPECT_EQ(policy.PressureLevel(0), 0);
  EXPECT_EQ(policy.PressureLevel(800), 0);
  EXPECT_EQ(policy.PressureLevel(801), 1);
  EXPECT_EQ(policy.PressureLevel(900), 5);
  EXPECT_EQ(policy.PressureLevel(1000), FairSharePolicy::kLevels);
  FairSharePolicy never({.max_connections = 1000, .shrink_timeouts_above_percent = 100});
  EXPECT_EQ(never.PressureLevel(1000), 0);
}

TEST(FairSharePolicyTest, TimeoutsShrinkToTheMinimumAtAFullTable) {
  const FairSharePolicy policy = Policy(1000, 1000);
  EXPECT_EQ(policy.ScaledTimeout(seconds(300), 0), seconds(300));
  EXPECT_EQ(policy.ScaledTimeout(seconds(300), 5), seconds(165));
  EXPECT_EQ(policy.ScaledTimeout(seconds(300), FairSharePolicy::kLevels), seconds(30));
  EXPECT_EQ(policy.ScaledTimeout(milliseconds(5), FairSharePolicy::kLevels), milliseconds(1));
}

}  // namespace
}  // namespace sockrpc
