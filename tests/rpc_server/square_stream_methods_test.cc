// How one message read is answered, without a server: the pure half of the
// two ordered streams (rpc_server/square_stream_methods.h).
#include "rpc_server/square_stream_methods.h"

#include <deque>
#include <string>

#include <gtest/gtest.h>

#include "tests/rpc_server/stream_requests.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareBatchStreamRequest;
using sockrpc::square::v1::SquareBatchStreamResponse;
using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;

const SquareStreamOptions kOptions{/*max_digits=*/30, /*max_queued_responses=*/64,
                                   /*metrics=*/nullptr};

TEST(SquareStreamMethodTest, AnswersOneRequestEchoingIt) {
  std::deque<SquareStreamResponse> queue;
  uint64_t read = 0;
  SquareStreamRequest request = DecimalRequest(9, "-007");
  ASSERT_TRUE(SquareStreamMethod::Answer(request, kOptions, read, queue).ok());
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].sequence(), 9u);
  EXPECT_EQ(queue[0].decimal(), "-007");
  EXPECT_EQ(queue[0].square(), "49");
  EXPECT_EQ(read, 1u);
}

TEST(SquareStreamMethodTest, ARejectedRequestQueuesNothing) {
  std::deque<SquareStreamResponse> queue;
  uint64_t read = 4;
  SquareStreamRequest request = DecimalRequest(3, std::string(31, '9'));
  const absl::Status status = SquareStreamMethod::Answer(request, kOptions, read, queue);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(status.message().find("request 5 (sequence 3)"), std::string::npos) << status;
  EXPECT_TRUE(queue.empty());
}

TEST(SquareBatchStreamMethodTest, OneResponseHoldsTheBatchsAnswersInOrder) {
  SquareBatchStreamRequest batch;
  *batch.add_requests() = DecimalRequest(1, "2");
  *batch.add_requests() = DecimalRequest(2, "-3");
  std::deque<SquareBatchStreamResponse> queue;
  uint64_t read = 0;
  ASSERT_TRUE(SquareBatchStreamMethod::Answer(batch, kOptions, read, queue).ok());
  ASSERT_EQ(queue.size(), 1u);
  ASSERT_EQ(SquareBatchStreamMethod::Answers(queue[0]), 2u);
  EXPECT_EQ(queue[0].responses(0).square(), "4");
  EXPECT_EQ(queue[0].responses(1).sequence(), 2u);
  EXPECT_EQ(queue[0].responses(1).square(), "9");
  EXPECT_EQ(read, 2u);
}

TEST(SquareBatchStreamMethodTest, ARejectedRequestKeepsTheAnswersBeforeIt) {
  SquareBatchStreamRequest batch;
  *batch.add_requests() = DecimalRequest(10, "5");
  *batch.add_requests() = DecimalRequest(11, "5x");
  *batch.add_requests() = DecimalRequest(12, "6");
  std::deque<SquareBatchStreamResponse> queue;
  uint64_t read = 7;
  const absl::Status status = SquareBatchStreamMethod::Answer(batch, kOptions, read, queue);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("request 9 (sequence 11)"), std::string::npos) << status;
  ASSERT_EQ(queue.size(), 1u);
  ASSERT_EQ(queue[0].responses_size(), 1);
  EXPECT_EQ(queue[0].responses(0).square(), "25");
}

TEST(SquareBatchStreamMethodTest, ARejectedFirstRequestQueuesNoEmptyResponse) {
  SquareBatchStreamRequest batch;
  *batch.add_requests() = DecimalRequest(1, "");
  std::deque<SquareBatchStreamResponse> queue;
  uint64_t read = 0;
  EXPECT_FALSE(SquareBatchStreamMethod::Answer(batch, kOptions, read, queue).ok());
  EXPECT_TRUE(queue.empty());
}

TEST(SquareBatchStreamMethodTest, BatchSizeOutsideOneToSixtyFourIsInvalidArgument) {
  for (int size : {0, 65}) {
    SquareBatchStreamRequest batch;
    for (int i = 0; i < size; ++i) *batch.add_requests() = DecimalRequest(1, "1");
    std::deque<SquareBatchStreamResponse> queue;
    uint64_t read = 3;
    const absl::Status status = SquareBatchStreamMethod::Answer(batch, kOptions, read, queue);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << size;
    EXPECT_NE(status.message().find("batch after request 3 holds " + std::to_string(size)),
              std::string::npos)
        << status;
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(read, 3u);  // nothing of it was read as a request
  }
}

}  // namespace
}  // namespace sockrpc
