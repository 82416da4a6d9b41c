// Which slot a session picks: SquareStreamPool::SlotFor is pure.
#include "legacy_bridge/core_calls/square_stream_pool.h"

#include <chrono>
#include <set>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

SquareStreamPool::Options EightSlotsTwoInUse() {
  return {.streams = 8, .in_use = 2, .rotation = milliseconds(1)};
}

TEST(SquareStreamPoolSlotTest, AtOneMomentOnlyInUseSlotsAreChosen) {
  const TimePoint now{milliseconds(12345)};
  std::set<size_t> chosen;
  for (uint64_t session = 1; session <= 1000; ++session) {
    chosen.insert(SquareStreamPool::SlotFor(session, now, EightSlotsTwoInUse()));
  }
  EXPECT_EQ(chosen.size(), 2u);
}

TEST(SquareStreamPoolSlotTest, EverySlotIsChosenWithinOneRound) {
  // 8 slots, 2 at a time: 4 rotations use them all.
  std::set<size_t> chosen;
  for (int turn = 0; turn < 4; ++turn) {
    const TimePoint now{milliseconds(100 + turn)};
    for (uint64_t session = 1; session <= 2; ++session) {
      chosen.insert(SquareStreamPool::SlotFor(session, now, EightSlotsTwoInUse()));
    }
  }
  EXPECT_EQ(chosen.size(), 8u);
}

TEST(SquareStreamPoolSlotTest, ASessionKeepsItsSlotWithinOneRotation) {
  const TimePoint start{milliseconds(500)};
  const size_t slot = SquareStreamPool::SlotFor(7, start, EightSlotsTwoInUse());
  EXPECT_EQ(SquareStreamPool::SlotFor(7, start + std::chrono::microseconds(999),
                                      EightSlotsTwoInUse()),
            slot);
}

TEST(SquareStreamPoolSlotTest, OutOfRangeOptionsAreClamped) {
  const TimePoint now{milliseconds(3)};
  // No slots means one; more in use than slots means all of them.
  EXPECT_EQ(SquareStreamPool::SlotFor(5, now, {.streams = 0, .in_use = 4}), 0u);
  std::set<size_t> chosen;
  for (uint64_t session = 0; session < 10; ++session) {
    chosen.insert(SquareStreamPool::SlotFor(session, now, {.streams = 3, .in_use = 9}));
  }
  EXPECT_EQ(chosen, (std::set<size_t>{0, 1, 2}));
}

TEST(SquareStreamPoolSlotTest, AllSlotsInUseSpreadsSessionsByIdAsBefore) {
  const SquareStreamPool::Options options{.streams = 8, .in_use = 8};
  for (uint64_t session = 0; session < 32; ++session) {
    EXPECT_EQ(SquareStreamPool::SlotFor(session, TimePoint{milliseconds(session * 7)}, options),
              session % 8);
  }
}

}  // namespace
}  // namespace sockrpc
