// TimeService.NowStream on a real server: one response per request, in
// order, each read from the clock when its request is answered; an unknown
// zone ends the stream after the answers to every earlier request; counted in
// the metrics like the other methods.
#include <atomic>
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/rpc_server/in_process_server.h"

namespace sockrpc {
namespace {

using sockrpc::time::v1::NowStreamRequest;
using sockrpc::time::v1::NowStreamResponse;

// 2014-01-29T19:14:15Z, the instant in the legacy server's documentation.
const absl::Time kFixedInstant = absl::FromUnixSeconds(1391022855);

NowStreamRequest InZone(const std::string& zone) {
  NowStreamRequest request;
  request.set_time_zone(zone);
  return request;
}

class NowStreamTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    auto zone = LoadNamedTimeZone("America/New_York");
    ASSERT_TRUE(zone.ok());
    options_.local_zone = *zone;
    // Each reading of the clock is one second later: the responses tell
    // when, and in which order, the requests were answered.
    options_.clock = [this] { return kFixedInstant + absl::Seconds(readings_++); };
    StartServer();
    context_ = Context();
    stream_ = time_->NowStream(context_.get());
  }

  std::atomic<int64_t> readings_{0};
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<NowStreamRequest, NowStreamResponse>> stream_;
};

TEST_F(NowStreamTest, EachRequestIsAnsweredInOrderFromTheClockAtThatTime) {
  ASSERT_TRUE(stream_->Write(InZone("")));
  ASSERT_TRUE(stream_->Write(InZone("Asia/Kolkata")));
  ASSERT_TRUE(stream_->Write(InZone("UTC")));
  ASSERT_TRUE(stream_->WritesDone());

  NowStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.ctime(), "Wed Jan 29 14:14:15 2014");
  EXPECT_EQ(response.time_zone(), "America/New_York");
  EXPECT_EQ(response.time().seconds(), 1391022855);
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.ctime(), "Thu Jan 30 00:44:16 2014");
  EXPECT_EQ(response.time_zone(), "Asia/Kolkata");
  EXPECT_EQ(response.time().seconds(), 1391022856);
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.ctime(), "Wed Jan 29 19:14:17 2014");
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(NowStreamTest, ARequestWrittenAfterAnAnswerIsReadFromTheClockAgain) {
  NowStreamResponse first;
  ASSERT_TRUE(stream_->Write(InZone("UTC")));
  ASSERT_TRUE(stream_->Read(&first));
  NowStreamResponse second;
  ASSERT_TRUE(stream_->Write(InZone("UTC")));
  ASSERT_TRUE(stream_->Read(&second));
  EXPECT_GT(second.time().seconds(), first.time().seconds());
  ASSERT_TRUE(stream_->WritesDone());
  EXPECT_TRUE(stream_->Finish().ok());
}

TEST_F(NowStreamTest, UnknownZoneEndsTheStreamAfterTheEarlierAnswersNamingTheRequest) {
  ASSERT_TRUE(stream_->Write(InZone("UTC")));
  ASSERT_TRUE(stream_->Write(InZone("Atlantis/Capital")));
  stream_->Write(InZone("UTC"));  // may fail: the stream may have ended already
  stream_->WritesDone();

  NowStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.time_zone(), "UTC");
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("request 2"), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("\"Atlantis/Capital\""), std::string::npos)
      << status.error_message();
}

TEST_F(NowStreamTest, ShutdownEndsAnOpenStreamAtOnceRatherThanAfterTheGrace) {
  NowStreamResponse response;
  ASSERT_TRUE(stream_->Write(InZone("UTC")));
  ASSERT_TRUE(stream_->Read(&response));
  // The stream stays open, as a bridge keeps it between requests.
  const auto started = std::chrono::steady_clock::now();
  server_->Shutdown(absl::Seconds(30));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_FALSE(stream_->Read(&response));
  EXPECT_EQ(stream_->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(NowStreamTest, CountedPerRequestAndAsAStreamCall) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream_->Write(InZone("UTC")));
  ASSERT_TRUE(stream_->WritesDone());
  NowStreamResponse response;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream_->Read(&response));
  ASSERT_TRUE(stream_->Finish().ok());

  const std::string text = server_->metrics().Render();
  EXPECT_NE(text.find("sockrpc_core_requests_total{method=\"NowStream\"} 3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_server_msg_received_total{grpc_type=\"bidi_stream\",grpc_service="
                      "\"sockrpc.time.v1.TimeService\",grpc_method=\"NowStream\"} 3"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace sockrpc
