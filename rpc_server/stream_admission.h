// The cap on SquareStream and SquareBatchStream calls open at once, over all
// connections. GRPC_ARG_MAX_CONCURRENT_STREAMS bounds the streams of one
// connection, but a flood from many connections is bounded only here: a
// stream past the cap is answered RESOURCE_EXHAUSTED at once instead of
// holding memory and a share of the serving threads. Refusals are counted
// (sockrpc_core_streams_refused_total) and logged at most once a second.
#ifndef SOCKRPC_RPC_SERVER_STREAM_ADMISSION_H_
#define SOCKRPC_RPC_SERVER_STREAM_ADMISSION_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <grpcpp/grpcpp.h>

#include "common/metrics.h"

namespace sockrpc {

class StreamAdmission {
 public:
  // `max_open` 0: no cap. `refused` may be null.
  StreamAdmission(size_t max_open, Counter* refused) : max_open_(max_open), refused_(refused) {}

  // True if one more stream may open (then Release it when it ends); false,
  // counted and logged, if the cap is reached.
  bool TryAcquire();
  void Release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  // What a refused stream is told.
  grpc::Status RefusalStatus() const;

 private:
  const size_t max_open_;
  Counter* const refused_;
  std::atomic<size_t> open_{0};
  std::atomic<int64_t> last_log_ns_{0};  // steady clock; at most one line a second
  std::atomic<uint64_t> unlogged_{0};
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_STREAM_ADMISSION_H_
