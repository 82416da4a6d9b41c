// A SQUARES session's handle on the shared calls to the core
// (square_stream_pool.h): it sends the session's requests on one call while
// answers are due there, and hands the session its answers and the end.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_STREAM_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_STREAM_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "legacy_bridge/core_calls/shared_square_stream.h"
#include "legacy_bridge/protocol/core_request.h"

namespace sockrpc {

// What one SQUARES connection sees: a stream of its own requests and their
// answers, in order. Callbacks run on the completion thread, outside the
// shared call's lock: callers may take a lock of their own there, or hand
// them to their own executor. on_done may also run inside Send. Send, Detach
// and Abandon are never called concurrently (a connection calls them under
// its mutex).
class CoreStream : public std::enable_shared_from_this<CoreStream> {
 public:
  struct Callbacks {
    // An answer: the request's sequence number and its square. `first_few`:
    // it is one of the first kFirstFew answers of the core's message, which
    // the completion thread may write itself; the rest of a big message are
    // better handed to the connections' own threads, so that their writes
    // spread over the event loops (docs/performance.md, "Answers written
    // where they arrive").
    std::function<void(uint64_t sequence, std::string square, bool first_few)> on_answer;
    // The call carrying this session's unanswered requests ended without
    // answering them; called at most once, after every on_answer. The stream
    // takes no more requests: open another one.
    std::function<void(absl::Status status)> on_done;
  };

  // The answers at the head of each message from the core that on_answer
  // marks `first_few`: all of them at low load, a few under load.
  static constexpr size_t kFirstFew = 8;

  // The shared call this session's requests go on when none awaits answers.
  using PickCall = std::function<std::shared_ptr<SharedSquareStream>()>;

  CoreStream(uint64_t session_id, PickCall pick, Callbacks callbacks)
      : session_id_(session_id), pick_(std::move(pick)), callbacks_(std::move(callbacks)) {}

  // Sends `requests` (in order) together: on one call, and queued under one
  // lock, so that what one read of the socket brought goes out in as few
  // batches as the batch size allows, however the threads are timed.
  void Send(std::span<const CoreRequest> requests);
  // The session is closing: answers still due are dropped.
  void Detach();
  // The core did not answer in time: stop waiting, and cancel the call this
  // session's requests are stuck on, so no session is sent there again.
  void Abandon();

  // What the shared call reports, on the completion thread: an answer (dropped
  // once the session ended), and the end of the call its answers were due on.
  uint64_t session_id() const { return session_id_; }
  void Answer(uint64_t sequence, std::string square, bool first_few);
  void End(absl::Status status);

 private:
  const uint64_t session_id_;
  const PickCall pick_;
  const Callbacks callbacks_;
  // The call the session's unanswered requests are on; its owner's, as Send.
  std::shared_ptr<SharedSquareStream> bound_;
  // No callback may run any more (detached, abandoned, or on_done ran).
  std::atomic<bool> ended_{false};
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_CORE_STREAM_H_
