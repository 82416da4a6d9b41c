// grpc.health.v1.Health (Check and Watch) on the async API, answering from
// the statuses RpcServer sets. It behaves as gRPC's default health service
// (same statuses and messages; "" is SERVING from the start; after
// Shutdown() every service is NOT_SERVING for good) but runs on the serving
// threads, not the callback API's threads (docs/architecture.md, "Why the
// async API").
#ifndef SOCKRPC_RPC_SERVER_HEALTH_SERVICE_H_
#define SOCKRPC_RPC_SERVER_HEALTH_SERVICE_H_

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "rpc_server/serving_threads.h"
#include "rpc_server/unary_call.h"

namespace sockrpc {

class HealthWatchCall;

// Names longer than this are refused, as gRPC's default service does.
inline constexpr size_t kMaxHealthServiceNameLength = 200;

class HealthService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  HealthService();
  HealthService(const HealthService&) = delete;
  HealthService& operator=(const HealthService&) = delete;

  // Thread-safe. After Shutdown() every service stays NOT_SERVING.
  void SetServingStatus(const std::string& service, bool serving);
  void Shutdown();
  // Ends every Watch call, open or to come, once it has sent the latest
  // status: a server shutting down waits for the calls in flight, and a
  // client's Watch would otherwise hold it for the whole grace period.
  void EndWatches();
  // The status of `service` ("" for the server as a whole).
  ServingStatus Status(const std::string& service);

  // Registers the service (before BuildAndStart).
  void Register(grpc::ServerBuilder& builder);
  // Requests the first Check and Watch calls (once the server is started).
  void Prime(ServingThreads& threads);

  // For the Watch calls: AddWatcher tells `watcher` the current status at
  // once, and every change until RemoveWatcher returns.
  void AddWatcher(const std::string& service, HealthWatchCall* watcher);
  void RemoveWatcher(const std::string& service, HealthWatchCall* watcher);

 private:
  struct ServiceData {
    ServingStatus status = grpc::health::v1::HealthCheckResponse::SERVICE_UNKNOWN;
    std::vector<HealthWatchCall*> watchers;
  };

  grpc::Status Check(const grpc::health::v1::HealthCheckRequest& request,
                     grpc::health::v1::HealthCheckResponse& response);
  void SetLocked(ServiceData& data, ServingStatus status);

  grpc::health::v1::Health::AsyncService service_;
  UnaryMethod<grpc::health::v1::HealthCheckRequest, grpc::health::v1::HealthCheckResponse> check_;
  std::mutex mu_;  // guards everything below; taken before a watcher's own lock
  // Services with a status, and those somebody watches (SERVICE_UNKNOWN).
  std::map<std::string, ServiceData> services_;
  bool shut_down_ = false;
  bool watches_ended_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_HEALTH_SERVICE_H_
