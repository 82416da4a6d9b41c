#include "common/busy_poll.h"

#include "gtest/gtest.h"

namespace sockrpc {
namespace {

using std::chrono::microseconds;

const BusyPoll::Clock::time_point kStart = BusyPoll::Clock::time_point() + std::chrono::hours(1);

TEST(BusyPollTest, PollsWithinTheWindowAfterAnEvent) {
  BusyPoll poll(microseconds(50));
  poll.OnEvent(kStart);
  EXPECT_TRUE(poll.KeepPolling(kStart));
  EXPECT_TRUE(poll.KeepPolling(kStart + microseconds(49)));
  EXPECT_FALSE(poll.KeepPolling(kStart + microseconds(50)));
  EXPECT_FALSE(poll.KeepPolling(kStart + microseconds(5000)));
}

TEST(BusyPollTest, EachEventStartsTheWindowAgain) {
  BusyPoll poll(microseconds(50));
  poll.OnEvent(kStart);
  poll.OnEvent(kStart + microseconds(40));
  EXPECT_TRUE(poll.KeepPolling(kStart + microseconds(80)));
  EXPECT_FALSE(poll.KeepPolling(kStart + microseconds(90)));
}

TEST(BusyPollTest, BeforeAnyEventItSleeps) {
  BusyPoll poll(microseconds(50));
  EXPECT_FALSE(poll.KeepPolling(kStart));
}

TEST(BusyPollTest, AZeroWindowNeverPolls) {
  BusyPoll poll(microseconds(0));
  poll.OnEvent(kStart);
  EXPECT_FALSE(poll.KeepPolling(kStart));
}

TEST(BusyPollWindowTest, OneCpuTurnsPollingOff) {
  EXPECT_EQ(BusyPollWindow(microseconds(50), 1), BusyPoll::Clock::duration::zero());
  EXPECT_EQ(BusyPollWindow(microseconds(50), 2), microseconds(50));
  EXPECT_EQ(BusyPollWindow(microseconds(0), 8), BusyPoll::Clock::duration::zero());
}

TEST(DescribeBusyPollTest, NamesTheWindowOrItsAbsence) {
  EXPECT_EQ(DescribeBusyPoll(microseconds(50)), "busy polling 50us");
  EXPECT_EQ(DescribeBusyPoll(microseconds(0)), "no busy polling");
}

}  // namespace
}  // namespace sockrpc
