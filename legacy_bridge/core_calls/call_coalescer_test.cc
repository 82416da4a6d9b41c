#include "legacy_bridge/core_calls/call_coalescer.h"

#include <gtest/gtest.h>

#include <vector>

namespace sockrpc {
namespace {

TEST(CallCoalescerTest, TheFirstWaiterStartsACall) {
  CallCoalescer<int> coalescer;
  EXPECT_FALSE(coalescer.in_flight());
  EXPECT_TRUE(coalescer.Join(1));
  EXPECT_TRUE(coalescer.in_flight());
  const auto completion = coalescer.Complete();
  EXPECT_EQ(completion.answered, std::vector<int>{1});
  EXPECT_FALSE(completion.start_another);
  EXPECT_FALSE(coalescer.in_flight());
}

TEST(CallCoalescerTest, LaterWaitersShareTheNextCallNotTheOneInFlight) {
  CallCoalescer<int> coalescer;
  ASSERT_TRUE(coalescer.Join(1));
  EXPECT_FALSE(coalescer.Join(2));
  EXPECT_FALSE(coalescer.Join(3));

  auto first = coalescer.Complete();
  EXPECT_EQ(first.answered, std::vector<int>{1});
  EXPECT_TRUE(first.start_another);
  EXPECT_TRUE(coalescer.in_flight());

  EXPECT_FALSE(coalescer.Join(4));  // the call for 2 and 3 is in flight now
  auto second = coalescer.Complete();
  EXPECT_EQ(second.answered, (std::vector<int>{2, 3}));
  EXPECT_TRUE(second.start_another);

  auto third = coalescer.Complete();
  EXPECT_EQ(third.answered, std::vector<int>{4});
  EXPECT_FALSE(third.start_another);
  EXPECT_FALSE(coalescer.in_flight());

  EXPECT_TRUE(coalescer.Join(5));  // idle again: a new call at once
}

TEST(CallCoalescerTest, EveryWaiterIsAnsweredExactlyOnce) {
  CallCoalescer<int> coalescer;
  std::vector<int> answered;
  int calls = 0;
  int next = 0;
  // Waiters arrive in bursts while calls return one at a time.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < round % 7; ++i) {
      if (coalescer.Join(next++)) ++calls;
    }
    if (coalescer.in_flight()) {
      auto completion = coalescer.Complete();
      answered.insert(answered.end(), completion.answered.begin(), completion.answered.end());
      if (completion.start_another) ++calls;
    }
  }
  while (coalescer.in_flight()) {
    auto completion = coalescer.Complete();
    answered.insert(answered.end(), completion.answered.begin(), completion.answered.end());
    if (completion.start_another) ++calls;
  }
  ASSERT_EQ(answered.size(), static_cast<size_t>(next));
  for (int i = 0; i < next; ++i) EXPECT_EQ(answered[static_cast<size_t>(i)], i);
  EXPECT_LT(calls, next);  // bursts were shared
}

}  // namespace
}  // namespace sockrpc
