#include "legacy_bridge/connections/connection_registry.h"

#include <vector>

namespace sockrpc {

ConnectionRegistry::Admission ConnectionRegistry::TryReserve(const std::string& address_key) {
  std::lock_guard lock(mu_);
  Admission admission;
  const auto known = addresses_.find(address_key);
  const size_t address_sessions = known == addresses_.end() ? 0 : known->second.sessions;
  if (!policy_.UnderAddressCap(address_sessions)) {
    admission.refused = CloseReason::kPerAddressCap;
    return admission;
  }
  if (policy_.Full(counted())) {
    FindVictim(address_key, admission);
    if (admission.victim == nullptr) {
      admission.refused = CloseReason::kTooManyConnections;
      return admission;
    }
  } else if (policy_.ShouldEvict(counted() + 1)) {
    FindVictim(address_key, admission);
  }
  ++reserved_;
  ++addresses_[address_key].sessions;
  UpdatePressure();
  return admission;
}

void ConnectionRegistry::FindVictim(const std::string& address_key, Admission& admission) {
  const auto newcomer = addresses_.find(address_key);
  const size_t newcomer_sessions = newcomer == addresses_.end() ? 0 : newcomer->second.sessions;
  const Address* biggest = nullptr;
  for (const auto& [key, address] : addresses_) {
    if (biggest == nullptr || address.sessions > biggest->sessions) biggest = &address;
  }
  if (biggest == nullptr || biggest->sessions < newcomer_sessions + 2) return;

  std::vector<Connection*> connections;
  std::vector<FairSharePolicy::Candidate> candidates;
  const auto consider = [&](Connection* connection, const Entry& entry) {
    if (entry.evicting || entry.handle.expired()) return;
    connections.push_back(connection);
    candidates.push_back(connection->AsCandidate(addresses_.at(entry.address_key).sessions));
  };
  // The biggest address's sessions first; the whole table only if all of
  // them are busy.
  for (Connection* connection : biggest->open) consider(connection, open_.at(connection));
  std::optional<size_t> chosen = FairSharePolicy::ChooseVictim(candidates, newcomer_sessions);
  if (!chosen) {
    connections.clear();
    candidates.clear();
    for (const auto& [connection, entry] : open_) consider(connection, entry);
    chosen = FairSharePolicy::ChooseVictim(candidates, newcomer_sessions);
  }
  if (!chosen) return;
  Connection* victim = connections[*chosen];
  Entry& entry = open_.at(victim);
  admission.victim = entry.handle.lock();
  if (admission.victim == nullptr) return;
  admission.victim_reason = candidates[*chosen].in_handshake ? CloseReason::kEvictedHandshake
                                                             : CloseReason::kEvictedIdle;
  entry.evicting = true;
  ++evicting_;
  --addresses_.at(entry.address_key).sessions;
}

void ConnectionRegistry::Add(Connection* connection, const std::weak_ptr<Connection>& handle,
                             const std::string& address_key) {
  std::lock_guard lock(mu_);
  --reserved_;
  open_.emplace(connection, Entry{handle, address_key});
  addresses_[address_key].open.insert(connection);
}

void ConnectionRegistry::Remove(Connection* connection) {
  std::lock_guard lock(mu_);
  const auto found = open_.find(connection);
  if (found == open_.end()) return;
  const auto address = addresses_.find(found->second.address_key);
  if (found->second.evicting) {
    --evicting_;
  } else if (address != addresses_.end()) {
    --address->second.sessions;
  }
  if (address != addresses_.end()) {
    address->second.open.erase(connection);
    if (address->second.sessions == 0 && address->second.open.empty()) addresses_.erase(address);
  }
  open_.erase(found);
  UpdatePressure();
  if (open_.empty()) closed_.notify_all();
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return counted();
}

void ConnectionRegistry::UpdatePressure() {
  pressure_level_.store(policy_.PressureLevel(counted()), std::memory_order_relaxed);
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::TakeRetimeSweep() {
  std::vector<std::shared_ptr<Connection>> to_retime;
  std::lock_guard lock(mu_);
  const int level = pressure_level_.load(std::memory_order_relaxed);
  if (level <= swept_level_) {
    // Hysteresis: a table that wavers across one level boundary would
    // otherwise make every other accept a sweep of the whole table.
    if (level + 2 <= swept_level_) swept_level_ = level;
    return to_retime;
  }
  swept_level_ = level;
  for (const auto& [connection, entry] : open_) {
    if (auto alive = entry.handle.lock()) to_retime.push_back(std::move(alive));
  }
  return to_retime;
}

size_t ConnectionRegistry::DrainAll(absl::Duration grace) {
  std::vector<std::shared_ptr<Connection>> to_drain;
  {
    std::lock_guard lock(mu_);
    for (const auto& [connection, entry] : open_) {
      if (auto alive = entry.handle.lock()) to_drain.push_back(std::move(alive));
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
