// channelz as JSON for the admin port (GET /channelz/<page>), read from gRPC
// core's channelz registry. channelz reveals the address of every peer, so it
// is not served on the public gRPC port unless asked for (rpc_server
// --channelz); the admin port is the operator's.
#ifndef SOCKRPC_COMMON_CHANNELZ_PAGES_H_
#define SOCKRPC_COMMON_CHANNELZ_PAGES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

// The pages and what `id` means for each, for the admin port's index.
inline constexpr const char* kChannelzPagesHelp =
    "/channelz/channels?id=START  top channels (the bridge's channel to the core)\n"
    "/channelz/channel?id=ID      one channel\n"
    "/channelz/subchannel?id=ID   one subchannel (a connection to one replica)\n"
    "/channelz/servers?id=START   servers (the core's gRPC port)\n"
    "/channelz/server?id=ID       one server\n"
    "/channelz/server_sockets?id=ID  the client connections of one server\n"
    "/channelz/socket?id=ID       one socket\n";

// The JSON gRPC's channelz gives for `page` (as above) and `id`. NOT_FOUND for
// an unknown page or an id that names nothing.
absl::StatusOr<std::string> ChannelzPage(absl::string_view page, int64_t id);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_CHANNELZ_PAGES_H_
