#include "legacy_bridge/connections/fair_share_policy.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

namespace sockrpc {

FairSharePolicy::FairSharePolicy(Options options) : options_(options) {}

size_t FairSharePolicy::max_per_address() const {
  return std::min(options_.max_per_address, options_.max_connections);
}

bool FairSharePolicy::ShouldEvict(size_t open) const {
  // open / max > percent / 100, in integers.
  return open * 100 > options_.max_connections * static_cast<size_t>(options_.evict_above_percent);
}

std::optional<size_t> FairSharePolicy::ChooseVictim(std::span<const Candidate> candidates,
                                                    size_t newcomer_sessions) {
  std::optional<size_t> best;
  // Bigger address, then in handshake, then idle longer: a larger key wins.
  const auto rank = [](const Candidate& c) {
    return std::make_tuple(c.address_sessions, c.in_handshake, Clock::time_point::max() - c.last_active);
  };
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i];
    if (candidate.busy || candidate.address_sessions < newcomer_sessions + 2) continue;
    if (!best || rank(candidate) > rank(candidates[*best])) best = i;
  }
  return best;
}

int FairSharePolicy::PressureLevel(size_t open) const {
  const double threshold = options_.shrink_timeouts_above_percent / 100.0;
  const double occupancy =
      static_cast<double>(open) / static_cast<double>(std::max<size_t>(options_.max_connections, 1));
  if (threshold >= 1.0 || occupancy <= threshold) return 0;
  const double fraction = std::min(1.0, (occupancy - threshold) / (1.0 - threshold));
  return std::clamp(static_cast<int>(fraction * kLevels + 0.999999), 1, kLevels);
}

std::chrono::milliseconds FairSharePolicy::ScaledTimeout(std::chrono::milliseconds timeout,
                                                         int level) const {
  if (level <= 0) return timeout;
  // In integers: timeout * (1 - (1 - min%) * level / kLevels).
  const int64_t whole = int64_t{100} * kLevels;
  const int64_t kept = whole - int64_t{100 - options_.min_timeout_percent} * std::min(level, kLevels);
  const std::chrono::milliseconds scaled(timeout.count() * kept / whole);
  return std::max(scaled, std::chrono::milliseconds(1));
}

}  // namespace sockrpc
