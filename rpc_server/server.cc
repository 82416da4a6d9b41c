#include "rpc_server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "common/listen_address.h"

namespace sockrpc {
namespace {

// The names health checking reports, one per service, as clients ask for them.
constexpr const char* kServiceNames[] = {
    "sockrpc.time.v1.TimeService",
    "sockrpc.square.v1.SquareService",
};

}  // namespace

RpcServer::RpcServer(RpcServerOptions options)
    : time_service_(std::move(options.local_zone), std::move(options.clock)),
      square_service_(options.square) {}

absl::StatusOr<std::unique_ptr<RpcServer>> RpcServer::Start(RpcServerOptions options) {
  absl::StatusOr<ListenAddress> listen = ParseListenAddress(options.listen);
  if (!listen.ok()) return listen.status();

  // Touching the health messages links their descriptors in, so that server
  // reflection can describe grpc.health.v1.Health.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  // Process-wide switches; they only take effect for servers built afterwards.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<RpcServer> server(new RpcServer(std::move(options)));
  grpc::ServerBuilder builder;
  // Without this, gRPC sets SO_REUSEPORT and a second server could silently
  // share a port that is already in use.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(listen->ToString(), grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(&server->time_service_);
  builder.RegisterService(&server->square_service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot listen on ", listen->ToString(),
        ": the port is in use, or the host is not an address of this machine"));
  }
  listen->port = static_cast<uint16_t>(server->port_);
  server->address_ = listen->ToString();

  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  for (const char* name : kServiceNames) health->SetServingStatus(name, true);
  return server;
}

RpcServer::~RpcServer() { Shutdown(absl::ZeroDuration()); }

void RpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  // NOT_SERVING for every service (including ""), and frozen there.
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace sockrpc
