// LinePause is pure; the two socket calls run on a real loopback connection.
#include "legacy_bridge/connections/tcp_timing.h"

#include <chrono>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "gtest/gtest.h"

namespace sockrpc {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(LinePauseTest, AddsTheRoundTripToTheConfiguredPause) {
  EXPECT_EQ(LinePause(milliseconds(10), microseconds(0)), microseconds(10'000));
  EXPECT_EQ(LinePause(milliseconds(10), microseconds(45)), microseconds(10'045));
  EXPECT_EQ(LinePause(milliseconds(10), milliseconds(80)), microseconds(90'000));
  EXPECT_EQ(LinePause(milliseconds(0), microseconds(30)), microseconds(30));
}

TEST(LinePauseTest, WaitsForAtMostOneSecondOfRoundTrip) {
  EXPECT_EQ(LinePause(milliseconds(10), std::chrono::seconds(30)), microseconds(1'010'000));
  EXPECT_EQ(LinePause(milliseconds(10), microseconds(-5)), microseconds(10'000));
}

TEST(TcpTimingTest, ReadsTheRoundTripOfALoopbackConnection) {
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor(context, {asio::ip::address_v4::loopback(), 0});
  asio::ip::tcp::socket client(context);
  client.connect(acceptor.local_endpoint());
  asio::ip::tcp::socket server = acceptor.accept();
  const std::string message = "12";
  asio::write(client, asio::buffer(message));
  std::string received(message.size(), '\0');
  asio::read(server, asio::buffer(received));
  EXPECT_EQ(received, message);

  AcknowledgeNow(server.native_handle());  // harmless with nothing left to acknowledge
  const microseconds round_trip = SmoothedRoundTrip(server.native_handle());
  EXPECT_GT(round_trip, microseconds(0));  // the handshake was measured
  EXPECT_LT(round_trip, std::chrono::seconds(1));
}

TEST(TcpTimingTest, ReportsZeroForWhatIsNotATcpSocket) {
  EXPECT_EQ(SmoothedRoundTrip(-1), microseconds(0));
  AcknowledgeNow(-1);  // ignored
}

}  // namespace
}  // namespace sockrpc
