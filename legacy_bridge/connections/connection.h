// A legacy connection as the ConnectionRegistry sees it: what it can be told
// (drain, evict, retime) and what eviction looks at (its activity).
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_CONNECTION_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_CONNECTION_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include "legacy_bridge/connections/fair_share_policy.h"
#include "legacy_bridge/protocol/close_reason.h"

namespace sockrpc {

// A connection as the registry sees it.
class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~Connection() = default;
  // Stop reading, answer what was received, then close. Called on any
  // thread; implementations hand `self` (this connection) to their own
  // executor, so that the last reference is never dropped on another thread.
  virtual void Drain(std::shared_ptr<Connection> self) = 0;
  // Close with an ERROR line saying why (`reason` is kEvictedHandshake or
  // kEvictedIdle). Any thread, as Drain.
  virtual void Evict(std::shared_ptr<Connection> self, CloseReason reason) = 0;
  // The timeouts shrank (ConnectionRegistry::pressure_level()): arm the
  // timer again with them. Any thread, as Drain.
  virtual void Retime(std::shared_ptr<Connection> self) = 0;

  // What eviction looks at. Written by the connection's thread, read by any
  // thread under the registry's lock: relaxed atomics, a hint is enough.
  void SetActivity(bool in_handshake, bool busy, Clock::time_point last_active) {
    in_handshake_.store(in_handshake, std::memory_order_relaxed);
    busy_.store(busy, std::memory_order_relaxed);
    last_active_.store(last_active.time_since_epoch().count(), std::memory_order_relaxed);
  }
  FairSharePolicy::Candidate AsCandidate(size_t address_sessions) const {
    return {address_sessions, in_handshake_.load(std::memory_order_relaxed),
            busy_.load(std::memory_order_relaxed),
            Clock::time_point(Clock::duration(last_active_.load(std::memory_order_relaxed)))};
  }

 private:
  std::atomic<bool> in_handshake_{true};
  std::atomic<bool> busy_{true};  // until the connection says otherwise
  std::atomic<Clock::rep> last_active_{Clock::now().time_since_epoch().count()};
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_CONNECTION_H_
