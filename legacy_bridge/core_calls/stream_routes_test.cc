#include "legacy_bridge/core_calls/stream_routes.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

TEST(StreamRoutesTest, AnswersGoToTheSessionThatAsked) {
  StreamRoutes routes;
  const uint64_t a = routes.Add(/*session=*/7, /*sequence=*/1);
  const uint64_t b = routes.Add(/*session=*/9, /*sequence=*/1);
  const uint64_t c = routes.Add(/*session=*/7, /*sequence=*/2);
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_TRUE(routes.Awaits(7));
  EXPECT_TRUE(routes.Awaits(9));

  absl::StatusOr<StreamRoutes::Route> first = routes.Answer(a);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->session, 7u);
  EXPECT_EQ(first->sequence, 1u);
  EXPECT_TRUE(routes.Awaits(7));  // its second request is still out

  absl::StatusOr<StreamRoutes::Route> second = routes.Answer(b);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->session, 9u);
  EXPECT_FALSE(routes.Awaits(9));

  absl::StatusOr<StreamRoutes::Route> third = routes.Answer(c);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->session, 7u);
  EXPECT_EQ(third->sequence, 2u);
  EXPECT_FALSE(routes.Awaits(7));
  EXPECT_TRUE(routes.empty());
}

TEST(StreamRoutesTest, AnAnswerOutOfOrderOrUnaskedIsAnError) {
  StreamRoutes routes;
  EXPECT_EQ(routes.Answer(1).status().code(), absl::StatusCode::kInternal);
  const uint64_t a = routes.Add(1, 1);
  const uint64_t b = routes.Add(2, 1);
  EXPECT_EQ(routes.Answer(b).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(routes.size(), 2u);  // nothing was consumed
  EXPECT_TRUE(routes.Answer(a).ok());
  EXPECT_TRUE(routes.Answer(b).ok());
}

TEST(StreamRoutesTest, ALostStreamTellsEachWaitingSessionOnce) {
  StreamRoutes routes;
  routes.Add(3, 1);
  routes.Add(4, 1);
  routes.Add(3, 2);
  const uint64_t answered = routes.Add(5, 1);
  routes.Add(6, 1);
  (void)answered;
  ASSERT_TRUE(routes.Answer(1).ok());  // session 3's first request
  const auto verdicts = routes.End(absl::UnavailableError("replica gone"));
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_EQ(verdicts[0].first, 4u);
  EXPECT_EQ(verdicts[1].first, 3u);
  EXPECT_EQ(verdicts[2].first, 5u);
  EXPECT_EQ(verdicts[3].first, 6u);
  for (const auto& [session, status] : verdicts) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << session;
    EXPECT_EQ(status.message(), "replica gone");
  }
  EXPECT_TRUE(routes.empty());
  EXPECT_FALSE(routes.Awaits(3));
}

TEST(StreamRoutesTest, ARejectionBlamesOnlyTheOldestRequestsSession) {
  StreamRoutes routes;
  routes.Add(10, 1);
  routes.Add(11, 1);
  routes.Add(10, 2);
  routes.Add(12, 1);
  const auto verdicts = routes.End(absl::OutOfRangeError("too many digits"));
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[0].first, 10u);
  EXPECT_EQ(verdicts[0].second.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(verdicts[1].first, 11u);
  EXPECT_EQ(verdicts[1].second.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(verdicts[2].first, 12u);
  EXPECT_EQ(verdicts[2].second.code(), absl::StatusCode::kUnavailable);
}

TEST(StreamRoutesTest, ACleanEndWithNothingOutstandingTellsNobody) {
  StreamRoutes routes;
  routes.Add(1, 1);
  ASSERT_TRUE(routes.Answer(1).ok());
  EXPECT_TRUE(routes.End(absl::OkStatus()).empty());
}

TEST(StreamRoutesTest, WireSequencesKeepGrowingAfterAnswers) {
  StreamRoutes routes;
  uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t wire = routes.Add(1, static_cast<uint64_t>(i));
    EXPECT_GT(wire, last);
    last = wire;
    ASSERT_TRUE(routes.Answer(wire).ok());
  }
}

}  // namespace
}  // namespace sockrpc
