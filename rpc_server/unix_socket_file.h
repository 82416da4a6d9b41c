// The file of a Unix domain socket the core is about to listen on: a file
// left by a core that crashed is removed, a core still listening there is
// not displaced, and anything that is not a socket is left alone.
#ifndef SOCKRPC_RPC_SERVER_UNIX_SOCKET_FILE_H_
#define SOCKRPC_RPC_SERVER_UNIX_SOCKET_FILE_H_

#include <string>

#include "absl/status/status.h"

namespace sockrpc {

// OK when nothing is at `path` or a stale socket was removed (logged).
// FAILED_PRECONDITION, naming the path, when a process accepts connections
// there, when the path is not a socket, or when it cannot be checked.
absl::Status ClearStaleUnixSocket(const std::string& path);

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_UNIX_SOCKET_FILE_H_
