// The connections a bridge has open: counted for --max_connections, and told
// to drain when the bridge shuts down.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTION_REGISTRY_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTION_REGISTRY_H_

#include <cstddef>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include <condition_variable>
#include <mutex>
#include "absl/time/time.h"

namespace sockrpc {

// A connection as the registry sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Stop reading, answer what was received, then close. Called on any
  // thread; implementations hand `self` (this connection) to their own
  // executor, so that the last reference is never dropped on another thread.
  virtual void Drain(std::shared_ptr<Connection> self) = 0;
};

class ConnectionRegistry {
 public:
  // Reserves a place for a connection about to open, unless `limit` are open
  // or reserved already. Event loops accept in parallel: the check and the
  // reservation are one step, so the limit holds exactly.
  bool TryReserve(size_t limit);
  // Fills a reservation with the connection.
  void Add(Connection* connection, const std::weak_ptr<Connection>& handle);
  void Remove(Connection* connection);
  size_t size() const;

  // Asks every open connection to drain, then waits until all have closed or
  // `grace` has passed. Returns how many were still open.
  size_t DrainAll(absl::Duration grace);

 private:
  // std::mutex rather than absl::Mutex: sanitizers see its ordering.
  mutable std::mutex mu_;  // guards open_ and reserved_
  std::condition_variable closed_;  // signalled when open_ becomes empty
  absl::flat_hash_map<Connection*, std::weak_ptr<Connection>> open_;
  size_t reserved_ = 0;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTION_REGISTRY_H_
