#include "legacy_bridge/connections/listener_drain.h"

#include <linux/filter.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <iterator>

namespace sockrpc {
namespace {

// The kernel's backlog limit (net.core.somaxconn) is far below this; the cap
// only keeps the loop finite whatever the kernel does.
constexpr int kMaxQueuedConnections = 1 << 16;

}  // namespace

asio::error_code StopNewHandshakes(asio::ip::tcp::acceptor& acceptor) {
  // Classic BPF, run on each packet with the TCP header at offset 0: drop
  // (keep 0 bytes) when the SYN flag is set, else keep the whole packet.
  constexpr uint32_t kTcpFlagsOffset = 13;
  constexpr uint32_t kSynFlag = 0x02;
  sock_filter drop_syns[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kTcpFlagsOffset),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kSynFlag, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffffU),
  };
  const sock_fprog program{static_cast<unsigned short>(std::size(drop_syns)), drop_syns};
  if (setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_ATTACH_FILTER, &program,
                 sizeof program) != 0) {
    return {errno, asio::error::get_system_category()};
  }
  return {};
}

std::vector<QueuedConnection> TakeQueuedConnections(asio::ip::tcp::acceptor& acceptor) {
  std::vector<QueuedConnection> queued;
  asio::error_code error;
  acceptor.cancel(error);
  acceptor.non_blocking(true, error);
  if (error) return queued;
  for (int i = 0; i < kMaxQueuedConnections; ++i) {
    asio::ip::tcp::endpoint peer;
    asio::ip::tcp::socket socket = acceptor.accept(peer, error);
    if (error) break;  // would_block: the queue is empty
    queued.push_back({std::move(socket), peer});
  }
  return queued;
}

}  // namespace sockrpc
