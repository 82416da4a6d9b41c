// Both legacy protocols end to end in one process: a client on the bridge's
// port, the bridge, the core over gRPC, and back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/legacy_bridge/in_process_bridge.h"
#include "tests/legacy_bridge/loopback_client.h"

namespace sockrpc {
namespace {

constexpr char kGreeting[] = "Hello. Nice to see you.";

using LegacyPortsTest = InProcessBridgeTest;

TEST_F(LegacyPortsTest, TimeSendsOneCtimeLineThenCloses) {
  StartBoth();
  LoopbackClient client(bridge_->time_address());
  ASSERT_TRUE(client.connected());
  // time.ctime(): "Sun Dec  6 12:34:56 2026", then the newline.
  EXPECT_THAT(client.ReadUntilClose(),
              testing::MatchesRegex("[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 1-3][0-9] "
                                    "[0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9][0-9][0-9][0-9]\n"));
}

TEST_F(LegacyPortsTest, SquaresGreetsThenAnswersPipelinedLinesInOrder) {
  StartBoth();
  LoopbackClient client(bridge_->square_address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("Hi there!\n"));
  EXPECT_EQ(client.ReadExact(sizeof(kGreeting) - 1), kGreeting);
  ASSERT_TRUE(client.Send("1\n2\n3\n"));
  EXPECT_EQ(client.ReadExact(3), "149");
}

TEST_F(LegacyPortsTest, AnErrorLineKeepsItsPlaceAmongTheSquares) {
  StartBoth();
  LoopbackClient client(bridge_->square_address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("Hi there!\n2\nx\n3\n"));
  EXPECT_EQ(client.ReadExact(sizeof(kGreeting) - 1), kGreeting);
  EXPECT_EQ(client.ReadExact(1), "4");
  EXPECT_EQ(client.ReadLine(), "ERROR invalid literal for int() with base 10: b'x'\n");
  EXPECT_EQ(client.ReadExact(1), "9");
}

TEST_F(LegacyPortsTest, HalfCloseAnswersTheLastMessageThenCloses) {
  StartBoth();
  LoopbackClient client(bridge_->square_address());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("Hi there!\n6"));
  client.HalfClose();
  EXPECT_EQ(client.ReadUntilClose(), std::string(kGreeting) + "36");
}

TEST_F(LegacyPortsTest, ConnectionsPastTheLimitGetAnErrorLine) {
  bridge_options_.max_connections = 1;
  StartBoth();
  LoopbackClient held(bridge_->square_address());
  ASSERT_TRUE(held.connected());
  ASSERT_TRUE(held.Send("Hi there!\n"));
  ASSERT_EQ(held.ReadExact(sizeof(kGreeting) - 1), kGreeting);
  LoopbackClient extra(bridge_->square_address());
  ASSERT_TRUE(extra.connected());
  EXPECT_THAT(extra.ReadUntilClose(),
              testing::StartsWith("ERROR too many connections (limit 1)"));
  ASSERT_TRUE(held.Send("5\n"));
  EXPECT_EQ(held.ReadExact(2), "25");
}

}  // namespace
}  // namespace sockrpc
