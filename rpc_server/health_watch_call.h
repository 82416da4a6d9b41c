// The server side of one grpc.health.v1.Health/Watch call: the watched
// service's status at once, then every change, until the client goes away
// or the server shuts down (HealthService::EndWatches).
//
// Changes come from other threads (RpcServer sets statuses, and drains from
// the main thread): Notify() records the latest and sets an alarm on the
// completion queue, so that the write happens on a serving thread like
// everything else the call does. Its write, its alarm, its start and the end
// of the call complete independently, possibly on several serving threads at
// once, so the state is locked; the last of them to finish deletes the
// object.
#ifndef SOCKRPC_RPC_SERVER_HEALTH_WATCH_CALL_H_
#define SOCKRPC_RPC_SERVER_HEALTH_WATCH_CALL_H_

#include <mutex>
#include <optional>
#include <string>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "common/completion_tag.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "rpc_server/health_service.h"
#include "rpc_server/serving_threads.h"

namespace sockrpc {

class HealthWatchCall {
 public:
  // Requests one Watch call; the object lives until it is done.
  static void Await(HealthService& health, grpc::health::v1::Health::AsyncService& service,
                    ServingThreads& threads);

  // Any thread, under HealthService's lock: `status` is now the status.
  void Notify(HealthService::ServingStatus status);
  // Any thread, under HealthService's lock: finish the call with UNAVAILABLE
  // once the latest status is written.
  void End();

 private:
  HealthWatchCall(HealthService& health, grpc::health::v1::Health::AsyncService& service,
                  ServingThreads& threads);

  void OnStarted(bool ok);
  void OnAlarm(bool ok);
  void OnWriteDone(bool ok);
  void OnFinishDone(bool ok);
  void OnDone(bool ok);
  // Unregisters from the HealthService (whose lock is taken before ours, so
  // ours is not held), then settles.
  void StopWatching();
  // Under the lock: writes the latest status not yet written, unless a
  // write is in flight; then, if told to end, finishes the call.
  void WritePendingLocked();
  // Under the lock: arms the alarm, which writes on a serving thread.
  void WakeLocked();
  // Releases the lock, and deletes the object once the call is over and
  // nothing is outstanding.
  void Settle(std::unique_lock<std::mutex>& lock);

  ServingThreads::LiveCall live_;
  HealthService& health_;
  grpc::health::v1::Health::AsyncService& service_;
  ServingThreads& threads_;
  grpc::ServerContext context_;
  grpc::health::v1::HealthCheckRequest request_;
  grpc::health::v1::HealthCheckResponse response_;
  grpc::ServerAsyncWriter<grpc::health::v1::HealthCheckResponse> writer_;
  grpc::Alarm alarm_;
  CallTag<HealthWatchCall> started_{this, &HealthWatchCall::OnStarted};
  CallTag<HealthWatchCall> alarm_fired_{this, &HealthWatchCall::OnAlarm};
  CallTag<HealthWatchCall> write_done_{this, &HealthWatchCall::OnWriteDone};
  CallTag<HealthWatchCall> finish_done_{this, &HealthWatchCall::OnFinishDone};
  CallTag<HealthWatchCall> done_{this, &HealthWatchCall::OnDone};
  std::string service_name_;  // set in OnStarted, before any other event can use it

  std::mutex mu_;  // guards everything below
  std::optional<HealthService::ServingStatus> pending_;  // not written yet
  bool starting_ = true;    // OnStarted has not finished
  bool watching_ = false;   // registered with the HealthService
  bool alarm_set_ = false;
  bool writing_ = false;
  bool finishing_ = false;  // a Finish is in flight
  bool finish_started_ = false;  // nothing more may be written
  bool ending_ = false;     // End() was called
  bool call_over_ = false;  // the done tag came back
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_HEALTH_WATCH_CALL_H_
