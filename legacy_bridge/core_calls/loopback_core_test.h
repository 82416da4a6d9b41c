// What the CoreClient tests share: a small gRPC server on a free loopback
// port standing for the core, and a CoreClient connected to it.
#ifndef SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_LOOPBACK_CORE_TEST_H_
#define SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_LOOPBACK_CORE_TEST_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "legacy_bridge/core_calls/core_client.h"

namespace sockrpc {

class LoopbackCoreTest : public testing::Test {
 protected:
  struct ClientOptions {
    absl::Duration deadline = absl::Seconds(20);
    size_t streams = 1;  // --core_streams
  };

  // Serves `service` on 127.0.0.1:0 and connects the client to it.
  void Serve(grpc::Service* service, ClientOptions options) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    Connect(absl::StrCat("127.0.0.1:", port), options);
  }

  // Connects the client to `target`, served or not. No busy polling: the
  // tests wait on their answers, not on the clock.
  void Connect(const std::string& target, ClientOptions options) {
    client_ = std::make_unique<CoreClient>(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), options.deadline,
        SquareStreamPool::Options{.streams = options.streams}, std::chrono::microseconds(0),
        std::make_unique<OverloadGate>(OverloadEstimator::Options{}, shed_, expected_wait_),
        &asked_again_);
  }

  // The client first: destroying it waits for its calls to end.
  void TearDown() override {
    client_.reset();
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  MetricsRegistry registry_;
  Counter& shed_ = registry_.AddCounter("shed", "");
  Counter& asked_again_ = registry_.AddCounter("asked_again", "");
  Gauge expected_wait_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<CoreClient> client_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CORE_CALLS_LOOPBACK_CORE_TEST_H_
