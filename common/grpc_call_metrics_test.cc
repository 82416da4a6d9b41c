#include "common/grpc_call_metrics.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "sockrpc/square/v1/square_service.pb.h"

namespace sockrpc {
namespace {

class GrpcCallMetricsTest : public ::testing::Test {
 protected:
  GrpcCallMetricsTest() {
    // Links the generated code, which registers the service's descriptor.
    (void)sockrpc::square::v1::SquareRequest::descriptor();
  }
  bool Has(const std::string& line) { return absl::StrContains(registry_.Render(), line + "\n"); }

  MetricsRegistry registry_;
  GrpcCallMetrics metrics_{
      registry_, GrpcSide::kServer, {"sockrpc.square.v1.SquareService", "no.such.Service"}};
};

TEST_F(GrpcCallMetricsTest, KnownMethodsHaveTheirOwnLabelsAndType) {
  GrpcMethodMetrics& square =
      metrics_.Find("/sockrpc.square.v1.SquareService/Square", GrpcType::kBidiStream);
  square.Started();
  square.MessageReceived();
  square.MessageSent();
  square.Handled(grpc::StatusCode::OK, 0.001);
  const std::string labels =
      R"(grpc_type="unary",grpc_service="sockrpc.square.v1.SquareService",grpc_method="Square")";
  EXPECT_TRUE(Has("grpc_server_started_total{" + labels + "} 1"));
  EXPECT_TRUE(Has("grpc_server_msg_received_total{" + labels + "} 1"));
  EXPECT_TRUE(Has("grpc_server_msg_sent_total{" + labels + "} 1"));
  EXPECT_TRUE(Has("grpc_server_handled_total{" + labels + ",grpc_code=\"OK\"} 1"));
  EXPECT_TRUE(Has("grpc_server_handling_seconds_count{" + labels + "} 1"));
  EXPECT_TRUE(Has(
      R"(grpc_server_started_total{grpc_type="bidi_stream",grpc_service="sockrpc.square.v1.SquareService",grpc_method="SquareBatchStream"} 0)"));
}

TEST_F(GrpcCallMetricsTest, UnknownMethodsCollapseIntoOneSeriesPerType) {
  metrics_.Find("/made.up.Service/A", GrpcType::kBidiStream).Started();
  metrics_.Find("/made.up.Service/B", GrpcType::kBidiStream).Started();
  metrics_.Find("/sockrpc.square.v1.SquareService/Nope", GrpcType::kUnary).Started();
  EXPECT_TRUE(Has(
      R"(grpc_server_started_total{grpc_type="bidi_stream",grpc_service="unknown",grpc_method="unknown"} 2)"));
  EXPECT_TRUE(Has(
      R"(grpc_server_started_total{grpc_type="unary",grpc_service="unknown",grpc_method="unknown"} 1)"));
  EXPECT_FALSE(absl::StrContains(registry_.Render(), "made.up"));
}

TEST_F(GrpcCallMetricsTest, HandledCountsPerCodeWithGoNames) {
  GrpcMethodMetrics& square =
      metrics_.Find("/sockrpc.square.v1.SquareService/Square", GrpcType::kUnary);
  square.Handled(grpc::StatusCode::INVALID_ARGUMENT, 0.001);
  square.Handled(grpc::StatusCode::INVALID_ARGUMENT, 0.001);
  square.Handled(grpc::StatusCode::CANCELLED, 0.001);
  const std::string labels =
      R"(grpc_type="unary",grpc_service="sockrpc.square.v1.SquareService",grpc_method="Square")";
  EXPECT_TRUE(Has("grpc_server_handled_total{" + labels + ",grpc_code=\"InvalidArgument\"} 2"));
  EXPECT_TRUE(Has("grpc_server_handled_total{" + labels + ",grpc_code=\"Canceled\"} 1"));
  EXPECT_FALSE(absl::StrContains(registry_.Render(), "grpc_code=\"OK\""));
}

TEST(GrpcCodeNameTest, NamesAsGrpcGo) {
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DeadlineExceeded");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::UNAVAILABLE), "Unavailable");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
  EXPECT_STREQ(GrpcTypeName(GrpcType::kClientStream), "client_stream");
}

}  // namespace
}  // namespace sockrpc
