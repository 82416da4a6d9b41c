// Both legacy protocols end to end in one process: a client on the bridge's
// port, the bridge, the core over gRPC, and back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

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

// Many sessions' lines share the core's messages, so one session's answers
// come back spread over several messages, some among the first few of a
// message (taken by the completion thread) and some not (taken on the event
// loop): the session still gets every answer, in order.
TEST_F(LegacyPortsTest, AnswersSpreadOverTheCoresMessagesStayInOrder) {
  StartBoth();
  constexpr int kClients = 16;
  constexpr int kLines = 300;
  std::string lines;
  std::string squares;
  for (int i = 1; i <= kLines; ++i) {
    lines += std::to_string(i) + "\n";
    squares += std::to_string(i * i);
  }
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::make_unique<LoopbackClient>(bridge_->square_address()));
    ASSERT_TRUE(clients.back()->connected());
    ASSERT_TRUE(clients.back()->Send("Hi there!\n"));
    ASSERT_EQ(clients.back()->ReadExact(sizeof(kGreeting) - 1), kGreeting);
  }
  for (auto& client : clients) ASSERT_TRUE(client->Send(lines));
  for (auto& client : clients) EXPECT_EQ(client->ReadExact(squares.size()), squares);
}

}  // namespace
}  // namespace sockrpc
