// Which SQUARES session each request on a shared SquareBatchStream belongs to.
// Pure: no I/O, no threads (the caller locks).
//
// Many sessions share one stream to the core. Every request goes out with a
// sequence number of the stream's own ("wire" sequence); the core answers in
// request order and echoes it, so the routes form a queue: an answer belongs
// to the oldest unanswered request, and the echo is a check, not a lookup.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_STREAM_ROUTES_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_STREAM_ROUTES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sockrpc {

class StreamRoutes {
 public:
  struct Route {
    uint64_t session = 0;   // who asked
    uint64_t sequence = 0;  // the session's own number for the request
  };

  // Records a request of `session`; returns the sequence to send it with.
  uint64_t Add(uint64_t session, uint64_t sequence);

  // The core answered wire sequence `wire`: the request's route. An error if
  // that is not the oldest unanswered request (the core broke its ordering
  // promise; the stream cannot be trusted any more).
  absl::StatusOr<Route> Answer(uint64_t wire);

  // The stream ended with `status`: what to tell each session that still
  // awaits answers, once per session, oldest request first. A rejection
  // (INVALID_ARGUMENT, OUT_OF_RANGE) ends the stream at the request it is
  // about, the oldest unanswered one: that session gets the rejection, every
  // other one UNAVAILABLE, since their requests were fine and can be asked
  // again elsewhere. Any other status goes to every session as it is.
  std::vector<std::pair<uint64_t, absl::Status>> End(const absl::Status& status);

  // Whether `session` awaits an answer on this stream.
  bool Awaits(uint64_t session) const { return awaiting_.contains(session); }
  bool empty() const { return routes_.empty(); }
  size_t size() const { return routes_.size(); }

 private:
  struct Entry {
    uint64_t wire = 0;
    Route route;
  };
  std::deque<Entry> routes_;  // unanswered, in request order
  absl::flat_hash_map<uint64_t, size_t> awaiting_;  // session -> its unanswered requests
  uint64_t next_wire_ = 1;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_STREAM_ROUTES_H_
