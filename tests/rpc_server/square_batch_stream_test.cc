// SquareBatchStream on a real server: batches answered in order, one
// response per batch, and the limits (1 to 64 requests, bad requests) ending
// the stream after the answers to every earlier request.
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "rpc_server/square_math.h"
#include "tests/rpc_server/in_process_server.h"
#include "tests/rpc_server/stream_requests.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareBatchStreamRequest;
using sockrpc::square::v1::SquareBatchStreamResponse;

// A batch of `count` value requests, sequences first..first+count-1, value = sequence.
SquareBatchStreamRequest Batch(uint64_t first, int count) {
  SquareBatchStreamRequest batch;
  for (int i = 0; i < count; ++i) {
    *batch.add_requests() =
        ValueRequest(first + static_cast<uint64_t>(i), static_cast<int64_t>(first) + i);
  }
  return batch;
}

class SquareBatchStreamTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    StartServer();
    context_ = Context();
    stream_ = square_->SquareBatchStream(context_.get());
  }

  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<
      grpc::ClientReaderWriter<SquareBatchStreamRequest, SquareBatchStreamResponse>>
      stream_;
};

TEST_F(SquareBatchStreamTest, EachBatchIsAnsweredByOneResponseInOrder) {
  SquareBatchStreamRequest mixed = Batch(10, 2);
  auto* decimal = mixed.add_requests();
  decimal->set_sequence(3);
  decimal->set_decimal("-0012345678901234567890");
  ASSERT_TRUE(stream_->Write(mixed));
  ASSERT_TRUE(stream_->Write(Batch(100, 64)));
  ASSERT_TRUE(stream_->Write(Batch(7, 1)));
  ASSERT_TRUE(stream_->WritesDone());

  SquareBatchStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  ASSERT_EQ(response.responses_size(), 3);
  EXPECT_EQ(response.responses(0).sequence(), 10u);
  EXPECT_EQ(response.responses(0).value(), 10);
  EXPECT_EQ(response.responses(0).square(), "100");
  EXPECT_EQ(response.responses(1).square(), "121");
  EXPECT_EQ(response.responses(2).sequence(), 3u);
  EXPECT_EQ(response.responses(2).decimal(), "-0012345678901234567890");  // echoed as sent
  EXPECT_EQ(response.responses(2).square(), "152415787532388367501905199875019052100");

  ASSERT_TRUE(stream_->Read(&response));
  ASSERT_EQ(response.responses_size(), 64);
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(response.responses(i).sequence(), 100u + static_cast<uint64_t>(i));
    EXPECT_EQ(response.responses(i).square(), absl::StrCat((100 + i) * (100 + i)));
  }
  ASSERT_TRUE(stream_->Read(&response));
  ASSERT_EQ(response.responses_size(), 1);
  EXPECT_EQ(response.responses(0).square(), "49");

  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(SquareBatchStreamTest, ThousandsOfBatchesPipelinedArriveInOrder) {
  constexpr uint64_t kBatches = 2'000;
  std::thread writer([&] {
    for (uint64_t b = 0; b < kBatches; ++b) {
      if (!stream_->Write(Batch(b * 10, static_cast<int>(b % 10) + 1))) return;
    }
    stream_->WritesDone();
  });
  SquareBatchStreamResponse response;
  uint64_t batches = 0;
  while (stream_->Read(&response)) {
    ASSERT_EQ(response.responses_size(), static_cast<int>(batches % 10) + 1) << batches;
    for (int i = 0; i < response.responses_size(); ++i) {
      const int64_t value = static_cast<int64_t>(batches * 10) + i;
      ASSERT_EQ(response.responses(i).sequence(), static_cast<uint64_t>(value));
      ASSERT_EQ(response.responses(i).square(), SquareOfInt64(value));
    }
    ++batches;
  }
  writer.join();
  EXPECT_EQ(batches, kBatches);
  EXPECT_TRUE(stream_->Finish().ok());
}

TEST_F(SquareBatchStreamTest, BadRequestMidBatchEndsTheStreamAfterTheAnswersBeforeIt) {
  ASSERT_TRUE(stream_->Write(Batch(1, 2)));
  SquareBatchStreamRequest batch = Batch(3, 2);
  auto* bad = batch.add_requests();
  bad->set_sequence(77);
  bad->set_decimal("12x");
  *batch.add_requests() = Batch(9, 1).requests(0);  // never answered
  ASSERT_TRUE(stream_->Write(batch));
  stream_->WritesDone();

  SquareBatchStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_EQ(response.responses_size(), 2);
  ASSERT_TRUE(stream_->Read(&response));
  ASSERT_EQ(response.responses_size(), 2);  // requests 3 and 4 of the stream
  EXPECT_EQ(response.responses(1).square(), "16");
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("request 5 (sequence 77)"), std::string::npos)
      << status.error_message();
}

TEST_F(SquareBatchStreamTest, BadFirstRequestSendsNoEmptyResponse) {
  SquareBatchStreamRequest batch;
  batch.add_requests()->set_decimal(std::string(5000, '9'));
  ASSERT_TRUE(stream_->Write(batch));
  stream_->WritesDone();
  SquareBatchStreamResponse response;
  EXPECT_FALSE(stream_->Read(&response));
  EXPECT_EQ(stream_->Finish().error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

TEST_F(SquareBatchStreamTest, EmptyBatchIsInvalidArgument) {
  ASSERT_TRUE(stream_->Write(Batch(1, 1)));
  ASSERT_TRUE(stream_->Write(SquareBatchStreamRequest()));
  stream_->WritesDone();
  SquareBatchStreamResponse response;
  ASSERT_TRUE(stream_->Read(&response));
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("holds 0 requests; a batch holds 1 to 64"),
            std::string::npos)
      << status.error_message();
}

TEST_F(SquareBatchStreamTest, BatchOfSixtyFiveIsInvalidArgument) {
  ASSERT_TRUE(stream_->Write(Batch(1, 65)));
  stream_->WritesDone();
  SquareBatchStreamResponse response;
  EXPECT_FALSE(stream_->Read(&response));
  const grpc::Status status = stream_->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("holds 65 requests"), std::string::npos)
      << status.error_message();
}

TEST_F(SquareBatchStreamTest, ABatchStreamAndASquareStreamShareTheServer) {
  auto context = Context();
  auto single = square_->SquareStream(context.get());
  sockrpc::square::v1::SquareStreamRequest request;
  request.set_sequence(1);
  request.set_value(12);
  ASSERT_TRUE(single->Write(request));
  ASSERT_TRUE(stream_->Write(Batch(5, 3)));
  sockrpc::square::v1::SquareStreamResponse one;
  ASSERT_TRUE(single->Read(&one));
  EXPECT_EQ(one.square(), "144");
  SquareBatchStreamResponse batch;
  ASSERT_TRUE(stream_->Read(&batch));
  EXPECT_EQ(batch.responses_size(), 3);
  single->WritesDone();
  stream_->WritesDone();
  EXPECT_TRUE(single->Finish().ok());
  EXPECT_TRUE(stream_->Finish().ok());
}

}  // namespace
}  // namespace sockrpc
