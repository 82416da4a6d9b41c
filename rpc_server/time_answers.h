// sockrpc.time.v1.TimeService: the current time as an instant and as ctime
// text in a time zone. The answers only; async_services.h serves them.
#ifndef SOCKRPC_RPC_SERVER_TIME_ANSWERS_H_
#define SOCKRPC_RPC_SERVER_TIME_ANSWERS_H_

#include <functional>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/time_zones.h"
#include "rpc_server/core_metrics.h"
#include "sockrpc/time/v1/time_service.pb.h"

namespace sockrpc {

class TimeAnswers {
 public:
  using Clock = std::function<absl::Time()>;

  // `local_zone` answers requests that name no zone; `clock` is absl::Now
  // except in tests.
  explicit TimeAnswers(NamedTimeZone local_zone, Clock clock = absl::Now,
                           MethodMetrics* metrics = nullptr);

  // Answers one Now call and counts it in the metrics.
  grpc::Status Now(const sockrpc::time::v1::NowRequest& request,
                   sockrpc::time::v1::NowResponse& response) const;

  // The logic of Now, apart from the RPC plumbing.
  absl::Status FillNow(const sockrpc::time::v1::NowRequest& request,
                       sockrpc::time::v1::NowResponse& response) const;
  // The same for one request of a NowStream (the caller counts it).
  absl::Status FillNowStream(const sockrpc::time::v1::NowStreamRequest& request,
                             sockrpc::time::v1::NowStreamResponse& response) const;

 private:
  template <typename Response>
  absl::Status Fill(const std::string& time_zone, Response& response) const;

  NamedTimeZone local_zone_;
  Clock clock_;
  MethodMetrics* metrics_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_TIME_ANSWERS_H_
