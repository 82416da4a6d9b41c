#include "common/busy_poll.h"

#include "gtest/gtest.h"

namespace sockrpc {
namespace {

using std::chrono::microseconds;

const BusyPoll::Clock::time_point kStart = BusyPoll::Clock::time_point() + std::chrono::hours(1);

// Sleeps, is woken `gap` after the last event, handles that event at once.
void WakeAfter(BusyPoll& poll, BusyPoll::Clock::time_point& now, microseconds gap) {
  now += gap;
  poll.OnWokenUp(now);
  poll.OnEvent(now);
}

// From an event at kStart, wakes `poll` `gap` after each event, `times`
// times; returns the time of the last event.
BusyPoll::Clock::time_point WakeRepeatedly(BusyPoll& poll, int times, microseconds gap) {
  BusyPoll::Clock::time_point now = kStart;
  poll.OnEvent(now);
  for (int i = 0; i < times; ++i) WakeAfter(poll, now, gap);
  return now;
}

TEST(BusyPollTest, StartsWithoutPolling) {
  BusyPoll poll(microseconds(200));
  poll.OnEvent(kStart);
  EXPECT_FALSE(poll.KeepPolling(kStart));
  EXPECT_EQ(poll.window(), BusyPoll::Clock::duration::zero());
}

TEST(BusyPollTest, WakeUpsWithinTheLongestWindowGrowItByDoublingUpToIt) {
  BusyPoll poll(microseconds(200));
  BusyPoll::Clock::time_point now = kStart;
  poll.OnEvent(now);
  const microseconds expected[] = {microseconds(10),  microseconds(20),  microseconds(40),
                                   microseconds(80),  microseconds(160), microseconds(200),
                                   microseconds(200)};
  for (const microseconds window : expected) {
    WakeAfter(poll, now, microseconds(150));
    EXPECT_EQ(poll.window(), window);
  }
}

TEST(BusyPollTest, PollsWithinTheWindowAfterAnEvent) {
  BusyPoll poll(microseconds(50));
  const BusyPoll::Clock::time_point now = WakeRepeatedly(poll, 4, microseconds(45));
  ASSERT_EQ(poll.window(), microseconds(50));
  EXPECT_TRUE(poll.KeepPolling(now));
  EXPECT_TRUE(poll.KeepPolling(now + microseconds(49)));
  EXPECT_FALSE(poll.KeepPolling(now + microseconds(50)));
  EXPECT_FALSE(poll.KeepPolling(now + microseconds(5000)));
}

TEST(BusyPollTest, EachEventStartsTheWindowAgain) {
  BusyPoll poll(microseconds(50));
  const BusyPoll::Clock::time_point now = WakeRepeatedly(poll, 4, microseconds(45));
  poll.OnEvent(now + microseconds(40));  // found while polling
  EXPECT_TRUE(poll.KeepPolling(now + microseconds(80)));
  EXPECT_FALSE(poll.KeepPolling(now + microseconds(90)));
  EXPECT_EQ(poll.window(), microseconds(50));
}

TEST(BusyPollTest, LongSleepsHalveTheWindowDownToZero) {
  BusyPoll poll(microseconds(200));
  BusyPoll::Clock::time_point now = WakeRepeatedly(poll, 6, microseconds(100));
  ASSERT_EQ(poll.window(), microseconds(200));
  const microseconds expected[] = {microseconds(100), microseconds(50), microseconds(25),
                                   microseconds(12)};
  for (const microseconds window : expected) {
    WakeAfter(poll, now, microseconds(201));
    EXPECT_EQ(std::chrono::duration_cast<microseconds>(poll.window()), window);
  }
  WakeAfter(poll, now, std::chrono::milliseconds(10));  // 6.25 us: under the start
  EXPECT_EQ(poll.window(), BusyPoll::Clock::duration::zero());
  EXPECT_FALSE(poll.KeepPolling(now));
}

TEST(BusyPollTest, TheFirstWakeUpCountsAsALongSleep) {
  BusyPoll poll(microseconds(200));
  poll.OnWokenUp(kStart);
  EXPECT_EQ(poll.window(), BusyPoll::Clock::duration::zero());
}

TEST(BusyPollTest, AZeroWindowNeverPolls) {
  BusyPoll poll(microseconds(0));
  const BusyPoll::Clock::time_point now = WakeRepeatedly(poll, 4, microseconds(1));
  EXPECT_FALSE(poll.KeepPolling(now));
}

TEST(BusyPollWindowTest, OneCpuTurnsPollingOff) {
  EXPECT_EQ(BusyPollWindow(microseconds(50), 1), BusyPoll::Clock::duration::zero());
  EXPECT_EQ(BusyPollWindow(microseconds(50), 2), microseconds(50));
  EXPECT_EQ(BusyPollWindow(microseconds(0), 8), BusyPoll::Clock::duration::zero());
}

TEST(DescribeBusyPollTest, NamesTheWindowOrItsAbsence) {
  EXPECT_EQ(DescribeBusyPoll(microseconds(50)), "busy polling up to 50us");
  EXPECT_EQ(DescribeBusyPoll(microseconds(0)), "no busy polling");
}

}  // namespace
}  // namespace sockrpc
