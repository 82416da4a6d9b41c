#include "common/tls_failure_line.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

// Lines as gRPC 1.51 writes them (the channel arguments cut short).
constexpr absl::string_view kClientSide =
    "subchannel 0x560e8ccf0dd0 {address=ipv4:127.0.0.1:44607, args={grpc.default_authority="
    "127.0.0.1:44607, grpc.http2_scheme=https}}: connect failed (UNKNOWN:Ssl handshake failed: "
    "SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed {file:\"./src/core/"
    "lib/security/transport/security_handshaker.cc\", file_line:393, tsi_code:10}), backing "
    "off for 91 ms";
constexpr absl::string_view kServerSide =
    "Handshaking failed: UNKNOWN:Handshake read failed {file:\"./src/core/lib/security/"
    "transport/security_handshaker.cc\", file_line:487, children:[INTERNAL:Socket closed {fd:8, "
    "grpc_status:14, target_address:\"ipv4:127.0.0.1:37170\"}]}";
constexpr absl::string_view kServerSideNoPeer =
    "Handshaking failed: UNKNOWN:Ssl handshake failed: SSL_ERROR_SSL: error:0A000086:SSL "
    "routines::certificate verify failed {tsi_code:10, tsi_error:\"TSI_PROTOCOL_FAILURE\"}";

TEST(TlsFailureLineTest, ClientSideNamesTheServerAndTheReason) {
  const auto failure = ParseTlsHandshakeFailure("subchannel.cc", kClientSide);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->peer, "ipv4:127.0.0.1:44607");
  EXPECT_EQ(failure->reason,
            "Ssl handshake failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify "
            "failed");
}

TEST(TlsFailureLineTest, ServerSideNamesTheClientAndTheCause) {
  const auto failure = ParseTlsHandshakeFailure("chttp2_server.cc", kServerSide);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->peer, "ipv4:127.0.0.1:37170");
  EXPECT_EQ(failure->reason, "Handshake read failed (Socket closed)");
}

TEST(TlsFailureLineTest, ServerSideWithoutAPeer) {
  const auto failure = ParseTlsHandshakeFailure("chttp2_server.cc", kServerSideNoPeer);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->peer, "");
  EXPECT_EQ(failure->reason,
            "Ssl handshake failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify "
            "failed");
}

TEST(TlsFailureLineTest, OtherLinesAreNotFailures) {
  EXPECT_FALSE(ParseTlsHandshakeFailure("subchannel.cc",
                                        "subchannel 0x1 {address=ipv4:127.0.0.1:1, args={}}: "
                                        "connect failed (UNKNOWN:Connection refused {errno:111}), "
                                        "backing off for 1000 ms")
                   .has_value());
  EXPECT_FALSE(ParseTlsHandshakeFailure("subchannel.cc", "backoff delay elapsed").has_value());
  EXPECT_FALSE(ParseTlsHandshakeFailure("ev_epoll1_linux.cc", kServerSide).has_value());
}

}  // namespace
}  // namespace sockrpc
