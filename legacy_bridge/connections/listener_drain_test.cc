// Real loopback sockets: what StopNewHandshakes lets through and what
// TakeQueuedConnections returns.
#include "legacy_bridge/connections/listener_drain.h"

#include <chrono>
#include <string>
#include <vector>

#include <asio/read.hpp>
#include <asio/io_context.hpp>
#include <asio/write.hpp>

#include "gtest/gtest.h"

namespace sockrpc {
namespace {

using asio::ip::tcp;

class ListenerDrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::address_v4::loopback(), 0});
    acceptor_.listen();
  }

  // Connects without waiting; the kernel completes the handshake (or not).
  tcp::socket StartConnect() {
    tcp::socket socket(context_);
    socket.async_connect(acceptor_.local_endpoint(), [](const asio::error_code&) {});
    return socket;
  }

  // Runs the context until `socket` is connected or `limit` passes.
  bool ConnectsWithin(const tcp::socket& socket, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    asio::error_code error;
    while (std::chrono::steady_clock::now() < deadline) {
      context_.run_for(std::chrono::milliseconds(10));
      context_.restart();
      socket.remote_endpoint(error);
      if (!error) return true;
    }
    return false;
  }

  asio::io_context context_;
  tcp::acceptor acceptor_{context_};
};

TEST_F(ListenerDrainTest, QueuedConnectionsAreTakenAndNewOnesDoNotComplete) {
  tcp::socket first = StartConnect();
  tcp::socket second = StartConnect();
  ASSERT_TRUE(ConnectsWithin(first, std::chrono::seconds(5)));
  ASSERT_TRUE(ConnectsWithin(second, std::chrono::seconds(5)));

  ASSERT_FALSE(StopNewHandshakes(acceptor_));
  tcp::socket late = StartConnect();
  // Its SYN is dropped: no answer before the client's first retry (1 s).
  EXPECT_FALSE(ConnectsWithin(late, std::chrono::milliseconds(300)));

  std::vector<QueuedConnection> queued = TakeQueuedConnections(acceptor_);
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[0].peer, first.local_endpoint());
  EXPECT_EQ(queued[1].peer, second.local_endpoint());
  EXPECT_TRUE(TakeQueuedConnections(acceptor_).empty());

  // The taken connections are live: bytes pass both ways.
  asio::write(queued[0].socket, asio::buffer("ok", 2));
  char reply[2];
  asio::read(first, asio::buffer(reply));
  EXPECT_EQ(std::string(reply, 2), "ok");
}

TEST_F(ListenerDrainTest, AnEmptyQueueGivesNothingAndDoesNotBlock) {
  EXPECT_TRUE(TakeQueuedConnections(acceptor_).empty());
}

}  // namespace
}  // namespace sockrpc
