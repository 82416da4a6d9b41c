#include "legacy_bridge/core_calls/stream_routes.h"

#include "absl/strings/str_cat.h"

namespace sockrpc {

uint64_t StreamRoutes::Add(uint64_t session, uint64_t sequence) {
  const uint64_t wire = next_wire_++;
  routes_.push_back(Entry{wire, Route{session, sequence}});
  ++awaiting_[session];
  return wire;
}

absl::StatusOr<StreamRoutes::Route> StreamRoutes::Answer(uint64_t wire) {
  if (routes_.empty()) {
    return absl::InternalError(absl::StrCat("answer ", wire, " to no outstanding request"));
  }
  if (routes_.front().wire != wire) {
    return absl::InternalError(absl::StrCat("answer ", wire, " out of order: expected ",
                                            routes_.front().wire));
  }
  const Route route = routes_.front().route;
  routes_.pop_front();
  auto it = awaiting_.find(route.session);
  if (--it->second == 0) awaiting_.erase(it);
  return route;
}

std::vector<std::pair<uint64_t, absl::Status>> StreamRoutes::End(const absl::Status& status) {
  const bool rejection = status.code() == absl::StatusCode::kInvalidArgument ||
                         status.code() == absl::StatusCode::kOutOfRange;
  std::vector<std::pair<uint64_t, absl::Status>> verdicts;
  for (const Entry& entry : routes_) {
    const uint64_t session = entry.route.session;
    if (!awaiting_.contains(session)) continue;  // already told
    awaiting_.erase(session);
    if (rejection && !verdicts.empty()) {
      verdicts.emplace_back(session,
                            absl::UnavailableError(absl::StrCat(
                                "shared stream ended by another session's rejected request: ",
                                status.message())));
    } else {
      verdicts.emplace_back(session, status);
    }
  }
  routes_.clear();
  return verdicts;
}

}  // namespace sockrpc
