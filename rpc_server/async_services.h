// The project's services on gRPC's async API: TimeService.Now and NowStream,
// SquareService.Square, SquareStream and SquareBatchStream, served by the
// ServingThreads (--threads of them). Health and reflection are served the
// same way (health_service.h, reflection_service.h); channelz stays gRPC's
// sync service, whose threads do not poll the network (gRPC gives sync
// methods non-polling queues when the application polls queues of its own).
//
// Why not the callback API: docs/architecture.md, "Why the async API".
#ifndef SOCKRPC_RPC_SERVER_ASYNC_SERVICES_H_
#define SOCKRPC_RPC_SERVER_ASYNC_SERVICES_H_

#include <grpcpp/grpcpp.h>

#include "rpc_server/open_streams.h"
#include "rpc_server/serving_threads.h"
#include "rpc_server/square_answers.h"
#include "rpc_server/square_stream_call.h"
#include "rpc_server/stream_admission.h"
#include "rpc_server/time_answers.h"
#include "rpc_server/unary_call.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

class AsyncServices {
 public:
  // `time` and `square` answer the calls; both must outlive this object.
  AsyncServices(const TimeAnswers& time, const SquareAnswers& square);
  AsyncServices(const AsyncServices&) = delete;
  AsyncServices& operator=(const AsyncServices&) = delete;

  // Registers both services (before BuildAndStart).
  void Register(grpc::ServerBuilder& builder);

  // Requests the first calls of every method (once the server is started).
  void Prime(ServingThreads& threads);
  // At shutdown: ends the open NowStream calls now rather than after the
  // grace (a bridge keeps them open between requests, and would otherwise
  // hold the server for the whole grace).
  void EndNowStreams() { now_streams_.CancelAll(); }

 private:
  using NowCall = UnaryCall<sockrpc::time::v1::NowRequest, sockrpc::time::v1::NowResponse>;
  using SquareCall =
      UnaryCall<sockrpc::square::v1::SquareRequest, sockrpc::square::v1::SquareResponse>;

  sockrpc::time::v1::TimeService::AsyncService time_service_;
  sockrpc::square::v1::SquareService::AsyncService square_service_;
  NowCall::Method now_;
  SquareCall::Method square_;
  StreamAdmission admission_;
  OpenStreams now_streams_;
  SquareStreamOptions stream_options_;
  NowStreamOptions now_stream_options_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_ASYNC_SERVICES_H_
