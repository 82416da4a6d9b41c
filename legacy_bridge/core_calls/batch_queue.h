// The requests waiting to go to the core on one shared SquareBatchStream,
// grouped into batches. Pure: no I/O, no threads (the caller locks).
//
// One batch is written at a time. While it is in flight, new requests join
// the newest batch behind it until that one is full: 64 requests (the
// method's limit) or kMaxDigits digits, which keeps a batch far below the
// core's 4 MiB receive limit even when --max_message_bytes lets 1 MiB numbers
// through (the core rejects those; a batch over the limit would instead fail
// the whole stream, and every session on it).
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_BATCH_QUEUE_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_BATCH_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "sockrpc/square/v1/square_service.pb.h"

namespace sockrpc {

class BatchQueue {
 public:
  static constexpr int kMaxRequests = 64;
  static constexpr size_t kMaxDigits = size_t{1} << 20;

  // Queues the request `wire_sequence` for the canonical integer `decimal`:
  // as an int64 `value` where it fits (no string to allocate, copy and echo
  // on either side), else as the `decimal` itself.
  void Add(uint64_t wire_sequence, const std::string& decimal);

  // Whether a batch is queued that is not in flight.
  bool has_unsent() const { return batches_.size() > (in_flight_ ? 1 : 0); }
  // Batches queued behind the front one (in flight or not).
  size_t behind_front() const { return batches_.empty() ? 0 : batches_.size() - 1; }
  bool in_flight() const { return in_flight_; }
  // Digits in the batches not yet in flight.
  size_t unsent_digits() const { return unsent_digits_; }

  // The front batch, which is now in flight and takes no more requests.
  // Requires has_unsent() and !in_flight().
  const sockrpc::square::v1::SquareBatchStreamRequest& StartSending();
  // The front batch has been written: it leaves the queue. Nothing, if the
  // queue was cleared meanwhile.
  void SendingDone();
  // Drops everything (the stream broke), even a batch in flight: gRPC has its
  // own copy of a message once the write has started.
  void Clear();

 private:
  struct Batch {
    sockrpc::square::v1::SquareBatchStreamRequest message;
    size_t digits = 0;  // of its numbers, in decimal
  };
  std::deque<Batch> batches_;
  size_t unsent_digits_ = 0;
  bool in_flight_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_BATCH_QUEUE_H_
