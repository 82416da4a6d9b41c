// Real loopback sockets: what a client sees after each way of closing.
#include "legacy_bridge/connections/socket_closer.h"

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "gtest/gtest.h"

namespace sockrpc {
namespace {

using asio::ip::tcp;
using std::chrono::milliseconds;

constexpr milliseconds kLinger{2000};
const std::string kLine = "Sun Nov 22 19:00:00 2026\n";

class SocketCloserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(context_, {asio::ip::address_v4::loopback(), 0});
    client_.connect(acceptor.local_endpoint());
    server_ = acceptor.accept();
  }

  // Runs the context (the closer's reads and timer) for `duration`, also
  // once it has no work left.
  void RunFor(milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
      context_.restart();
      if (context_.run_until(end) == 0) std::this_thread::sleep_for(milliseconds(5));
    }
  }

  // Waits, bounded, until the server's kernel holds `bytes` unread bytes.
  void AwaitUnreadAtServer(size_t bytes) {
    for (int i = 0; i < 200 && server_.available() < bytes; ++i) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    ASSERT_EQ(server_.available(), bytes);
  }

  // What the client reads up to the server's FIN (the line, if all is well).
  std::string ReadUntilEof() {
    std::string received;
    asio::error_code error;
    asio::read(client_, asio::dynamic_buffer(received), error);
    EXPECT_EQ(error, asio::error::eof);
    return received;
  }

  // The client writes after the EOF. A closed socket answers with a reset,
  // which a client that has read the FIN sees as a pending EPIPE (Linux);
  // a draining one takes the bytes quietly (0).
  int PendingErrorAfterLateWrite() {
    asio::write(client_, asio::buffer(std::string("late\n")));
    RunFor(milliseconds(300));
    asio::detail::socket_option::integer<SOL_SOCKET, SO_ERROR> pending_error;
    client_.get_option(pending_error);
    return pending_error.value();
  }

  asio::io_context context_;
  tcp::socket client_{context_};
  tcp::socket server_{context_};
};

TEST_F(SocketCloserTest, NothingUnreadClosesAtOnceAfterTheLine) {
  asio::write(server_, asio::buffer(kLine));
  CloseUnlessInputPending(std::move(server_), kLinger);
  EXPECT_EQ(ReadUntilEof(), kLine);
  EXPECT_EQ(PendingErrorAfterLateWrite(), EPIPE);
}

TEST_F(SocketCloserTest, UnreadInputIsDrainedSoTheLineIsNotReset) {
  asio::write(client_, asio::buffer(std::string("GET / HTTP/1.0\r\n\r\n")));
  AwaitUnreadAtServer(18);
  asio::write(server_, asio::buffer(kLine));
  CloseUnlessInputPending(std::move(server_), kLinger);
  RunFor(milliseconds(50));
  EXPECT_EQ(ReadUntilEof(), kLine);
  // Still draining: the late bytes are taken quietly, no reset.
  EXPECT_EQ(PendingErrorAfterLateWrite(), 0);
}

TEST_F(SocketCloserTest, ClientHalfCloseIsNotInputToDrain) {
  client_.shutdown(tcp::socket::shutdown_send);
  std::this_thread::sleep_for(milliseconds(50));  // the FIN reaches the server
  asio::write(server_, asio::buffer(kLine));
  CloseUnlessInputPending(std::move(server_), kLinger);
  EXPECT_EQ(ReadUntilEof(), kLine);
}

TEST_F(SocketCloserTest, CloseAfterDrainingWaitsForTheClientEvenWithNothingUnread) {
  asio::write(server_, asio::buffer(kLine));
  CloseAfterDraining(std::move(server_), kLinger);
  RunFor(milliseconds(50));
  EXPECT_EQ(ReadUntilEof(), kLine);
  EXPECT_EQ(PendingErrorAfterLateWrite(), 0);
}

TEST_F(SocketCloserTest, DrainingEndsWhenTheLingerRunsOut) {
  asio::write(client_, asio::buffer(std::string("x")));
  AwaitUnreadAtServer(1);
  CloseUnlessInputPending(std::move(server_), milliseconds(100));
  RunFor(milliseconds(300));  // past the linger: the server's socket is closed
  EXPECT_EQ(ReadUntilEof(), "");
  EXPECT_EQ(PendingErrorAfterLateWrite(), EPIPE);
}

}  // namespace
}  // namespace sockrpc
