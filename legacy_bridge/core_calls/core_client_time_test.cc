// CoreClient's TIME requests against small gRPC servers on loopback, each
// standing for one kind of core: one that answers NowStream, one whose first
// stream breaks with a request in flight, an older one without NowStream,
// and none at all.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "legacy_bridge/core_calls/core_client.h"
#include "legacy_bridge/core_calls/loopback_core_test.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {
namespace {

using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;
using sockrpc::time::v1::NowStreamRequest;
using sockrpc::time::v1::NowStreamResponse;
using sockrpc::time::v1::TimeService;

// Answers each NowStream request with "stream <n> <zone>"; with
// `break_first`, the first stream ends UNAVAILABLE after reading one request
// (a replica killed with the request in flight). Now is not overridden: the
// generated base answers it UNIMPLEMENTED.
class StreamingCore final : public TimeService::Service {
 public:
  explicit StreamingCore(bool break_first) : break_first_(break_first) {}
  grpc::Status NowStream(grpc::ServerContext*,
                         grpc::ServerReaderWriter<NowStreamResponse, NowStreamRequest>* stream)
      override {
    const int n = ++streams_;
    NowStreamRequest request;
    while (stream->Read(&request)) {
      if (break_first_ && n == 1) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "killed");
      NowStreamResponse response;
      response.set_ctime(absl::StrCat("stream ", n, " ", request.time_zone()));
      stream->Write(response);
    }
    return grpc::Status::OK;
  }
  std::atomic<int> streams_{0};

 private:
  const bool break_first_;
};

// A core from before NowStream: NowStream is UNIMPLEMENTED.
class UnaryOnlyCore final : public TimeService::Service {
 public:
  grpc::Status Now(grpc::ServerContext*, const NowRequest* request,
                   NowResponse* response) override {
    response->set_ctime(absl::StrCat("unary ", request->time_zone()));
    return grpc::Status::OK;
  }
};

class CoreClientTimeTest : public LoopbackCoreTest {
 protected:
  void Serve(grpc::Service* service) {
    LoopbackCoreTest::Serve(service, ClientOptions{.deadline = absl::Seconds(10), .streams = 2});
  }

  // One TIME request; waits (bounded) for its answer.
  absl::StatusOr<std::string> Now(const std::string& zone) {
    auto answer = std::make_shared<std::promise<absl::StatusOr<std::string>>>();
    std::future<absl::StatusOr<std::string>> done = answer->get_future();
    client_->Now(zone, [answer](absl::StatusOr<std::string> ctime) {
      answer->set_value(std::move(ctime));
    });
    if (done.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      return absl::InternalError("no answer within 20 s");
    }
    return done.get();
  }
};

TEST_F(CoreClientTimeTest, RequestsGoOnTheSharedStreams) {
  StreamingCore core(/*break_first=*/false);
  Serve(&core);
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<std::string> ctime = Now("UTC");
    ASSERT_TRUE(ctime.ok()) << ctime.status();
    EXPECT_TRUE(ctime->starts_with("stream ")) << *ctime;
  }
  EXPECT_EQ(core.streams_.load(), 2);  // --core_streams of them, used in turn
  EXPECT_EQ(asked_again_.value(), 0);
}

TEST_F(CoreClientTimeTest, ARequestOnAStreamThatBreaksIsAskedAgainOnAnother) {
  StreamingCore core(/*break_first=*/true);
  Serve(&core);
  absl::StatusOr<std::string> ctime = Now("Asia/Tokyo");
  ASSERT_TRUE(ctime.ok()) << ctime.status();
  EXPECT_EQ(*ctime, "stream 2 Asia/Tokyo");
  EXPECT_EQ(asked_again_.value(), 1);
}

TEST_F(CoreClientTimeTest, ACoreWithoutNowStreamIsAskedWithNowCalls) {
  UnaryOnlyCore core;
  Serve(&core);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> ctime = Now("UTC");
    ASSERT_TRUE(ctime.ok()) << ctime.status();
    EXPECT_EQ(*ctime, "unary UTC");
  }
}

TEST_F(CoreClientTimeTest, NoCoreIsDeadlineExceededAtTheDeadline) {
  Connect("127.0.0.1:1", ClientOptions{.deadline = absl::Milliseconds(300), .streams = 2});
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> ctime = Now("UTC");
  EXPECT_EQ(ctime.status().code(), absl::StatusCode::kDeadlineExceeded) << ctime.status();
  EXPECT_EQ(ctime.status().message(), "no answer within 300ms");
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace sockrpc
