#include "rpc_server/unix_socket_file.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace sockrpc {
namespace {

absl::Status Refuse(const std::string& path, absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat("cannot listen on unix:", path, ": ", why));
}

// errno of a non-blocking connect to the socket at `path`; 0 if it connected.
int ConnectError(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  const int result = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int error = result == 0 ? 0 : errno;
  close(fd);
  return error;
}

}  // namespace

absl::Status ClearStaleUnixSocket(const std::string& path) {
  struct stat status {};
  if (lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return Refuse(path, std::strerror(errno));
  }
  if (!S_ISSOCK(status.st_mode)) {
    return Refuse(path, "the file exists and is not a socket; remove it or choose another path");
  }
  // A full backlog (EAGAIN) also means someone is listening.
  const int error = ConnectError(path);
  if (error != ECONNREFUSED) {
    if (error == 0 || error == EAGAIN) return Refuse(path, "another process is listening there");
    return Refuse(path, absl::StrCat("cannot check the existing socket: ", std::strerror(error)));
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Refuse(path, absl::StrCat("cannot remove the stale socket: ", std::strerror(errno)));
  }
  LogInfo(absl::StrCat("removed the stale socket unix:", path, " (nothing listened there)"));
  return absl::OkStatus();
}

}  // namespace sockrpc
