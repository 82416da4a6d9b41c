#include "legacy_bridge/connection_registry.h"

#include <vector>

namespace sockrpc {

bool ConnectionRegistry::TryReserve(size_t limit) {
  std::lock_guard lock(mu_);
  if (open_.size() + reserved_ >= limit) return false;
  ++reserved_;
  return true;
}

void ConnectionRegistry::Add(Connection* connection, const std::weak_ptr<Connection>& handle) {
  std::lock_guard lock(mu_);
  --reserved_;
  open_.emplace(connection, handle);
}

void ConnectionRegistry::Remove(Connection* connection) {
  std::lock_guard lock(mu_);
  if (open_.erase(connection) > 0 && open_.empty()) closed_.notify_all();
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return open_.size() + reserved_;
}

size_t ConnectionRegistry::DrainAll(absl::Duration grace) {
  std::vector<std::shared_ptr<Connection>> to_drain;
  {
    std::lock_guard lock(mu_);
    for (const auto& [connection, handle] : open_) {
      if (auto alive = handle.lock()) to_drain.push_back(std::move(alive));
    }
  }
  for (auto& connection : to_drain) {
    Connection* raw = connection.get();
    raw->Drain(std::move(connection));  // the reference moves to the connection's thread
  }

  std::unique_lock lock(mu_);
  closed_.wait_for(lock, absl::ToChronoNanoseconds(grace), [this] { return open_.empty(); });
  return open_.size();
}

}  // namespace sockrpc
