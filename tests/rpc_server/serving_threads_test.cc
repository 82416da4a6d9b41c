// RpcServerOptions::threads (--threads): exactly that many threads serve the
// calls, and unary calls and streams from many clients at once are all
// answered correctly with one thread and with several; the extra threads
// serve while the load needs them (thread_policy).
#include <dirent.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rpc_server/square_math.h"
#include "common/usable_cpus.h"
#include "tests/rpc_server/in_process_server.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;
using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;
using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;

constexpr int kClients = 4;
constexpr int kUnaryCallsPerClient = 200;
constexpr int kStreams = 4;
constexpr int kMessagesPerStream = 500;

// Threads of this process named by ServingThreads ("rpc_serve_N").
int ServingThreadsRunning() {
  int count = 0;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return -1;
  while (const dirent* entry = ::readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream comm(absl::StrCat("/proc/self/task/", entry->d_name, "/comm"));
    std::string name;
    if (std::getline(comm, name) && absl::StartsWith(name, "rpc_serve_")) ++count;
  }
  ::closedir(tasks);
  return count;
}

class ServingThreadsTest : public InProcessServerTest,
                           public testing::WithParamInterface<size_t> {
 protected:
  void SetUp() override {
    options_.threads = GetParam();
    // Every thread joins as soon as there is any load at all (one window of
    // it) and stays: the calls below then run on several threads at once.
    options_.thread_policy = {
        .add_above = 0.0, .saturated_windows = 1, .must_gain = -1.0, .drop_below = 0.0};
    StartServer();
  }

  // A channel of its own (its own connection), so that calls come in on
  // several connections as they would from several clients.
  std::shared_ptr<grpc::Channel> NewChannel(int index) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("sockrpc.test_client", index);
    return grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
  }

  // Counts a failure of client `index`; the first one is reported with its
  // status, so that a failing run says why.
  static void Failed(std::vector<int>& failures, int index, const grpc::Status& status) {
    if (failures[static_cast<size_t>(index)]++ == 0) {
      ADD_FAILURE() << "client " << index << " first failed with status " << status.error_code()
                    << ": " << status.error_message();
    }
  }

  uint64_t Counted(const std::string& method) {
    const std::string text = server_->metrics().Render();
    const std::string key = absl::StrCat("sockrpc_core_requests_total{method=\"", method, "\"} ");
    const size_t at = text.find(key);
    if (at == std::string::npos) return 0;
    return std::stoull(text.substr(at + key.size()));
  }
};

TEST_P(ServingThreadsTest, RunsExactlyThatManyServingThreads) {
  EXPECT_EQ(server_->threads(), GetParam());
  EXPECT_EQ(ServingThreadsRunning(), static_cast<int>(GetParam()));
}

TEST_P(ServingThreadsTest, ConcurrentUnaryCallsAndStreamsAreAllAnswered) {
  std::vector<std::thread> clients;
  std::vector<int> failures(kClients + kStreams, 0);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([this, c, &failures] {
      auto channel = NewChannel(c);
      auto square = sockrpc::square::v1::SquareService::NewStub(channel);
      auto time = sockrpc::time::v1::TimeService::NewStub(channel);
      for (int i = 0; i < kUnaryCallsPerClient; ++i) {
        SquareRequest request;
        const int64_t value = c * 1'000'000 + i;
        request.set_value(value);
        SquareResponse response;
        const grpc::Status squared = square->Square(Context().get(), request, &response);
        if (!squared.ok() || response.square() != SquareOfInt64(value)) {
          Failed(failures, c, squared);
        }
        NowResponse now;
        const grpc::Status timed = time->Now(Context().get(), NowRequest(), &now);
        if (!timed.ok() || now.ctime().empty()) Failed(failures, c, timed);
      }
    });
  }
  for (int s = 0; s < kStreams; ++s) {
    clients.emplace_back([this, s, &failures] {
      int& failed = failures[static_cast<size_t>(kClients + s)];
      auto channel = NewChannel(kClients + s);
      auto square = sockrpc::square::v1::SquareService::NewStub(channel);
      auto context = Context();
      auto stream = square->SquareStream(context.get());
      // Pipelined: all requests written while the responses are read.
      std::thread writer([&stream, s] {
        for (int i = 0; i < kMessagesPerStream; ++i) {
          SquareStreamRequest request;
          request.set_sequence(static_cast<uint64_t>(i));
          request.set_value(s * 1'000'000 + i);
          if (!stream->Write(request)) return;
        }
        stream->WritesDone();
      });
      SquareStreamResponse response;
      int received = 0;
      while (stream->Read(&response)) {
        const int64_t value = s * 1'000'000 + received;
        if (response.sequence() != static_cast<uint64_t>(received) ||
            response.square() != SquareOfInt64(value)) {
          ++failed;
        }
        ++received;
      }
      writer.join();
      const grpc::Status finished = stream->Finish();
      if (received != kMessagesPerStream || !finished.ok()) {
        Failed(failures, kClients + s, finished);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  for (size_t i = 0; i < failures.size(); ++i) EXPECT_EQ(failures[i], 0) << "client " << i;
  EXPECT_EQ(Counted("Square"), static_cast<uint64_t>(kClients * kUnaryCallsPerClient));
  EXPECT_EQ(Counted("Now"), static_cast<uint64_t>(kClients * kUnaryCallsPerClient));
  EXPECT_EQ(Counted("SquareStream"), static_cast<uint64_t>(kStreams * kMessagesPerStream));
}

INSTANTIATE_TEST_SUITE_P(OneAndThree, ServingThreadsTest, testing::Values(1, 3),
                         [](const testing::TestParamInfo<size_t>& param) {
                           return absl::StrCat(param.param, "Threads");
                         });

// Polls `condition` every 10 ms for up to `limit`.
template <typename Condition>
bool WaitFor(Condition condition, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

class ActiveThreadsTest : public InProcessServerTest {
 protected:
  bool SquareOnce(int64_t value) {
    SquareRequest request;
    request.set_value(value);
    SquareResponse response;
    return square_->Square(Context().get(), request, &response).ok() &&
           response.square() == SquareOfInt64(value);
  }
};

TEST_F(ActiveThreadsTest, ALightlyLoadedServerServesOnOneThread) {
  options_.threads = 2;
  StartServer();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(SquareOnce(i));
  // Some windows later (a parked helper that polled rebalances too).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server_->active_threads(), 1u);
  EXPECT_TRUE(SquareOnce(7));
}

TEST_F(ActiveThreadsTest, TheOthersJoinUnderLoadAndParkOnceItEnds) {
  options_.threads = 2;
  // Thresholds low enough that the calls of one client count as load, a
  // trial starts after one such window (on a busy machine the client may
  // miss a window now and then, which would start a longer count again), and
  // every trial passes and no thread leaves for want of a gain (one lockstep
  // client cannot show one).
  options_.thread_policy = {
      .add_above = 0.02, .saturated_windows = 1, .must_gain = -1.0, .drop_below = 0.01};
  StartServer();
  ASSERT_EQ(server_->active_threads(), 1u);
  int failed = 0;
  int64_t value = 0;
  const bool joined = WaitFor(
      [&] {
        for (int i = 0; i < 20; ++i) failed += SquareOnce(++value) ? 0 : 1;
        return server_->active_threads() == 2;
      },
      std::chrono::seconds(20));
  EXPECT_TRUE(joined);
  EXPECT_EQ(failed, 0);
  // Idle: the helper's periodic look at the load parks it again.
  EXPECT_TRUE(WaitFor([&] { return server_->active_threads() == 1; }, std::chrono::seconds(10)));
  EXPECT_TRUE(SquareOnce(12345));
  EXPECT_EQ(ServingThreadsRunning(), 2);  // parked, not gone
}

// Sanitizers make each call cost several times its CPU, which is real load.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SOCKRPC_UNDER_SANITIZER 1
#else
#define SOCKRPC_UNDER_SANITIZER 0
#endif

TEST_F(ActiveThreadsTest, PollingAnEmptyQueueIsNotLoad) {
  if (SOCKRPC_UNDER_SANITIZER) GTEST_SKIP() << "calls cost far more CPU under a sanitizer";
  if (UsableCpuCount() < 2) GTEST_SKIP() << "busy polling is off on one CPU";
  options_.threads = 2;
  // Calls come closer together than the polling window, so the first thread
  // polls all the while; counted as work, that would be ~100% of a CPU.
  options_.busy_poll = std::chrono::milliseconds(1);
  options_.thread_policy = {.add_above = 0.9, .must_gain = -1.0, .drop_below = 0.0};
  StartServer();
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  for (int64_t value = 0; std::chrono::steady_clock::now() < until; ++value) {
    ASSERT_TRUE(SquareOnce(value));
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  EXPECT_EQ(server_->active_threads(), 1u);
}

TEST(ServingThreadsDefaultTest, ZeroMeansOnePerUsableCpu) {
  RpcServerOptions options;
  options.listen = "127.0.0.1:0";
  auto server = RpcServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->threads(), UsableCpuCount());
  EXPECT_EQ(ServingThreadsRunning(), static_cast<int>(UsableCpuCount()));
}

}  // namespace
}  // namespace sockrpc
