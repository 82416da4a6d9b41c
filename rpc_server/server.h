// The RPC core as an object: the services, health checking and server
// reflection on one listening port. main() and the in-process tests both use
// it.
#ifndef SOCKRPC_RPC_SERVER_SERVER_H_
#define SOCKRPC_RPC_SERVER_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "rpc_server/async_services.h"
#include "rpc_server/authz_enforcer.h"
#include "rpc_server/core_metrics.h"
#include "rpc_server/descriptor_catalog.h"
#include "rpc_server/health_service.h"
#include "rpc_server/reflection_service.h"
#include "rpc_server/serving_threads.h"
#include "rpc_server/square_answers.h"
#include "rpc_server/time_answers.h"

namespace sockrpc {

struct RpcServerOptions {
  std::string listen = "0.0.0.0:50051";  // port 0 picks a free port; or unix:/path
  SquareAnswers::Options square;
  NamedTimeZone local_zone{"UTC", absl::UTCTimeZone()};
  TimeAnswers::Clock clock = absl::Now;
  // Threads serving the calls (serving_threads.h); 0: one per CPU the
  // process may run on. Beyond the first, they serve while the load needs them.
  size_t threads = 0;
  ActiveThreadsPolicy::Options thread_policy;
  // The longest the first serving thread keeps polling after an event before it
  // sleeps (common/busy_poll.h); off on a single CPU.
  std::chrono::microseconds busy_poll{50};
  // Plaintext unless set (common/tls_credentials.h).
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Which peers may call which methods (rpc_server/authz_enforcer.h); needs
  // TLS credentials. Unset: every caller may call every method.
  std::shared_ptr<AuthzEnforcer> authz;
  // Each client connection is closed (GOAWAY) after about `max_connection_age`
  // (gRPC adds +-10% jitter), and calls still on it get
  // `max_connection_age_grace` more; infinite: never. The client reconnects,
  // and a client resolving a DNS name resolves it again, so that replicas
  // added to the name get calls.
  absl::Duration max_connection_age = absl::Seconds(30);
  absl::Duration max_connection_age_grace = absl::Seconds(10);
  // Serve grpc.channelz.v1.Channelz on the listening port. Off by default:
  // it tells anyone who can call the port the address of every client.
  bool channelz = false;
  // Streams one client connection may have open at once (HTTP/2
  // SETTINGS_MAX_CONCURRENT_STREAMS); further ones wait at the client.
  int max_concurrent_streams = 1000;
  // The memory gRPC may use for connections and calls (grpc::ResourceQuota);
  // 0: no quota.
  size_t memory_quota_bytes = size_t{1} << 30;
};

class RpcServer {
 public:
  // Binds and starts serving. FAILED_PRECONDITION, naming the address, when
  // it cannot listen there (in use, not local, malformed).
  static absl::StatusOr<std::unique_ptr<RpcServer>> Start(RpcServerOptions options);

  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // What the server counts, for the admin port.
  const MetricsRegistry& metrics() const { return metrics_registry_; }

  // The address actually bound: the listen address with port 0 replaced
  // ("unix:/path" for a Unix socket).
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  // How many threads serve the calls, and how many of them are active now.
  size_t threads() const { return serving_threads_->size(); }
  size_t active_threads() { return serving_threads_->active(); }
  // The busy polling in effect: the option, or zero on a single CPU.
  std::chrono::microseconds busy_poll() const { return serving_threads_->busy_poll(); }

  // Health turns NOT_SERVING for good, while calls are still served, so that
  // load balancers stop sending before the port closes.
  void StartDraining() {
    health_.Shutdown();
    metrics_.draining.Set(1);
  }
  // OK while the server's health is SERVING; UNAVAILABLE, saying why, once
  // it is draining. For /readyz.
  absl::Status Readiness();

  // Drains: health turns NOT_SERVING, Health Watch calls end, no new calls
  // are accepted, and calls in flight may finish until `grace` has passed;
  // then they are cancelled. Returns when the server has stopped. Safe to
  // call more than once.
  void Shutdown(absl::Duration grace);

 private:
  RpcServer(RpcServerOptions options);

  MetricsRegistry metrics_registry_;
  CoreMetrics metrics_;
  TimeAnswers time_service_;
  SquareAnswers square_service_;
  AsyncServices async_services_;
  HealthService health_;
  DescriptorCatalog descriptors_;
  ReflectionV1Service reflection_v1_;
  ReflectionV1AlphaService reflection_v1alpha_;
  // Declared before server_, so that the server is destroyed first.
  std::unique_ptr<ServingThreads> serving_threads_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_SERVER_H_
