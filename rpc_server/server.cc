#include "rpc_server/server.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include <grpcpp/ext/channelz_service_plugin.h>

#include "absl/strings/str_cat.h"
#include "descriptor_set.h"
#include "common/build_info.h"
#include "common/busy_poll.h"
#include "common/grpc_server_metrics_interceptor.h"
#include "common/grpc_listen_address.h"
#include "common/usable_cpus.h"
#include "rpc_server/unix_socket_file.h"

namespace sockrpc {
namespace {

// The names health checking reports, one per service, as clients ask for them.
constexpr const char* kServiceNames[] = {
    "sockrpc.time.v1.TimeService",
    "sockrpc.square.v1.SquareService",
};

// Everything the server serves, as reflection lists it.
std::vector<std::string> AllServiceNames(bool channelz) {
  std::vector<std::string> names = {"sockrpc.time.v1.TimeService",
                                    "sockrpc.square.v1.SquareService", "grpc.health.v1.Health",
                                    "grpc.reflection.v1.ServerReflection",
                                    "grpc.reflection.v1alpha.ServerReflection"};
  if (channelz) names.push_back("grpc.channelz.v1.Channelz");
  return names;
}

// A gRPC channel argument in milliseconds; infinite: INT_MAX, gRPC's "never".
int ChannelArgumentMs(absl::Duration duration) {
  if (duration == absl::InfiniteDuration()) return INT_MAX;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(duration), INT_MAX));
}

}  // namespace

RpcServer::RpcServer(RpcServerOptions options)
    : metrics_(metrics_registry_, AllServiceNames(options.channelz)),
      time_service_(std::move(options.local_zone), std::move(options.clock), &metrics_.now),
      square_service_(options.square, &metrics_),
      async_services_(time_service_, square_service_),
      descriptors_(absl::string_view(DescriptorSetBytes().data(), DescriptorSetBytes().size())),
      reflection_v1_(descriptors_, AllServiceNames(options.channelz)),
      reflection_v1alpha_(descriptors_, AllServiceNames(options.channelz)) {
  AddBuildInfoGauge(metrics_registry_);
}

absl::StatusOr<std::unique_ptr<RpcServer>> RpcServer::Start(RpcServerOptions options) {
  absl::StatusOr<GrpcListenAddress> listen = ParseGrpcListenAddress(options.listen);
  if (!listen.ok()) return listen.status();
  if (listen->is_unix()) {
    if (absl::Status cleared = ClearStaleUnixSocket(listen->unix_path); !cleared.ok()) {
      return cleared;
    }
  }

  // Process-wide switches; they only take effect for servers built afterwards.
  // Health is served by HealthService instead of gRPC's default service.
  grpc::EnableDefaultHealthCheckService(false);
  // channelz lists every client's address: only where asked for (the admin
  // port serves it too, common/channelz_pages.h).
  if (options.channelz) grpc::channelz::experimental::InitChannelzService();

  const std::shared_ptr<grpc::ServerCredentials> credentials =
      options.credentials ? options.credentials : grpc::InsecureServerCredentials();
  const std::shared_ptr<AuthzEnforcer> authz = options.authz;
  const size_t threads = ThreadsFor(options.threads);
  std::unique_ptr<RpcServer> server(new RpcServer(std::move(options)));
  if (!server->descriptors_.ok()) {
    return absl::InternalError("the embedded descriptor set does not load");
  }
  if (authz) {
    credentials->SetAuthMetadataProcessor(authz);
    server->metrics_registry_.AddCallbackCounter(
        "sockrpc_authz_denied_total", "Calls refused with PERMISSION_DENIED by --authz_policy.",
        {}, [authz] { return static_cast<double>(authz->denied()); });
    server->metrics_registry_.AddCallbackCounter(
        "sockrpc_authz_policy_reload_failures_total",
        "Reads of a changed --authz_policy file that failed or did not parse; the previous "
        "policy stayed in force.",
        {}, [authz] { return static_cast<double>(authz->reload_failures()); });
  }
  grpc::ServerBuilder builder;
  // Without this, gRPC sets SO_REUSEPORT and a second server could silently
  // share a port that is already in use.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             ChannelArgumentMs(options.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ChannelArgumentMs(options.max_connection_age_grace));
  // The bridge PINGs every connection each --core_ping_interval (1 s at
  // least) to notice a dead link. gRPC's defaults count a PING sooner than
  // 5 minutes after the last one without data as a strike and close the
  // connection with GOAWAY "too_many_pings" after two strikes (about 4 s of
  // an idle link): accept PINGs 100 ms apart, and never close a connection
  // for its PINGs (one costs a 17-byte answer).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 100);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  if (options.memory_quota_bytes > 0) {
    grpc::ResourceQuota quota("rpc_server");
    quota.Resize(options.memory_quota_bytes);
    builder.SetResourceQuota(quota);
  }
  builder.AddListeningPort(listen->ToString(), credentials, &server->port_);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(
      std::make_unique<GrpcServerMetricsInterceptorFactory>(server->metrics_.grpc));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->serving_threads_ =
      std::make_unique<ServingThreads>(builder, threads, options.thread_policy,
                                       BusyPollWindow(options.busy_poll, UsableCpuCount()));
  server->async_services_.Register(builder);
  server->health_.Register(builder);
  server->reflection_v1_.Register(builder);
  server->reflection_v1alpha_.Register(builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot listen on ", listen->ToString(),
        listen->is_unix()
            ? ": the directory is missing or not writable"
            : ": the port is in use, or the host is not an address of this machine"));
  }
  // gRPC reports a Unix socket's port as 1.
  if (!listen->is_unix()) listen->tcp.port = static_cast<uint16_t>(server->port_);
  server->address_ = listen->ToString();

  for (const char* name : kServiceNames) server->health_.SetServingStatus(name, true);
  ServingThreads& serving = *server->serving_threads_;
  server->async_services_.Prime(serving);
  server->health_.Prime(serving);
  server->reflection_v1_.Prime(serving);
  server->reflection_v1alpha_.Prime(serving);
  serving.Start();
  return server;
}

RpcServer::~RpcServer() { Shutdown(absl::ZeroDuration()); }

absl::Status RpcServer::Readiness() {
  if (health_.Status("") == grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::OkStatus();
  }
  return absl::UnavailableError("NOT_SERVING: draining");
}

void RpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  metrics_.draining.Set(1);
  // NOT_SERVING for every service (including ""), and frozen there.
  health_.Shutdown();
  // A client watching health (the bridge does) would otherwise keep its call
  // open until the grace period ends.
  health_.EndWatches();
  async_services_.EndNowStreams();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  // Only now: the calls in flight needed the threads until the server stopped.
  serving_threads_->ShutdownAndJoin();
}

}  // namespace sockrpc
