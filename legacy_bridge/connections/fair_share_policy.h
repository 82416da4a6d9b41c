// Who gets a place in the bridge's connection table when it is contested:
// a cap per client address (as nginx limit_conn), eviction of the sessions
// that cost most and give least once the table is nearly full, and shorter
// handshake and idle timeouts as it fills (as the "reduce timeouts" action of
// Envoy's overload manager). Pure arithmetic on counts: ConnectionRegistry
// and the connections carry the decisions out.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_FAIR_SHARE_POLICY_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_FAIR_SHARE_POLICY_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>

namespace sockrpc {

class FairSharePolicy {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    size_t max_connections = 15'000;
    size_t max_per_address = 1'000;  // capped at max_connections
    // Occupancy (percent of max_connections) from which every new connection
    // evicts one session from a bigger address; 100: only when full.
    int evict_above_percent = 90;
    // Occupancy from which the timeouts shrink, down to
    // min_timeout_percent of their flag value at a full table; 100: never.
    int shrink_timeouts_above_percent = 80;
    int min_timeout_percent = 10;
  };

  // A session that could be evicted, as the registry saw it.
  struct Candidate {
    size_t address_sessions = 0;  // sessions its address holds
    bool in_handshake = false;    // no first message yet
    bool busy = false;            // awaiting the core or writing: never evicted
    Clock::time_point last_active{};
  };

  // Pressure levels: 0 below the shrink threshold, kLevels at a full table.
  static constexpr int kLevels = 10;

  explicit FairSharePolicy(Options options);

  // Whether an address holding `address_sessions` may open one more. A cap
  // at or above max_connections never binds: the table's limit does.
  bool UnderAddressCap(size_t address_sessions) const {
    return options_.max_per_address >= options_.max_connections ||
           address_sessions < options_.max_per_address;
  }
  size_t max_per_address() const;
  size_t max_connections() const { return options_.max_connections; }
  bool Full(size_t open) const { return open >= options_.max_connections; }
  // Whether a connection that brings the table to `open` should evict one.
  bool ShouldEvict(size_t open) const;

  // The session to evict for a newcomer whose address holds
  // `newcomer_sessions` (before it): only from an address that holds at
  // least two more, so eviction evens addresses out and never takes from the
  // newcomer's own or a smaller one. Among those, the biggest address first;
  // within it, a session still in its handshake, then the longest idle.
  // Busy sessions are never chosen. nullopt: nothing to evict.
  static std::optional<size_t> ChooseVictim(std::span<const Candidate> candidates,
                                            size_t newcomer_sessions);

  // 0..kLevels for a table holding `open`; each level shrinks the timeouts
  // by an equal step.
  int PressureLevel(size_t open) const;
  // `timeout` at `level`: the full value at 0, min_timeout_percent of it at
  // kLevels, never below a millisecond.
  std::chrono::milliseconds ScaledTimeout(std::chrono::milliseconds timeout, int level) const;

 private:
  Options options_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_FAIR_SHARE_POLICY_H_
