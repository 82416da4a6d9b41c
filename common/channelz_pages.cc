#include "common/channelz_pages.h"

#include <grpc/grpc.h>
#include <grpc/support/alloc.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

// Server sockets listed per page, as channelz's own service limits them.
constexpr intptr_t kMaxSockets = 100;

char* Query(absl::string_view page, intptr_t id) {
  if (page == "channels") return grpc_channelz_get_top_channels(id);
  if (page == "channel") return grpc_channelz_get_channel(id);
  if (page == "subchannel") return grpc_channelz_get_subchannel(id);
  if (page == "servers") return grpc_channelz_get_servers(id);
  if (page == "server") return grpc_channelz_get_server(id);
  if (page == "server_sockets") return grpc_channelz_get_server_sockets(id, 0, kMaxSockets);
  if (page == "socket") return grpc_channelz_get_socket(id);
  return nullptr;
}

}  // namespace

absl::StatusOr<std::string> ChannelzPage(absl::string_view page, int64_t id) {
  std::unique_ptr<char, decltype(&gpr_free)> json(Query(page, static_cast<intptr_t>(id)),
                                                  &gpr_free);
  if (json == nullptr) {
    return absl::NotFoundError(absl::StrCat("no channelz ", page, " with id ", id));
  }
  return std::string(json.get());
}

}  // namespace sockrpc
