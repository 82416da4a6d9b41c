#include "legacy_bridge/connections/peer_name.h"

#include "absl/strings/str_cat.h"

namespace sockrpc {

std::string PeerName(const asio::ip::tcp::endpoint& peer) {
  const std::string host = peer.address().to_string();
  return peer.address().is_v6() ? absl::StrCat("[", host, "]:", peer.port())
                                 : absl::StrCat(host, ":", peer.port());
}

}  // namespace sockrpc
