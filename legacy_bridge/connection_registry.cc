#include "legacy_bridge/connection_registry.h"

#include <vector>

namespace sockrpc {

bool ConnectionRegistry::TryAdd(Connection* connection, const std::weak_ptr<Connection>& handle,
                                size_t limit) {
  absl::MutexLock lock(&mu_);
  if (open_.size() >= limit) return false;
  open_.emplace(connection, handle);
  return true;
}

void ConnectionRegistry::Remove(Connection* connection) {
  absl::MutexLock lock(&mu_);
  open_.erase(connection);
}

size_t ConnectionRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return open_.size();
}

size_t ConnectionRegistry::DrainAll(absl::Duration grace) {
  std::vector<std::shared_ptr<Connection>> to_drain;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [connection, handle] : open_) {
      if (auto alive = handle.lock()) to_drain.push_back(std::move(alive));
    }
  }
  for (auto& connection : to_drain) {
    Connection* raw = connection.get();
    raw->Drain(std::move(connection));  // the reference moves to the connection's thread
  }

  absl::MutexLock lock(&mu_);
  const auto all_closed = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return open_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&all_closed), grace);
  return open_.size();
}

}  // namespace sockrpc
