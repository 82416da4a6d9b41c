#include "legacy_bridge/core_calls/batch_queue.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

// The sequences of each batch, sending them one after another.
std::vector<std::vector<uint64_t>> SendAll(BatchQueue& queue) {
  std::vector<std::vector<uint64_t>> sent;
  while (queue.has_unsent()) {
    auto& batch = sent.emplace_back();
    for (const auto& request : queue.StartSending().requests()) batch.push_back(request.sequence());
    queue.SendingDone();
  }
  return sent;
}

TEST(BatchQueueTest, RequestsQueuedTogetherFormOneBatch) {
  BatchQueue queue;
  EXPECT_FALSE(queue.has_unsent());
  for (uint64_t i = 1; i <= 3; ++i) queue.Add(i, "12");
  const auto& batch = queue.StartSending();
  ASSERT_EQ(batch.requests_size(), 3);
  EXPECT_EQ(batch.requests(2).sequence(), 3u);
  EXPECT_EQ(batch.requests(2).value(), 12);
  queue.SendingDone();
  EXPECT_FALSE(queue.has_unsent());
}

TEST(BatchQueueTest, IntegersThatFitInt64GoAsValuesTheRestAsDecimals) {
  BatchQueue queue;
  queue.Add(1, "-9223372036854775808");
  queue.Add(2, "9223372036854775807");
  queue.Add(3, "9223372036854775808");
  queue.Add(4, "-9223372036854775809");
  queue.Add(5, "0");
  const auto& batch = queue.StartSending();
  ASSERT_EQ(batch.requests_size(), 5);
  EXPECT_EQ(batch.requests(0).value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(batch.requests(1).value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(batch.requests(2).decimal(), "9223372036854775808");
  EXPECT_EQ(batch.requests(3).decimal(), "-9223372036854775809");
  EXPECT_EQ(batch.requests(4).number_case(), square::v1::SquareStreamRequest::kValue);
  EXPECT_EQ(batch.requests(4).value(), 0);
}

TEST(BatchQueueTest, TheBatchInFlightTakesNoMoreRequests) {
  BatchQueue queue;
  queue.Add(1, "1");
  EXPECT_EQ(queue.StartSending().requests_size(), 1);
  EXPECT_FALSE(queue.has_unsent());
  queue.Add(2, "2");
  queue.Add(3, "3");
  EXPECT_TRUE(queue.has_unsent());
  EXPECT_EQ(queue.behind_front(), 1u);
  EXPECT_EQ(queue.StartSending().requests_size(), 1);  // still the first one, in flight
  queue.SendingDone();
  EXPECT_EQ(SendAll(queue), (std::vector<std::vector<uint64_t>>{{2, 3}}));
}

TEST(BatchQueueTest, UnsentDigitsCountWhatIsNotInFlight) {
  BatchQueue queue;
  queue.Add(1, "123");
  queue.Add(2, "45");
  EXPECT_EQ(queue.unsent_digits(), 5u);
  queue.StartSending();
  EXPECT_EQ(queue.unsent_digits(), 0u);
  queue.Add(3, "6789");
  EXPECT_EQ(queue.unsent_digits(), 4u);
  queue.SendingDone();
  EXPECT_EQ(queue.unsent_digits(), 4u);
  queue.Clear();
  EXPECT_EQ(queue.unsent_digits(), 0u);
}

TEST(BatchQueueTest, SixtyFiveRequestsMakeTwoBatches) {
  BatchQueue queue;
  for (uint64_t i = 0; i < 65; ++i) queue.Add(i, "7");
  const auto sent = SendAll(queue);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].size(), 64u);
  EXPECT_EQ(sent[1], std::vector<uint64_t>{64});
}

TEST(BatchQueueTest, LargeNumbersStartANewBatchPastTheDigitCap) {
  BatchQueue queue;
  const std::string megabyte(1'000'000, '7');
  queue.Add(1, megabyte);
  queue.Add(2, "12");  // fits with it: 1,000,002 digits
  queue.Add(3, megabyte);
  queue.Add(4, megabyte);
  EXPECT_EQ(SendAll(queue), (std::vector<std::vector<uint64_t>>{{1, 2}, {3}, {4}}));
}

TEST(BatchQueueTest, ANumberOverTheCapStillTravelsAlone) {
  BatchQueue queue;
  queue.Add(1, "5");
  queue.Add(2, std::string(BatchQueue::kMaxDigits + 1, '9'));
  queue.Add(3, "6");
  EXPECT_EQ(SendAll(queue), (std::vector<std::vector<uint64_t>>{{1}, {2}, {3}}));
}

TEST(BatchQueueTest, ClearDropsEverything) {
  BatchQueue queue;
  queue.Add(1, "1");
  queue.StartSending();
  queue.Add(2, "2");
  queue.Clear();
  EXPECT_FALSE(queue.has_unsent());
  EXPECT_FALSE(queue.in_flight());
  queue.Add(3, "3");
  EXPECT_EQ(SendAll(queue), (std::vector<std::vector<uint64_t>>{{3}}));
}

TEST(BatchQueueTest, AWriteCompletingAfterClearChangesNothing) {
  BatchQueue queue;
  queue.Add(1, "1");
  queue.StartSending();
  queue.Clear();
  queue.SendingDone();  // the write that was in flight completes
  EXPECT_FALSE(queue.in_flight());
  EXPECT_FALSE(queue.has_unsent());
  queue.Add(2, "2");
  EXPECT_EQ(SendAll(queue), (std::vector<std::vector<uint64_t>>{{2}}));
}

}  // namespace
}  // namespace sockrpc
