// The server contexts of open calls that a shutdown ends at once rather than
// after the grace: NowStream calls, which hold no state a client needs to
// finish (a request still unanswered is asked again elsewhere), but which a
// bridge keeps open between requests.
#ifndef SOCKRPC_RPC_SERVER_OPEN_STREAMS_H_
#define SOCKRPC_RPC_SERVER_OPEN_STREAMS_H_

#include <mutex>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_set.h"

namespace sockrpc {

class OpenStreams {
 public:
  // A call opened; cancelled at once if CancelAll already ran.
  void Add(grpc::ServerContext* context) {
    std::lock_guard lock(mu_);
    if (cancelled_) {
      context->TryCancel();
      return;
    }
    contexts_.insert(context);
  }
  // The call is over (before its context is destroyed).
  void Remove(grpc::ServerContext* context) {
    std::lock_guard lock(mu_);
    contexts_.erase(context);
  }
  // Cancels every open call, and every call opened from now on.
  void CancelAll() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    for (grpc::ServerContext* context : contexts_) context->TryCancel();
  }

 private:
  std::mutex mu_;  // guards what follows
  absl::flat_hash_set<grpc::ServerContext*> contexts_;
  bool cancelled_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_OPEN_STREAMS_H_
