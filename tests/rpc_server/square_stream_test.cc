#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "rpc_server/square_math.h"
#include "tests/rpc_server/in_process_server.h"
#include "tests/rpc_server/stream_requests.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

class SquareStreamTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    StartServer();
    context_ = Context();
    stream_ = square_->SquareStream(context_.get());
  }

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<SquareStreamRequest, SquareStreamResponse>> stream_;
};

TEST_F(SquareStreamTest, AnswersInOrderEchoingSequenceAndInput) {
  const std::vector<SquareStreamRequest> requests = {
      ValueRequest(42, 3), DecimalRequest(7, "-0012"), ValueRequest(42, -5),
      DecimalRequest(1000, "100000000000000000000"), ValueRequest(0, 0)};
  for (const auto& request : requests) ASSERT_TRUE(stream_->Write(request));
  ASSERT_TRUE(stream_->WritesDone());

  const std::vector<std::string> squares = {"9", "144", "25",
                                            "10000000000000000000000000000000000000000", "0"};
  SquareStreamResponse response;
  for (size_t i = 0; i < requests.size(); ++i) {
    ASSERT_TRUE(stream_->Read(&response)) << i;
    EXPECT_EQ(response.sequence(), requests[i].sequence());
    EXPECT_EQ(response.number_case(), static_cast<SquareStreamResponse::NumberCase>(
                                          requests[i].number_case()));
    EXPECT_EQ(response.value(), requests[i].value());
    EXPECT_EQ(response.decimal(), requests[i].decimal());  // echoed as sent, zeros and all
    EXPECT_EQ(response.square(), squares[i]);
  }
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(SquareStreamTest, AnswersEachRequestBeforeTheClientHalfCloses) {
  SquareStreamResponse response;
  for (int64_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(stream_->Write(ValueRequest(static_cast<uint64_t>(i), i)));
    ASSERT_TRUE(stream_->Read(&response));  // lockstep, as the legacy client talks
    EXPECT_EQ(response.square(), absl::StrCat(i * i));
  }
  stream_->WritesDone();
  EXPECT_FALSE(stream_->Read(&response));
  EXPECT_TRUE(stream_->Finish().ok());
}

TEST_F(SquareStreamTest, TenThousandMessagesOnOneStreamArriveInOrder) {
  constexpr int64_t kMessages = 10'000;
  std::thread writer([&] {
    for (int64_t i = 0; i < kMessages; ++i) {
      // Alternate the two input forms and both signs.
      const int64_t value = (i % 2 == 0) ? i * 1'000'003 : -i;
      const SquareStreamRequest request =
          (i % 3 == 0) ? DecimalRequest(static_cast<uint64_t>(i), absl::StrCat(value))
                       : ValueRequest(static_cast<uint64_t>(i), value);
      if (!stream_->Write(request)) return;
    }
    stream_->WritesDone();
  });
  SquareStreamResponse response;
  int64_t received = 0;
  while (stream_->Read(&response)) {
    ASSERT_EQ(response.sequence(), static_cast<uint64_t>(received));
    const int64_t value = (received % 2 == 0) ? received * 1'000'003 : -received;
    ASSERT_EQ(response.square(), SquareOfInt64(value)) << received;
    ++received;
  }
  writer.join();
  EXPECT_EQ(received, kMessages);
  EXPECT_TRUE(stream_->Finish().ok());
}

TEST_F(SquareStreamTest, HalfCloseWithoutRequestsEndsOk) {
  ASSERT_TRUE(stream_->WritesDone());
  SquareStreamResponse response;
  EXPECT_FALSE(stream_->Read(&response));
  EXPECT_TRUE(stream_->Finish().ok());
}

TEST_F(SquareStreamTest, BadRequestEndsTheStreamAfterAnsweringEarlierOnes) {
  ASSERT_TRUE(stream_->Write(ValueRequest(1, 2)));
  ASSERT_TRUE(stream_->Write(ValueRequest(2, 3)));
  ASSERT_TRUE(stream_->Write(DecimalRequest(77, "1_000")));
  stream_->Write(ValueRequest(4, 5));  // may or may not be accepted; never answered
  stream_->WritesDone();

  SquareStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.square(), "4");
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.square(), "9");
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("request 3 (sequence 77)"), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("\"1_000\""), std::string::npos);
}

TEST_F(SquareStreamTest, TooManyDigitsEndsTheStreamOutOfRange) {
  ASSERT_TRUE(stream_->Write(DecimalRequest(5, std::string(5000, '1'))));
  stream_->WritesDone();
  SquareStreamResponse response;
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(status.error_message().find("sequence 5"), std::string::npos);
}

TEST_F(SquareStreamTest, RequestWithoutNumberIsInvalidArgument) {
  SquareStreamRequest empty;
  empty.set_sequence(9);
  ASSERT_TRUE(stream_->Write(empty));
  stream_->WritesDone();
  SquareStreamResponse response;
  EXPECT_FALSE(stream_->Read(&response));
  EXPECT_EQ(stream_->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SquareStreamTest, ClientCancelMidStreamLeavesTheServerServing) {
  ASSERT_TRUE(stream_->Write(ValueRequest(1, 2)));
  SquareStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  context_->TryCancel();
  while (stream_->Read(&response)) {
  }
  EXPECT_EQ(stream_->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // A fresh stream on the same server works.
  auto context = Context();
  auto stream = square_->SquareStream(context.get());
  ASSERT_TRUE(stream->Write(ValueRequest(1, 11)));
  stream->WritesDone();
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.square(), "121");
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(SquareStreamTest, DeadlinePassingMidStreamIsDeadlineExceeded) {
  auto context = std::make_unique<grpc::ClientContext>();
  // Long enough that the first answer arrives first even on a loaded sanitizer
  // build (300 ms was not, on a 2-core CI machine running tests in parallel).
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  auto stream = square_->SquareStream(context.get());
  ASSERT_TRUE(stream->Write(ValueRequest(1, 2)));
  SquareStreamResponse response;
  ASSERT_TRUE(stream->Read(&response));
  // Never half-close: the deadline ends the call.
  while (stream->Read(&response)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

}  // namespace
}  // namespace sockrpc
