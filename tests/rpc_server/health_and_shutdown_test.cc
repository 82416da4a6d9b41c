#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/rpc_server/in_process_server.h"

namespace sockrpc {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

class HealthAndShutdownTest : public InProcessServerTest {
 protected:
  void SetUp() override { StartServer(); }

  HealthCheckResponse::ServingStatus Check(const std::string& service, grpc::Status* status) {
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    *status = health_->Check(Context().get(), request, &response);
    return response.status();
  }

  static SquareStreamRequest Request(int64_t value) {
    SquareStreamRequest request;
    request.set_sequence(static_cast<uint64_t>(value));
    request.set_value(value);
    return request;
  }
};

TEST_F(HealthAndShutdownTest, EveryServiceAndTheServerReportServing) {
  for (const char* service :
       {"", "sockrpc.time.v1.TimeService", "sockrpc.square.v1.SquareService"}) {
    grpc::Status status;
    EXPECT_EQ(Check(service, &status), HealthCheckResponse::SERVING) << service;
    EXPECT_TRUE(status.ok()) << service;
  }
}

TEST_F(HealthAndShutdownTest, UnknownServiceIsNotFound) {
  grpc::Status status;
  Check("no.such.Service", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(HealthAndShutdownTest, WatchersSeeNotServingWhenTheServerDrains) {
  auto context = Context();
  HealthCheckRequest request;
  request.set_service("sockrpc.square.v1.SquareService");
  auto watch = health_->Watch(context.get(), request);
  HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  std::thread drain([this] { server_->Shutdown(absl::Seconds(2)); });
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  context->TryCancel();
  drain.join();
}

TEST_F(HealthAndShutdownTest, WatchesEndOnShutdownWithoutWaitingForTheGrace) {
  auto context = Context();
  HealthCheckRequest request;
  auto watch = health_->Watch(context.get(), request);
  HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  const absl::Time start = absl::Now();
  auto drained = std::async(std::launch::async, [this] { server_->Shutdown(absl::Seconds(30)); });
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(watch->Read(&response));
  const grpc::Status status = watch->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  drained.get();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(HealthAndShutdownTest, StartDrainingTurnsNotServingAndKeepsServing) {
  ASSERT_TRUE(server_->Readiness().ok());
  server_->StartDraining();
  grpc::Status status;
  EXPECT_EQ(Check("", &status), HealthCheckResponse::NOT_SERVING);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(server_->Readiness().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(server_->Readiness().message(), "NOT_SERVING: draining");
}

TEST_F(HealthAndShutdownTest, DrainLetsAStreamInFlightFinish) {
  auto context = Context();
  auto stream = square_->SquareStream(context.get());
  SquareStreamResponse response;
  ASSERT_TRUE(stream->Write(Request(3)));
  ASSERT_TRUE(stream->Read(&response));

  auto drained = std::async(std::launch::async, [this] { server_->Shutdown(absl::Seconds(20)); });
  // The stream keeps working while the server drains...
  for (int64_t i = 4; i < 50; ++i) {
    ASSERT_TRUE(stream->Write(Request(i)));
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.square(), std::to_string(i * i));
  }
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
  // ...and the drain completes as soon as it is done, long before the grace.
  EXPECT_EQ(drained.wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST_F(HealthAndShutdownTest, GraceExpiryCancelsCallsStillOpen) {
  auto context = Context();
  auto stream = square_->SquareStream(context.get());
  SquareStreamResponse response;
  ASSERT_TRUE(stream->Write(Request(3)));
  ASSERT_TRUE(stream->Read(&response));

  server_->Shutdown(absl::Milliseconds(200));  // returns once the stream is cancelled
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_FALSE(stream->Finish().ok());
}

TEST_F(HealthAndShutdownTest, NewCallsAfterShutdownAreRefused) {
  server_->Shutdown(absl::ZeroDuration());
  grpc::Status status;
  Check("", &status);
  // UNAVAILABLE normally; CANCELLED when the call races the server's GOAWAY.
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNAVAILABLE ||
              status.error_code() == grpc::StatusCode::CANCELLED)
      << status.error_code() << ": " << status.error_message();
}

TEST(RpcServerStartTest, PortInUseIsAnErrorNamingTheAddress) {
  RpcServerOptions options;
  options.listen = "127.0.0.1:0";
  auto first = RpcServer::Start(options);
  ASSERT_TRUE(first.ok());
  options.listen = (*first)->address();
  auto second = RpcServer::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find((*first)->address()), std::string::npos);
}

TEST(RpcServerStartTest, MalformedListenAddressIsInvalidArgument) {
  RpcServerOptions options;
  options.listen = "localhost";
  EXPECT_EQ(RpcServer::Start(options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sockrpc
