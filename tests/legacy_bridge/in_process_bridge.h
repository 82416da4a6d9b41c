// A real RpcServer and a real Bridge forwarding to it, both in this process
// on free loopback ports, as tests/rpc_server/in_process_server.h does for
// the core alone. Each test gets its own pair; TearDown stops them.
#ifndef SOCKRPC_TESTS_LEGACY_BRIDGE_IN_PROCESS_BRIDGE_H_
#define SOCKRPC_TESTS_LEGACY_BRIDGE_IN_PROCESS_BRIDGE_H_

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "common/process_setup.h"
#include "legacy_bridge/bridge.h"
#include "rpc_server/server.h"

namespace sockrpc {

class InProcessBridgeTest : public testing::Test {
 protected:
  // Options the bridge starts with (its target is filled in by StartBoth);
  // tests may change them before StartBoth.
  BridgeOptions bridge_options_ = [] {
    BridgeOptions options;
    options.time_listen = "127.0.0.1:0";
    options.square_listen = "127.0.0.1:0";
    options.time_zone = "UTC";
    options.threads = 1;
    return options;
  }();
  RpcServerOptions core_options_ = [] {
    RpcServerOptions options;
    options.listen = "127.0.0.1:0";
    return options;
  }();

  void StartBoth() {
    ReadCpuFrequencyBeforeGrpcConnects();
    auto core = RpcServer::Start(core_options_);
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    bridge_options_.target = core_->address();
    auto bridge = Bridge::Start(bridge_options_);
    ASSERT_TRUE(bridge.ok()) << bridge.status();
    bridge_ = *std::move(bridge);
  }

  void TearDown() override {
    if (bridge_ != nullptr) {
      bridge_->Shutdown(absl::Seconds(1));
      // Kept, not destroyed, as main() ends with _Exit: destroying a bridge
      // shuts its completion queue down while a shared stream's last read
      // may still start Finish on it (gRPC then aborts in grpc_cq_begin_op).
      static auto* const stopped = new std::vector<std::unique_ptr<Bridge>>();
      stopped->push_back(std::move(bridge_));
    }
    if (core_ != nullptr) core_->Shutdown(absl::Seconds(1));
  }

  std::unique_ptr<RpcServer> core_;
  std::unique_ptr<Bridge> bridge_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_TESTS_LEGACY_BRIDGE_IN_PROCESS_BRIDGE_H_
