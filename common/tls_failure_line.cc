#include "common/tls_failure_line.h"

#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace sockrpc {
namespace {

// gRPC's status text up to its details ("REASON {file:..., ...}"), without
// the status code prefix ("UNKNOWN:").
std::string ReasonOf(absl::string_view status) {
  status = status.substr(0, status.find(" {"));
  const size_t colon = status.find(':');
  const absl::string_view code = status.substr(0, colon == absl::string_view::npos ? 0 : colon);
  if (!code.empty() && code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
                           absl::string_view::npos) {
    status.remove_prefix(colon + 1);
  }
  return std::string(absl::StripAsciiWhitespace(status));
}

// The text after `key` up to the first of `ends`.
std::string ValueAfter(absl::string_view text, absl::string_view key, absl::string_view ends) {
  const size_t at = text.find(key);
  if (at == absl::string_view::npos) return "";
  text.remove_prefix(at + key.size());
  return std::string(text.substr(0, text.find_first_of(ends)));
}

}  // namespace

std::optional<TlsHandshakeFailure> ParseTlsHandshakeFailure(absl::string_view file,
                                                            absl::string_view message) {
  if (file == "subchannel.cc") {
    constexpr absl::string_view kConnectFailed = ": connect failed (";
    const size_t at = message.find(kConnectFailed);
    if (at == absl::string_view::npos) return std::nullopt;
    std::string reason = ReasonOf(message.substr(at + kConnectFailed.size()));
    if (!absl::StrContains(absl::AsciiStrToLower(reason), "handshake")) return std::nullopt;
    return TlsHandshakeFailure{ValueAfter(message, "{address=", ",}"), std::move(reason)};
  }
  if (file == "chttp2_server.cc") {
    absl::string_view rest = message;
    if (!absl::ConsumePrefix(&rest, "Handshaking failed: ")) return std::nullopt;
    std::string reason = ReasonOf(rest);
    // The cause, when gRPC nests one: "Handshake read failed (Socket closed)".
    const std::string cause = ValueAfter(rest, "children:[", "{");
    if (!cause.empty()) reason += " (" + ReasonOf(cause) + ")";
    return TlsHandshakeFailure{ValueAfter(rest, "target_address:\"", "\""), std::move(reason)};
  }
  return std::nullopt;
}

}  // namespace sockrpc
