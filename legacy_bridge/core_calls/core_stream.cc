#include "legacy_bridge/core_calls/core_stream.h"

#include <string>
#include <utility>

namespace sockrpc {

void CoreStream::Send(std::span<const CoreRequest> requests) {
  if (requests.empty() || ended_.load()) return;  // on_done has run or is on its way
  const std::shared_ptr<CoreStream> self = shared_from_this();
  // While answers are due, later requests follow them on the same call.
  if (bound_ != nullptr && bound_->TrySend(self, requests, /*only_if_awaiting=*/true)) return;
  // A call can end between Pick and TrySend; the next Pick replaces it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    bound_ = pick_();
    if (bound_->TrySend(self, requests, /*only_if_awaiting=*/false)) return;
  }
  bound_.reset();
  End(absl::UnavailableError("no stream to the core could be started"));
}

void CoreStream::Detach() {
  ended_.store(true);
  bound_.reset();
}

void CoreStream::Abandon() {
  ended_.store(true);
  if (bound_ != nullptr && bound_->Awaits(session_id_)) bound_->Cancel();
  bound_.reset();
}

void CoreStream::Answer(uint64_t sequence, std::string square, bool first_few) {
  if (!ended_.load()) callbacks_.on_answer(sequence, std::move(square), first_few);
}

void CoreStream::End(absl::Status status) {
  if (!ended_.exchange(true)) callbacks_.on_done(std::move(status));
}

}  // namespace sockrpc
