#include <gtest/gtest.h>

#include "tests/rpc_server/in_process_server.h"

namespace sockrpc {
namespace {

using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

// 2014-01-29T19:14:15.250Z, the instant in the legacy server's documentation.
const absl::Time kFixedInstant = absl::FromUnixMillis(1391022855250);

class TimeServiceTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    auto zone = LoadNamedTimeZone("America/New_York");
    ASSERT_TRUE(zone.ok());
    options_.local_zone = *zone;
    options_.clock = [] { return kFixedInstant; };
    StartServer();
  }
};

TEST_F(TimeServiceTest, NowWithoutZoneUsesTheServersLocalZone) {
  NowRequest request;
  NowResponse response;
  const grpc::Status status = time_->Now(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.ctime(), "Wed Jan 29 14:14:15 2014");
  EXPECT_EQ(response.time_zone(), "America/New_York");
  EXPECT_EQ(response.time().seconds(), 1391022855);
  EXPECT_EQ(response.time().nanos(), 250'000'000);
}

TEST_F(TimeServiceTest, NowFormatsInTheRequestedZone) {
  NowRequest request;
  request.set_time_zone("Asia/Kolkata");
  NowResponse response;
  ASSERT_TRUE(time_->Now(Context().get(), request, &response).ok());
  EXPECT_EQ(response.ctime(), "Thu Jan 30 00:44:15 2014");
  EXPECT_EQ(response.time_zone(), "Asia/Kolkata");
  EXPECT_EQ(response.time().seconds(), 1391022855);  // the instant does not depend on the zone
}

TEST_F(TimeServiceTest, UnknownZoneIsInvalidArgumentNamingIt) {
  NowRequest request;
  request.set_time_zone("Atlantis/Capital");
  NowResponse response;
  const grpc::Status status = time_->Now(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("\"Atlantis/Capital\""), std::string::npos)
      << status.error_message();
}

TEST_F(TimeServiceTest, PathInsteadOfZoneIsInvalidArgument) {
  NowRequest request;
  request.set_time_zone("../../../etc/passwd");
  NowResponse response;
  EXPECT_EQ(time_->Now(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(TimeServiceRealClockTest, NowIsCloseToTheSystemClock) {
  RpcServerOptions options;
  options.listen = "127.0.0.1:0";
  auto server = RpcServer::Start(options);
  ASSERT_TRUE(server.ok());
  auto stub = sockrpc::time::v1::TimeService::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  NowResponse response;
  ASSERT_TRUE(stub->Now(&context, NowRequest(), &response).ok());
  const absl::Time reported = absl::FromUnixSeconds(response.time().seconds()) +
                              absl::Nanoseconds(response.time().nanos());
  EXPECT_LT(absl::AbsDuration(reported - absl::Now()), absl::Seconds(5));
  (*server)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace sockrpc
