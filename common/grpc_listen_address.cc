#include "common/grpc_listen_address.h"

#include <sys/un.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

constexpr absl::string_view kUnixScheme = "unix:";
// sun_path holds the path and its terminating NUL.
constexpr size_t kMaxUnixPathBytes = sizeof(sockaddr_un{}.sun_path) - 1;

}  // namespace

std::string GrpcListenAddress::ToString() const {
  return is_unix() ? absl::StrCat(kUnixScheme, unix_path) : tcp.ToString();
}

absl::StatusOr<GrpcListenAddress> ParseGrpcListenAddress(absl::string_view text) {
  if (!absl::StartsWith(text, kUnixScheme)) {
    absl::StatusOr<ListenAddress> tcp = ParseListenAddress(text);
    if (!tcp.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(tcp.status().message(), ", or unix:/path"));
    }
    return GrpcListenAddress{*std::move(tcp), ""};
  }
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid listen address \"", text, "\": ", why,
                                                   " (expected unix:/absolute/path)"));
  };
  absl::string_view path = text.substr(kUnixScheme.size());
  // "unix:///path" is the URI form of "unix:/path"; "unix://host/path" is not a local socket.
  if (absl::StartsWith(path, "//")) {
    path.remove_prefix(2);
    if (!absl::StartsWith(path, "/")) return invalid("a Unix socket has no host");
  }
  if (path.empty()) return invalid("empty path");
  if (path.front() != '/') return invalid("the path must be absolute");
  if (path.back() == '/') return invalid("the path names a directory");
  if (path.find('\0') != absl::string_view::npos) return invalid("the path contains a NUL byte");
  if (path.size() > kMaxUnixPathBytes) {
    return invalid(absl::StrCat("the path is longer than ", kMaxUnixPathBytes, " bytes"));
  }
  return GrpcListenAddress{{}, std::string(path)};
}

}  // namespace sockrpc
