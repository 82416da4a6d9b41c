// The core on a Unix domain socket: served like TCP, a stale socket file
// replaced, a live one or a non-socket file left alone.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/rpc_server/in_process_server.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;

class UnixSocketListenTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sockrpc-unix-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr) << std::strerror(errno);
    directory_ = pattern;
    path_ = directory_ + "/core.sock";
    options_.listen = "unix:" + path_;
  }

  void TearDown() override {
    InProcessServerTest::TearDown();
    unlink(path_.c_str());
    rmdir(directory_.c_str());
  }

  bool PathExists() const {
    struct stat status {};
    return lstat(path_.c_str(), &status) == 0;
  }

  // A socket file with nothing listening: what a core killed with SIGKILL leaves.
  void LeaveStaleSocket() const {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0)
        << std::strerror(errno);
    close(fd);
  }

  void ExpectSquareServed() {
    SquareRequest request;
    request.set_value(12);
    SquareResponse response;
    const grpc::Status status = square_->Square(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.square(), "144");
  }

  std::string directory_;
  std::string path_;
};

TEST_F(UnixSocketListenTest, ServesOnTheSocketAndRemovesItOnShutdown) {
  StartServer();
  EXPECT_EQ(server_->address(), "unix:" + path_);
  ExpectSquareServed();
  server_->Shutdown(absl::Seconds(1));
  server_.reset();
  EXPECT_FALSE(PathExists());
}

TEST_F(UnixSocketListenTest, ReplacesAStaleSocketFile) {
  LeaveStaleSocket();
  ASSERT_TRUE(PathExists());
  StartServer();
  ExpectSquareServed();
}

TEST_F(UnixSocketListenTest, RefusesASocketAnotherServerListensOn) {
  StartServer();
  auto second = RpcServer::Start(options_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another process is listening"), std::string::npos)
      << second.status();
  ExpectSquareServed();
}

TEST_F(UnixSocketListenTest, LeavesAFileThatIsNotASocket) {
  std::ofstream(path_) << "keep me\n";
  auto server = RpcServer::Start(options_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("not a socket"), std::string::npos) << server.status();
  std::string kept;
  std::getline(std::ifstream(path_), kept);
  EXPECT_EQ(kept, "keep me");
}

TEST_F(UnixSocketListenTest, MissingDirectoryIsAnError) {
  options_.listen = "unix:" + directory_ + "/no/such/dir/core.sock";
  auto server = RpcServer::Start(options_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("unix:"), std::string::npos) << server.status();
}

}  // namespace
}  // namespace sockrpc
