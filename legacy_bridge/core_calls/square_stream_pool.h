// The SQUARES sessions' requests to the core, carried on a few shared
// SquareService.SquareBatchStream calls rather than one call per session.
//
// Why shared: a call per session made every idle session cost the core a
// stream and the bridge memory (docs/performance.md), and put each message
// of many lockstep clients on a stream of its own. On a shared call the requests of many
// sessions are pipelined, and an idle session costs nothing but its socket.
// The core answers in request order and echoes a sequence number, so the
// answers are routed back by StreamRoutes.
//
// Why batches: gRPC's per-message cost is most of what a message costs the
// core and much of what it costs the bridge. Requests that arrive while a
// call's previous batch is unanswered are gathered into its next message
// (batch_queue.h, shared_square_stream.h), so the busier the bridge, the
// fewer messages per request.
//
// Each session stays on one call while it awaits answers (so its answers stay
// in order) and picks a call again once it awaits none. Only `in_use` slots
// take new requests at a time, and which ones turns every `rotation`: the
// requests of many sessions then share a few batches (with every slot in use
// at once, 64 lockstep clients made batches of about two), while over a few
// milliseconds every slot, and so every replica, gets its share
// (docs/performance.md, "Fewer calls in use at once"). Each call is replaced
// after `max_age`, which lets the channel's round_robin spread the load again
// over replicas that joined or came back.
//
// The calls use gRPC's completion-queue API, served by one CompletionThread
// (docs/architecture.md, "Why the async API").
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SQUARE_STREAM_POOL_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SQUARE_STREAM_POOL_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "legacy_bridge/core_calls/core_stream.h"
#include "legacy_bridge/core_calls/overload_gate.h"
#include "legacy_bridge/core_calls/shared_square_stream.h"
#include "legacy_bridge/core_calls/stream_slots.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {

// `streams` slots (stream_slots.h), each holding a shared call.
class SquareStreamPool {
 public:
  struct Options {
    size_t streams = 8;
    // Slots taking new requests at once (at most `streams`): the bridge
    // gives one per event loop.
    size_t in_use = 2;
    std::chrono::steady_clock::duration rotation = std::chrono::milliseconds(1);
    std::chrono::steady_clock::duration max_age = std::chrono::seconds(10);
    OverloadGate* overload = nullptr;  // told of every request and answer; outlives the pool
  };

  // The calls run on `queue`, which must outlive the pool. Destroying the
  // pool cancels every call still under way and waits until they have ended
  // (stream_slots.h).
  SquareStreamPool(sockrpc::square::v1::SquareService::Stub& stub, grpc::CompletionQueue& queue,
                   Options options);

  // A stream for one session.
  std::shared_ptr<CoreStream> Open(CoreStream::Callbacks callbacks);
  // The slot a session picks at `now`: one of the `in_use` slots of the
  // current rotation, chosen by the session's id.
  static size_t SlotFor(uint64_t session_id, std::chrono::steady_clock::time_point now,
                        const Options& options);
  // Retires every call (they half-close once answered); later Picks start new ones.
  void RetireAll() { slots_.RetireAll(); }

 private:
  // SlotFor with `checked` already in range (options_ is, from the start):
  // a session's pick does not check them again.
  static size_t SlotForChecked(uint64_t session_id, std::chrono::steady_clock::time_point now,
                               const Options& checked);

  const Options options_;
  StreamSlots<SharedSquareStream> slots_;
  std::atomic<uint64_t> next_session_id_{1};
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_SQUARE_STREAM_POOL_H_
