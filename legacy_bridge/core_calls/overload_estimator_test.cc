#include "legacy_bridge/core_calls/overload_estimator.h"

#include <chrono>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

using Clock = OverloadEstimator::Clock;
using std::chrono::milliseconds;

OverloadEstimator::Options MaxWait(milliseconds max_wait) {
  return OverloadEstimator::Options{.max_wait = max_wait, .window = milliseconds(100)};
}

// Keeps one request waiting at the core while it answers `per_second`, for
// `duration` from `start`; returns the end, with nothing in flight.
Clock::time_point Serve(OverloadEstimator& estimator, Clock::time_point start, int per_second,
                        milliseconds duration) {
  const auto step = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
                    per_second;
  Clock::time_point now = start;
  estimator.OnSent(now, 1);
  for (Clock::time_point end = start + duration; now < end; now += step) {
    estimator.OnSent(now, 1);
    estimator.OnAnswered(now);
  }
  estimator.OnForgotten(1);
  return now;
}

TEST(OverloadEstimatorTest, NothingIsShedWhileTheThroughputIsUnknown) {
  OverloadEstimator estimator(MaxWait(milliseconds(1000)));
  const Clock::time_point start = Clock::now();
  estimator.OnSent(start, 100'000);
  EXPECT_FALSE(estimator.ShouldShed(start + milliseconds(50)));
  EXPECT_EQ(estimator.ExpectedWait(), Clock::duration::zero());
}

TEST(OverloadEstimatorTest, ExpectedWaitIsInFlightOverThroughput) {
  OverloadEstimator estimator(MaxWait(milliseconds(1000)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  EXPECT_NEAR(estimator.throughput(), 1000, 50);
  estimator.OnSent(now, 500);  // half a second of work
  EXPECT_FALSE(estimator.ShouldShed(now));
  EXPECT_NEAR(std::chrono::duration<double>(estimator.ExpectedWait()).count(), 0.5, 0.05);
  estimator.OnSent(now, 1000);  // one and a half seconds
  EXPECT_TRUE(estimator.ShouldShed(now));
}

TEST(OverloadEstimatorTest, NearSheddingFromHalfTheLongestWait) {
  OverloadEstimator estimator(MaxWait(milliseconds(1000)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now, 400);  // 0.4 s of work
  EXPECT_FALSE(estimator.NearShedding());
  estimator.OnSent(now, 200);  // 0.6 s
  EXPECT_TRUE(estimator.NearShedding());
  EXPECT_FALSE(estimator.ShouldShed(now));
}

TEST(OverloadEstimatorTest, NeverNearSheddingWhileSheddingIsOff) {
  OverloadEstimator estimator(MaxWait(milliseconds(0)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now, 100'000);
  EXPECT_FALSE(estimator.NearShedding());
}

TEST(OverloadEstimatorTest, SheddingStopsOnceTheBacklogIsAnswered) {
  OverloadEstimator estimator(MaxWait(milliseconds(200)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now, 400);
  EXPECT_TRUE(estimator.ShouldShed(now));
  for (int i = 0; i < 300; ++i) estimator.OnAnswered(now += milliseconds(1));
  EXPECT_FALSE(estimator.ShouldShed(now));
  EXPECT_EQ(estimator.in_flight(), 100u);
}

TEST(OverloadEstimatorTest, ForgottenRequestsLeaveTheBacklog) {
  OverloadEstimator estimator(MaxWait(milliseconds(200)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now, 400);
  EXPECT_TRUE(estimator.ShouldShed(now));
  estimator.OnForgotten(350);
  EXPECT_FALSE(estimator.ShouldShed(now));
  estimator.OnForgotten(1000);  // never below zero
  EXPECT_EQ(estimator.in_flight(), 0u);
}

TEST(OverloadEstimatorTest, ACoreThatStopsAnsweringIsLeftToTheDeadline) {
  // Windows without answers keep the last throughput: a dead core's sessions
  // wait for --deadline instead of being told "overloaded".
  OverloadEstimator estimator(MaxWait(milliseconds(1000)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now, 50);
  for (int i = 0; i < 30; ++i) EXPECT_FALSE(estimator.ShouldShed(now += milliseconds(100)));
  EXPECT_NEAR(estimator.throughput(), 1000, 50);
}

TEST(OverloadEstimatorTest, LightLoadSaysNothingAboutCapacity) {
  // One lockstep client: nothing waits between its messages.
  OverloadEstimator estimator(MaxWait(milliseconds(1000)));
  Clock::time_point now = Clock::now();
  for (int i = 0; i < 100; ++i) {
    estimator.OnSent(now, 1);
    estimator.OnAnswered(now += milliseconds(2));
    now += milliseconds(50);
  }
  EXPECT_EQ(estimator.throughput(), 0);
  estimator.OnSent(now, 10'000);  // a burst: not shed before its rate is known
  EXPECT_FALSE(estimator.ShouldShed(now));
}

TEST(OverloadEstimatorTest, ALullDoesNotCountAsASlowCore) {
  OverloadEstimator estimator(MaxWait(milliseconds(1000)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now += std::chrono::seconds(30), 1);
  estimator.OnAnswered(now += milliseconds(1));
  estimator.OnSent(now += milliseconds(200), 0);
  EXPECT_NEAR(estimator.throughput(), 1000, 50);
}

TEST(OverloadEstimatorTest, ZeroMaxWaitNeverSheds) {
  OverloadEstimator estimator(MaxWait(milliseconds(0)));
  Clock::time_point now = Serve(estimator, Clock::now(), 1000, milliseconds(500));
  estimator.OnSent(now, 1'000'000);
  EXPECT_FALSE(estimator.ShouldShed(now));
}

}  // namespace
}  // namespace sockrpc
