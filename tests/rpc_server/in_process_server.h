// A real RpcServer on a free loopback port, and stubs connected to it over a
// real channel. Each test gets its own server; TearDown stops it.
#ifndef SOCKRPC_TESTS_RPC_SERVER_IN_PROCESS_SERVER_H_
#define SOCKRPC_TESTS_RPC_SERVER_IN_PROCESS_SERVER_H_

#include <memory>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/process_setup.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "rpc_server/server.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {

class InProcessServerTest : public testing::Test {
 protected:
  // Options the server starts with; tests may change them before StartServer.
  RpcServerOptions options_ = [] {
    RpcServerOptions options;
    options.listen = "127.0.0.1:0";
    return options;
  }();

  void StartServer() {
    ReadCpuFrequencyBeforeGrpcConnects();
    auto server = RpcServer::Start(options_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    time_ = sockrpc::time::v1::TimeService::NewStub(channel_);
    square_ = sockrpc::square::v1::SquareService::NewStub(channel_);
    health_ = grpc::health::v1::Health::NewStub(channel_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
  }

  // A client context whose call fails rather than hangs if something is wrong.
  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

  std::unique_ptr<RpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<sockrpc::time::v1::TimeService::Stub> time_;
  std::unique_ptr<sockrpc::square::v1::SquareService::Stub> square_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_TESTS_RPC_SERVER_IN_PROCESS_SERVER_H_
