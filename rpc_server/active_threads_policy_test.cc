#include "rpc_server/active_threads_policy.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kWindow{20};

// A window in which the threads used `cpus` CPUs and completed `completions`.
size_t Window(ActiveThreadsPolicy& policy, double cpus, uint64_t completions = 1000) {
  return policy.Update(milliseconds(static_cast<int>(cpus * kWindow.count())), kWindow,
                       completions);
}

ActiveThreadsPolicy::Options Quick() {
  return {.add_above = 0.8,
          .saturated_windows = 2,
          .must_gain = 0.1,
          .trial_windows = 2,
          .windows_between_trials = 3,
          .drop_below = 0.6};
}

// After a thread has left for want of a gain: one thread stays saturated
// for Quick()'s windows_between_trials before the next trial starts.
void ExpectTheNextTrialAfterTheWait(ActiveThreadsPolicy& policy) {
  EXPECT_EQ(Window(policy, 0.95, 1000), 1u);  // saturated, but no trial yet
  EXPECT_EQ(Window(policy, 0.95, 1000), 1u);
  EXPECT_EQ(Window(policy, 0.95, 1000), 2u);  // the next trial
}

TEST(ActiveThreadsPolicyTest, OneThreadIsActiveAtFirstAndWhileLightlyLoaded) {
  ActiveThreadsPolicy policy(4, Quick());
  EXPECT_EQ(policy.active(), 1u);
  EXPECT_EQ(Window(policy, 0.0), 1u);
  EXPECT_EQ(Window(policy, 0.5), 1u);
  EXPECT_EQ(Window(policy, 0.8), 1u);  // not above the threshold
}

TEST(ActiveThreadsPolicyTest, ANearlySaturatedThreadGetsAHelperThatStaysIfMoreGetsDone) {
  ActiveThreadsPolicy policy(2, Quick());
  EXPECT_EQ(Window(policy, 0.9, 1000), 1u);
  EXPECT_EQ(Window(policy, 0.9, 1000), 2u);  // saturated_windows in a row: the trial starts
  EXPECT_EQ(Window(policy, 1.6, 1400), 2u);
  EXPECT_EQ(Window(policy, 1.6, 1400), 2u);  // 1.4x: passed
  EXPECT_EQ(Window(policy, 1.6, 1400), 2u);
  EXPECT_EQ(Window(policy, 2.0, 2000), 2u);  // never more than there are
}

TEST(ActiveThreadsPolicyTest, AHelperThatDoesNotRaiseThroughputLeavesAndWaitsBeforeTheNextTrial) {
  ActiveThreadsPolicy policy(2, Quick());
  EXPECT_EQ(Window(policy, 0.9, 1000), 1u);
  EXPECT_EQ(Window(policy, 0.9, 1000), 2u);
  EXPECT_EQ(Window(policy, 1.3, 1050), 2u);
  EXPECT_EQ(Window(policy, 1.3, 1050), 1u);  // 5% more: not worth the hand-offs
  ExpectTheNextTrialAfterTheWait(policy);
}

TEST(ActiveThreadsPolicyTest, AHelperThatStopsPayingLeavesAndWaitsBeforeTheNextTrial) {
  ActiveThreadsPolicy policy(2, Quick());
  Window(policy, 0.9, 1000);
  ASSERT_EQ(Window(policy, 0.9, 1000), 2u);
  Window(policy, 1.5, 1500);
  ASSERT_EQ(Window(policy, 1.5, 1500), 2u);  // passed on a burst
  EXPECT_EQ(Window(policy, 1.5, 950), 2u);
  EXPECT_EQ(Window(policy, 1.5, 1000), 1u);  // 975 on average: less than one did
  ExpectTheNextTrialAfterTheWait(policy);
}

TEST(ActiveThreadsPolicyTest, AHelperThatKeepsPayingStays) {
  ActiveThreadsPolicy policy(2, Quick());
  Window(policy, 0.9, 1000);
  Window(policy, 0.9, 1000);
  Window(policy, 1.5, 1500);
  ASSERT_EQ(Window(policy, 1.5, 1500), 2u);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Window(policy, 1.5, 1010), 2u);
}

TEST(ActiveThreadsPolicyTest, EachTrialAddsOneThread) {
  ActiveThreadsPolicy policy(3, Quick());
  EXPECT_EQ(Window(policy, 0.9, 1000), 1u);
  EXPECT_EQ(Window(policy, 0.9, 1000), 2u);
  EXPECT_EQ(Window(policy, 1.7, 1800), 2u);
  EXPECT_EQ(Window(policy, 1.7, 1800), 2u);  // passed
  EXPECT_EQ(Window(policy, 1.7, 1800), 2u);  // 0.85 per thread: saturated again
  EXPECT_EQ(Window(policy, 1.7, 1800), 3u);  // for saturated_windows: the next trial
}

TEST(ActiveThreadsPolicyTest, AThreadLeavesOnlyWhenTheOthersWouldBeWellBelowSaturation) {
  ActiveThreadsPolicy policy(2, Quick());
  Window(policy, 0.9, 1000);
  Window(policy, 0.9, 1000);
  Window(policy, 1.8, 2000);
  ASSERT_EQ(Window(policy, 1.8, 2000), 2u);
  // 0.7 CPUs would keep the one remaining thread at 70%: both stay, so the
  // count does not flip back and forth around the threshold.
  EXPECT_EQ(Window(policy, 0.7), 2u);
  EXPECT_EQ(Window(policy, 0.5), 1u);
  EXPECT_EQ(Window(policy, 0.0), 1u);  // never fewer than one
}

TEST(ActiveThreadsPolicyTest, OneThreadNeverAddsAnother) {
  ActiveThreadsPolicy policy(1, Quick());
  EXPECT_EQ(Window(policy, 1.0), 1u);
  EXPECT_EQ(Window(policy, 1.0), 1u);
}

TEST(ActiveThreadsPolicyTest, AnEmptyWindowChangesNothing) {
  ActiveThreadsPolicy policy(2, Quick());
  Window(policy, 0.9);
  ASSERT_EQ(Window(policy, 0.9), 2u);
  EXPECT_EQ(policy.Update(milliseconds(0), milliseconds(0), 0), 2u);
  EXPECT_EQ(policy.active(), 2u);
}

TEST(ActiveThreadsPolicyTest, ATrialIsJudgedAgainstSaturatedWindowsOnly) {
  ActiveThreadsPolicy policy(2, Quick());
  // Before the load came: counted in the bar, it would have halved it.
  EXPECT_EQ(Window(policy, 0.0, 10), 1u);
  EXPECT_EQ(Window(policy, 0.9, 1000), 1u);
  EXPECT_EQ(Window(policy, 0.9, 1000), 2u);
  EXPECT_EQ(Window(policy, 1.5, 1050), 2u);
  EXPECT_EQ(Window(policy, 1.5, 1050), 1u);  // 5% over the saturated rate: failed
}

TEST(ActiveThreadsPolicyTest, AWindowBelowSaturationStartsTheCountAgain) {
  ActiveThreadsPolicy policy(2, Quick());
  EXPECT_EQ(Window(policy, 0.9, 1000), 1u);
  EXPECT_EQ(Window(policy, 0.5, 600), 1u);
  EXPECT_EQ(Window(policy, 0.9, 1000), 1u);  // one saturated window since
  EXPECT_EQ(Window(policy, 0.9, 1000), 2u);
}

TEST(ActiveThreadsPolicyTest, TheDefaultsJudgeATrialOverATenthOfASecond) {
  const ActiveThreadsPolicy::Options defaults;
  EXPECT_EQ(defaults.trial_windows * kWindow, milliseconds(100));
  ActiveThreadsPolicy policy(2, defaults);
  for (size_t i = 1; i < defaults.saturated_windows; ++i) ASSERT_EQ(Window(policy, 0.9), 1u);
  ASSERT_EQ(Window(policy, 0.9), 2u);
  for (size_t i = 1; i < defaults.trial_windows; ++i) ASSERT_EQ(Window(policy, 1.5, 1000), 2u);
  EXPECT_EQ(Window(policy, 1.5, 1000), 1u);  // the same throughput: back to one
}

}  // namespace
}  // namespace sockrpc
