// Real loopback sockets: a descriptor from accept4() outside Asio's reactor,
// and the hand-over to an Asio socket for the paths that wait.
#include "legacy_bridge/connections/accepted_socket.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <string>

#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "gtest/gtest.h"

namespace sockrpc {
namespace {

using asio::ip::tcp;

class AcceptedSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.connect(acceptor_.local_endpoint());
    descriptor_ = ::accept4(acceptor_.native_handle(), nullptr, nullptr,
                            SOCK_NONBLOCK | SOCK_CLOEXEC);
    ASSERT_GE(descriptor_, 0);
  }

  std::string ReadUntilEof() {
    std::string received;
    asio::error_code error;
    asio::read(client_, asio::dynamic_buffer(received), error);
    EXPECT_EQ(error, asio::error::eof);
    return received;
  }

  asio::io_context context_;
  tcp::acceptor acceptor_{context_, {asio::ip::address_v4::loopback(), 0}};
  tcp::socket client_{context_};
  int descriptor_ = -1;
};

TEST_F(AcceptedSocketTest, ClosesItsDescriptorWhenDestroyed) {
  {
    AcceptedSocket socket(descriptor_, tcp::v4(), context_.get_executor());
    EXPECT_TRUE(socket.is_open());
    EXPECT_EQ(socket.native_handle(), descriptor_);
  }
  EXPECT_EQ(::fcntl(descriptor_, F_GETFD), -1);
  EXPECT_EQ(ReadUntilEof(), "");
}

TEST_F(AcceptedSocketTest, HandsItsDescriptorToAnAsioSocket) {
  AcceptedSocket socket(descriptor_, tcp::v4(), context_.get_executor());
  tcp::socket taken = socket.TakeAsio();
  EXPECT_FALSE(socket.is_open());
  ASSERT_TRUE(taken.is_open());
  EXPECT_EQ(taken.native_handle(), descriptor_);
  asio::write(taken, asio::buffer(std::string("line\n")));
  taken.close();
  EXPECT_EQ(ReadUntilEof(), "line\n");
}

TEST_F(AcceptedSocketTest, TakesTheDescriptorOfAnAsioSocket) {
  tcp::socket asio_socket(context_);
  asio_socket.assign(tcp::v4(), descriptor_);
  AcceptedSocket socket(std::move(asio_socket));
  ASSERT_TRUE(socket.is_open());
  EXPECT_EQ(socket.native_handle(), descriptor_);
  EXPECT_EQ(::send(socket.native_handle(), "x\n", 2, MSG_NOSIGNAL), 2);
  AcceptedSocket moved = std::move(socket);
  EXPECT_FALSE(socket.is_open());  // NOLINT(bugprone-use-after-move): moved-from is closed
  moved.Close();
  EXPECT_EQ(ReadUntilEof(), "x\n");
}

}  // namespace
}  // namespace sockrpc
