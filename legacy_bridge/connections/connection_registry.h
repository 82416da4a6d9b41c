// The connections a bridge has open: counted for --max_connections and per
// client address for --max_connections_per_address, evicted for newcomers
// from smaller addresses when the table is nearly full (FairSharePolicy),
// and told to drain when the bridge shuts down.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_CONNECTION_REGISTRY_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_CONNECTION_REGISTRY_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include <condition_variable>
#include <mutex>
#include "absl/time/time.h"
#include "legacy_bridge/connections/connection.h"
#include "legacy_bridge/connections/fair_share_policy.h"
#include "legacy_bridge/protocol/close_reason.h"

namespace sockrpc {

class ConnectionRegistry {
 public:
  explicit ConnectionRegistry(FairSharePolicy policy) : policy_(policy) {}

  // What TryReserve decided.
  struct Admission {
    // kTooManyConnections or kPerAddressCap when refused.
    std::optional<CloseReason> refused;
    // A session to evict (Connection::Evict) to make room, and why.
    std::shared_ptr<Connection> victim;
    CloseReason victim_reason = CloseReason::kEvictedIdle;
  };
  // Reserves a place for a connection from `address_key` (address_key.h)
  // about to open, unless its address holds its cap or the table is full
  // with nothing to evict. Event loops accept in parallel: the checks and
  // the reservation are one step, so the limits hold exactly (sessions being
  // evicted no longer count).
  Admission TryReserve(const std::string& address_key);
  // Fills a reservation with the connection.
  void Add(Connection* connection, const std::weak_ptr<Connection>& handle,
           const std::string& address_key);
  void Remove(Connection* connection);
  size_t size() const;

  // 0..FairSharePolicy::kLevels: how far the timeouts shrink now. Lock-free.
  int pressure_level() const { return pressure_level_.load(std::memory_order_relaxed); }
  const FairSharePolicy& policy() const { return policy_; }
  // The open connections to Retime, if the pressure level rose above the
  // last level swept; else none. The last level swept comes down only once
  // the level is two below it, so a sweep takes a swing of two levels.
  std::vector<std::shared_ptr<Connection>> TakeRetimeSweep();

  // Asks every open connection to drain, then waits until all have closed or
  // `grace` has passed. Returns how many were still open.
  size_t DrainAll(absl::Duration grace);

 private:
  struct Entry {
    std::weak_ptr<Connection> handle;
    std::string address_key;
    bool evicting = false;
  };
  struct Address {
    size_t sessions = 0;  // open (not being evicted) and reserved
    absl::flat_hash_set<Connection*> open;
  };
  size_t counted() const { return open_.size() + reserved_ - evicting_; }
  // Picks and marks a session to evict for a newcomer from `address_key`.
  // Requires mu_.
  void FindVictim(const std::string& address_key, Admission& admission);
  void UpdatePressure();  // requires mu_

  const FairSharePolicy policy_;
  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable closed_;  // signalled when open_ becomes empty
  absl::flat_hash_map<Connection*, Entry> open_;
  absl::flat_hash_map<std::string, Address> addresses_;
  size_t reserved_ = 0;
  size_t evicting_ = 0;  // entries of open_ being evicted
  std::atomic<int> pressure_level_{0};
  int swept_level_ = 0;  // the level of the last TakeRetimeSweep
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_CONNECTION_REGISTRY_H_
