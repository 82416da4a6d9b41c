// How CoreClient batches the SQUARES sessions' requests on a shared
// SquareBatchStream, against a small core on loopback that holds its first
// answer until the test lets it go.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "legacy_bridge/core_calls/core_client.h"
#include "legacy_bridge/core_calls/loopback_core_test.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareBatchStreamRequest;
using sockrpc::square::v1::SquareBatchStreamResponse;
using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareService;
using std::chrono::seconds;

// Answers every request with "<decimal>^2" and records how many requests
// each message carried, as soon as it arrives; no answer leaves before
// Release().
class HoldingCore final : public SquareService::Service {
 public:
  grpc::Status SquareBatchStream(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<SquareBatchStreamResponse, SquareBatchStreamRequest>* stream)
      override {
    // Reads go on while answers are held: a writer thread sends them.
    std::deque<SquareBatchStreamRequest> unanswered;
    bool reading = true;
    std::thread writer([&] {
      for (;;) {
        SquareBatchStreamRequest batch;
        {
          std::unique_lock lock(mu_);
          // Bounded: a test that never releases fails on its own waits first.
          if (!changed_.wait_for(lock, seconds(30), [&] {
                return (released_ && !unanswered.empty()) || (!reading && unanswered.empty());
              }) ||
              unanswered.empty()) {
            return;
          }
          batch = std::move(unanswered.front());
          unanswered.pop_front();
        }
        SquareBatchStreamResponse answers;
        for (const auto& request : batch.requests()) {
          auto* answer = answers.add_responses();
          answer->set_sequence(request.sequence());
          answer->set_square(absl::StrCat(
              request.number_case() == SquareStreamRequest::kValue ? absl::StrCat(request.value())
                                                                   : request.decimal(),
              "^2"));
        }
        stream->Write(answers);
      }
    });
    SquareBatchStreamRequest batch;
    while (stream->Read(&batch)) {
      std::lock_guard lock(mu_);
      batch_sizes_.push_back(batch.requests_size());
      unanswered.push_back(batch);
      changed_.notify_all();
    }
    {
      std::lock_guard lock(mu_);
      reading = false;
      changed_.notify_all();
    }
    writer.join();
    return grpc::Status::OK;
  }

  // Waits (bounded) until `count` messages have arrived.
  bool WaitForMessages(size_t count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, seconds(20), [&] { return batch_sizes_.size() >= count; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }
  std::vector<int> batch_sizes() {
    std::lock_guard lock(mu_);
    return batch_sizes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<int> batch_sizes_;
  bool released_ = false;
};

class CoreClientSquareTest : public LoopbackCoreTest {
 protected:
  static constexpr int kSessions = 10;

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        Serve(&core_, ClientOptions{.deadline = absl::Seconds(20), .streams = 1}));
    for (int i = 0; i < kSessions; ++i) {
      sessions_.push_back(client_->OpenSquareStream(CoreStream::Callbacks{
          .on_answer =
              [this, i](uint64_t, std::string square, bool) {
                std::lock_guard lock(mu_);
                squares_[static_cast<size_t>(i)] = std::move(square);
                ++answers_;
                answered_.notify_all();
              },
          .on_done = [](absl::Status) {},
      }));
    }
  }

  void TearDown() override {
    core_.Release();
    for (auto& session : sessions_) session->Detach();
    LoopbackCoreTest::TearDown();
  }

  // Session `session` asks for the square of `decimal`.
  void Send(int session, const std::string& decimal) {
    const CoreRequest request{.sequence = 1, .decimal = decimal};
    sessions_[static_cast<size_t>(session)]->Send(std::span<const CoreRequest>(&request, 1));
  }

  // Waits (bounded) for `count` answers in all.
  bool WaitForAnswers(int count) {
    std::unique_lock lock(mu_);
    return answered_.wait_for(lock, seconds(20), [&] { return answers_ >= count; });
  }

  std::string square(int session) {
    std::lock_guard lock(mu_);
    return squares_[static_cast<size_t>(session)];
  }

  HoldingCore core_;
  std::vector<std::shared_ptr<CoreStream>> sessions_;
  std::mutex mu_;
  std::condition_variable answered_;
  std::vector<std::string> squares_ = std::vector<std::string>(kSessions);
  int answers_ = 0;
};

TEST_F(CoreClientSquareTest, RequestsThatArriveWhileABatchIsUnansweredShareTheNextOne) {
  Send(0, "0");
  ASSERT_TRUE(core_.WaitForMessages(1));
  for (int i = 1; i < kSessions; ++i) Send(i, absl::StrCat(i));
  core_.Release();
  ASSERT_TRUE(WaitForAnswers(kSessions));
  // The first batch went alone; the nine sent while it was unanswered
  // waited for its answer and went together.
  EXPECT_EQ(core_.batch_sizes(), (std::vector<int>{1, kSessions - 1}));
  for (int i = 0; i < kSessions; ++i) EXPECT_EQ(square(i), absl::StrCat(i, "^2"));
}

TEST_F(CoreClientSquareTest, BigNumbersDoNotWaitForTheBatchBeforeThem) {
  Send(0, "1");
  ASSERT_TRUE(core_.WaitForMessages(1));
  // Two numbers of 3,000 digits pass the 4,096 digits a held batch may
  // gather: they go while the first batch is still unanswered.
  const std::string big(3000, '7');
  Send(1, big);
  Send(2, big);
  EXPECT_TRUE(core_.WaitForMessages(2));
  core_.Release();
  ASSERT_TRUE(WaitForAnswers(3));
  EXPECT_EQ(square(1), absl::StrCat(big, "^2"));
}

}  // namespace
}  // namespace sockrpc
