#include "legacy_bridge/protocol/close_reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sockrpc {
namespace {

constexpr CloseReason kAll[] = {
    CloseReason::kClientClosed,    CloseReason::kBridgeShuttingDown, CloseReason::kConnectionReset,
    CloseReason::kConnectionError, CloseReason::kMessageTooLong,     CloseReason::kHandshakeTimeout,
    CloseReason::kIdleTimeout,     CloseReason::kTooManyConnections, CloseReason::kPerAddressCap,
    CloseReason::kEvictedHandshake, CloseReason::kEvictedIdle,
};

TEST(CloseReasonTest, EveryReasonHasItsOwnName) {
  std::set<std::string> names;
  for (CloseReason reason : kAll) names.insert(CloseReasonName(reason));
  EXPECT_EQ(names.size(), std::size(kAll));
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(CloseReasonTest, LimitNamesAreTheMetricLabels) {
  EXPECT_STREQ(CloseReasonName(CloseReason::kMessageTooLong), "too_long");
  EXPECT_STREQ(CloseReasonName(CloseReason::kHandshakeTimeout), "handshake_timeout");
  EXPECT_STREQ(CloseReasonName(CloseReason::kIdleTimeout), "idle_timeout");
  EXPECT_STREQ(CloseReasonName(CloseReason::kTooManyConnections), "too_many_connections");
  EXPECT_STREQ(CloseReasonName(CloseReason::kPerAddressCap), "per_address_cap");
  EXPECT_STREQ(CloseReasonName(CloseReason::kEvictedHandshake), "evicted_handshake");
  EXPECT_STREQ(CloseReasonName(CloseReason::kEvictedIdle), "evicted_idle");
}

TEST(CloseReasonTest, OnlyTheBridgesLimitsAreLimits) {
  EXPECT_TRUE(IsLimit(CloseReason::kHandshakeTimeout));
  EXPECT_TRUE(IsLimit(CloseReason::kIdleTimeout));
  EXPECT_TRUE(IsLimit(CloseReason::kMessageTooLong));
  EXPECT_TRUE(IsLimit(CloseReason::kTooManyConnections));
  EXPECT_TRUE(IsLimit(CloseReason::kPerAddressCap));
  EXPECT_TRUE(IsLimit(CloseReason::kEvictedIdle));
  EXPECT_FALSE(IsLimit(CloseReason::kClientClosed));
  EXPECT_FALSE(IsLimit(CloseReason::kBridgeShuttingDown));
  EXPECT_FALSE(IsLimit(CloseReason::kConnectionReset));
  EXPECT_FALSE(IsLimit(CloseReason::kConnectionError));
}

}  // namespace
}  // namespace sockrpc
