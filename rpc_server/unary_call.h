// One unary call on the async API, from asking gRPC for it to the end of its
// Finish: a two-state machine (waiting for a call, then finishing it) whose
// object deletes itself. When its call arrives it first asks for the next
// call of the same method, so calls of every method stay requested.
#ifndef SOCKRPC_RPC_SERVER_UNARY_CALL_H_
#define SOCKRPC_RPC_SERVER_UNARY_CALL_H_

#include <functional>

#include <grpcpp/grpcpp.h>

#include "common/completion_tag.h"
#include "rpc_server/serving_threads.h"

namespace sockrpc {

template <typename Request, typename Response>
struct UnaryMethod {
  // Asks the server for the next call of the method (the generated
  // AsyncService::RequestX), with `queue` both for the call and its arrival.
  std::function<void(grpc::ServerContext*, Request*, grpc::ServerAsyncResponseWriter<Response>*,
                     grpc::ServerCompletionQueue* queue, void* tag)>
      request;
  // Answers one request.
  std::function<grpc::Status(const Request&, Response&)> answer;
};

template <typename Request, typename Response>
class UnaryCall final : public CompletionTag {
 public:
  using Method = UnaryMethod<Request, Response>;

  // Requests one call of `method`; the object lives until it is done.
  static void Await(const Method& method, ServingThreads& threads) {
    new UnaryCall(method, threads);
  }

  // One operation is outstanding at a time, so completions never overlap;
  // nothing touches the object after starting the next one.
  void Complete(bool ok) override {
    if (ok && !finishing_) {
      Await(method_, threads_);
      const grpc::Status status = method_.answer(request_, response_);
      finishing_ = true;
      writer_.Finish(response_, status, HandOff(this));
      return;
    }
    // The finish is done, or (not ok while waiting) the server is shutting
    // down and no call will come.
    delete this;
  }

 private:
  UnaryCall(const Method& method, ServingThreads& threads)
      : live_(threads), method_(method), threads_(threads), writer_(&context_) {
    method_.request(&context_, &request_, &writer_, threads_.queue(), HandOff(this));
  }

  ServingThreads::LiveCall live_;
  const Method& method_;
  ServingThreads& threads_;
  grpc::ServerContext context_;
  Request request_;
  Response response_;
  grpc::ServerAsyncResponseWriter<Response> writer_;
  bool finishing_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_UNARY_CALL_H_
