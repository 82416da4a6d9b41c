#include "legacy_bridge/connections/tcp_timing.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace sockrpc {
namespace {

// A round trip longer than this is not waited for: past it, the client's
// pieces are too far apart to call back to back anyway.
constexpr std::chrono::microseconds kMaxRoundTripWait{std::chrono::seconds(1)};

}  // namespace

void AcknowledgeNow(int fd) {
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

std::chrono::microseconds SmoothedRoundTrip(int fd) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) {
    return std::chrono::microseconds(0);
  }
  return std::chrono::microseconds(info.tcpi_rtt);
}

std::chrono::microseconds LinePause(std::chrono::milliseconds configured,
                                    std::chrono::microseconds round_trip) {
  return configured + std::clamp(round_trip, std::chrono::microseconds(0), kMaxRoundTripWait);
}

}  // namespace sockrpc
