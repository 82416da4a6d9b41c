#include "common/service_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sockrpc {
namespace {

// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
 public:
  NotifySocket() {
    dir_ = std::filesystem::temp_directory_path() / absl::StrCat("notify-test-", getpid());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "notify").string();
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    timeval timeout{5, 0};  // bounds every receive
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(fd_);
    std::filesystem::remove_all(dir_);
  }

  // The next message containing `needle`, within 20 messages; "" if none.
  std::string ReceiveContaining(const std::string& needle) {
    for (int i = 0; i < 20; ++i) {
      char buffer[4096];
      const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
      if (got <= 0) return "";
      std::string message(buffer, static_cast<size_t>(got));
      if (absl::StrContains(message, needle)) return message;
    }
    return "";
  }

 private:
  std::filesystem::path dir_;
  std::string path_;
  int fd_ = -1;
};

TEST(WatchdogPingPeriodTest, IsHalfTheTimeoutAndOffForZero) {
  EXPECT_EQ(WatchdogPingPeriod(0), std::nullopt);
  EXPECT_EQ(WatchdogPingPeriod(10'000'000), absl::Seconds(5));
}

TEST(ServiceNotifierTest, SendsReadyAndStoppingWithStatus) {
  NotifySocket notify;
  ServiceNotifier notifier;
  EXPECT_EQ(notifier.watchdog_period(), std::nullopt);
  notifier.Ready("serving on 127.0.0.1:1");
  EXPECT_EQ(notify.ReceiveContaining("READY=1"), "READY=1\nSTATUS=serving on 127.0.0.1:1");
  notifier.Stopping("draining");
  EXPECT_EQ(notify.ReceiveContaining("STOPPING=1"), "STOPPING=1\nSTATUS=draining");
}

TEST(ServiceNotifierTest, PingsTheWatchdogWhenSystemdAsks) {
  NotifySocket notify;
  setenv("WATCHDOG_USEC", "200000", 1);
  setenv("WATCHDOG_PID", absl::StrCat(getpid()).c_str(), 1);
  ServiceNotifier notifier;
  EXPECT_EQ(notifier.watchdog_period(), absl::Milliseconds(100));
  // The first ping at once, then one per period.
  EXPECT_EQ(notify.ReceiveContaining("WATCHDOG=1"), "WATCHDOG=1");
  EXPECT_EQ(notify.ReceiveContaining("WATCHDOG=1"), "WATCHDOG=1");
}

TEST(ServiceNotifierTest, DoesNothingOutsideSystemd) {
  unsetenv("NOTIFY_SOCKET");
  ServiceNotifier notifier;
  EXPECT_EQ(notifier.watchdog_period(), std::nullopt);
  notifier.Ready("ignored");  // no socket: nothing sent, nothing fails
}

}  // namespace
}  // namespace sockrpc
