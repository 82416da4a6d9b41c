#include "legacy_bridge/connections/connection_registry.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sockrpc {
namespace {

// Records what the registry asks of it; no executor, so `self` is released
// right here (the test's thread is every connection's thread).
class FakeConnection final : public Connection {
 public:
  void Drain(std::shared_ptr<Connection>) override {}
  void Evict(std::shared_ptr<Connection>, CloseReason reason) override { evicted = reason; }
  void Retime(std::shared_ptr<Connection>) override { ++retimed; }
  std::optional<CloseReason> evicted;
  int retimed = 0;
};

class ConnectionRegistryTest : public ::testing::Test {
 protected:
  explicit ConnectionRegistryTest(size_t max_connections = 10, size_t per_address = 8)
      : registry_(FairSharePolicy({.max_connections = max_connections,
                                   .max_per_address = per_address,
                                   .evict_above_percent = 90,
                                   .shrink_timeouts_above_percent = 50,
                                   .min_timeout_percent = 10})) {}

  // Opens a connection from `address`, idle since `idle_for` ago (or in its
  // handshake); carries out an eviction as the bridge does.
  ConnectionRegistry::Admission Open(const std::string& address, bool in_handshake = false,
                                     std::chrono::seconds idle_for = std::chrono::seconds(0)) {
    ConnectionRegistry::Admission admission = registry_.TryReserve(address);
    if (admission.refused) return admission;
    if (admission.victim != nullptr) {
      Connection* victim = admission.victim.get();
      victim->Evict(admission.victim, admission.victim_reason);
    }
    auto connection = std::make_shared<FakeConnection>();
    connection->SetActivity(in_handshake, /*busy=*/false, Connection::Clock::now() - idle_for);
    registry_.Add(connection.get(), connection, address);
    connections_.push_back(connection);
    return admission;
  }

  ~ConnectionRegistryTest() override {
    for (auto& connection : connections_) registry_.Remove(connection.get());
  }

  ConnectionRegistry registry_;
  std::vector<std::shared_ptr<FakeConnection>> connections_;
};

TEST_F(ConnectionRegistryTest, RefusesPastThePerAddressCap) {
  for (int i = 0; i < 8; ++i) EXPECT_FALSE(Open("10.0.0.1").refused);
  EXPECT_EQ(Open("10.0.0.1").refused, CloseReason::kPerAddressCap);
  EXPECT_FALSE(Open("10.0.0.2").refused);
  EXPECT_EQ(registry_.size(), 9u);
}

TEST_F(ConnectionRegistryTest, ANewcomerEvictsTheBiggestAddresssHandshakeThenLongestIdle) {
  Open("10.0.0.1", false, std::chrono::seconds(30));
  Open("10.0.0.1", false, std::chrono::seconds(90));
  Open("10.0.0.1", true);
  for (int i = 0; i < 5; ++i) Open("10.0.0.1", false, std::chrono::seconds(10));
  Open("10.0.0.2", false, std::chrono::seconds(500));
  ASSERT_EQ(registry_.size(), 9u);
  // The 10th passes 90 %: the in-handshake session goes first...
  EXPECT_EQ(Open("10.0.0.3").victim_reason, CloseReason::kEvictedHandshake);
  EXPECT_EQ(connections_[2]->evicted, CloseReason::kEvictedHandshake);
  // ...then the longest idle of the biggest address, not 10.0.0.2's older one.
  EXPECT_EQ(Open("10.0.0.3").victim_reason, CloseReason::kEvictedIdle);
  EXPECT_EQ(connections_[1]->evicted, CloseReason::kEvictedIdle);
  EXPECT_FALSE(connections_[8]->evicted);
  // Evicted sessions no longer count: each newcomer took one's place.
  EXPECT_EQ(registry_.size(), 9u);
}

TEST_F(ConnectionRegistryTest, AFullTableRefusesWhenNothingBiggerIsThere) {
  for (int i = 0; i < 5; ++i) Open("10.0.0.1");
  for (int i = 0; i < 5; ++i) Open("10.0.0.2");
  for (const auto& connection : connections_) EXPECT_FALSE(connection->evicted);
  EXPECT_EQ(Open("10.0.0.1").refused, CloseReason::kTooManyConnections);
  // A third address holds none: it may take one from a bigger one.
  EXPECT_FALSE(Open("10.0.0.3").refused);
}

TEST_F(ConnectionRegistryTest, BusySessionsAreNotEvicted) {
  for (int i = 0; i < 8; ++i) Open("10.0.0.1");
  for (auto& connection : connections_) {
    connection->SetActivity(false, /*busy=*/true, Connection::Clock::now());
  }
  Open("10.0.0.2");
  Open("10.0.0.4");
  EXPECT_EQ(Open("10.0.0.3").refused, CloseReason::kTooManyConnections);
  for (const auto& connection : connections_) EXPECT_FALSE(connection->evicted);
}

TEST_F(ConnectionRegistryTest, WhenTheBiggestIsBusyTheNextBigEnoughAddressGives) {
  for (int i = 0; i < 7; ++i) Open("10.0.0.1");
  for (auto& connection : connections_) {
    connection->SetActivity(false, /*busy=*/true, Connection::Clock::now());
  }
  Open("10.0.0.2");
  Open("10.0.0.2");
  const ConnectionRegistry::Admission admission = Open("10.0.0.3");
  EXPECT_NE(admission.victim, nullptr);
  EXPECT_EQ(admission.victim_reason, CloseReason::kEvictedIdle);
  EXPECT_TRUE(connections_[7]->evicted || connections_[8]->evicted);
  for (size_t i = 0; i < 7; ++i) EXPECT_FALSE(connections_[i]->evicted);
}

TEST_F(ConnectionRegistryTest, PressureRisesWithTheTable) {
  for (int i = 0; i < 5; ++i) Open("10.0.0.1");
  EXPECT_EQ(registry_.pressure_level(), 0);
  EXPECT_TRUE(registry_.TakeRetimeSweep().empty());
  Open("10.0.0.2");
  EXPECT_EQ(registry_.pressure_level(), 2);
  EXPECT_EQ(registry_.TakeRetimeSweep().size(), 6u);
  EXPECT_TRUE(registry_.TakeRetimeSweep().empty());
}

// One level per connection above half of 20.
class LargerRegistryTest : public ConnectionRegistryTest {
 protected:
  LargerRegistryTest() : ConnectionRegistryTest(20, 20) {}
};

TEST_F(LargerRegistryTest, ASweepTakesASwingOfTwoLevels) {
  for (int i = 0; i < 12; ++i) Open("10.0.0.1");
  EXPECT_EQ(registry_.pressure_level(), 2);
  EXPECT_EQ(registry_.TakeRetimeSweep().size(), 12u);
  // Down one level and up again: no sweep.
  registry_.Remove(connections_.back().get());
  connections_.pop_back();
  EXPECT_TRUE(registry_.TakeRetimeSweep().empty());
  Open("10.0.0.1");
  EXPECT_TRUE(registry_.TakeRetimeSweep().empty());
  // Down two levels, then up one: a sweep.
  for (int i = 0; i < 2; ++i) {
    registry_.Remove(connections_.back().get());
    connections_.pop_back();
  }
  EXPECT_EQ(registry_.pressure_level(), 0);
  EXPECT_TRUE(registry_.TakeRetimeSweep().empty());
  Open("10.0.0.1");
  EXPECT_EQ(registry_.pressure_level(), 1);
  EXPECT_EQ(registry_.TakeRetimeSweep().size(), 11u);
}

}  // namespace
}  // namespace sockrpc
