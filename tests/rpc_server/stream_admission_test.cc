// The core caps the streams it holds: a flood of SquareBatchStreams from many
// connections gets exactly --max_streams of them served and RESOURCE_EXHAUSTED
// for the rest, counted in sockrpc_core_streams_refused_total; a stream that
// ends frees its place. A per-connection cap (max_concurrent_streams) alone
// would not bound this: every connection brings its own allowance.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/rpc_server/in_process_server.h"
#include "tests/rpc_server/stream_requests.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareBatchStreamRequest;
using sockrpc::square::v1::SquareBatchStreamResponse;
using Stream = grpc::ClientReaderWriter<SquareBatchStreamRequest, SquareBatchStreamResponse>;

constexpr size_t kMaxStreams = 6;
constexpr int kChannels = 12;
constexpr int kStreamsPerChannel = 3;

struct OpenStream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<Stream> stream;
};

class StreamAdmissionTest : public InProcessServerTest {
 protected:
  void SetUp() override {
    options_.square.max_streams = kMaxStreams;
    StartServer();
    for (int i = 0; i < kChannels; ++i) {
      // A channel argument of its own keeps gRPC from sharing one connection.
      grpc::ChannelArguments arguments;
      arguments.SetInt("sockrpc.test.channel", i);
      stubs_.push_back(sockrpc::square::v1::SquareService::NewStub(grpc::CreateCustomChannel(
          server_->address(), grpc::InsecureChannelCredentials(), arguments)));
    }
  }

  // Opens a stream on `stub` and sends one request, numbered `value`.
  OpenStream Open(sockrpc::square::v1::SquareService::Stub& stub, int64_t value) {
    OpenStream open{Context(), nullptr};
    open.stream = stub.SquareBatchStream(open.context.get());
    SquareBatchStreamRequest batch;
    *batch.add_requests() = ValueRequest(1, value);
    open.stream->Write(batch);
    return open;
  }

  // True if the stream answered its request; else it must have been refused.
  bool Served(OpenStream& open, int64_t value) {
    SquareBatchStreamResponse response;
    if (open.stream->Read(&response)) {
      EXPECT_EQ(response.responses(0).square(), absl::StrCat(value * value));
      return true;
    }
    const grpc::Status status = open.stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    EXPECT_NE(status.error_message().find("--max_streams"), std::string::npos);
    return false;
  }

  std::vector<std::unique_ptr<sockrpc::square::v1::SquareService::Stub>> stubs_;
};

TEST_F(StreamAdmissionTest, AFloodFromManyConnectionsGetsExactlyTheCap) {
  std::vector<OpenStream> streams;
  for (int s = 0; s < kStreamsPerChannel; ++s) {
    for (int c = 0; c < kChannels; ++c) {
      streams.push_back(Open(*stubs_[static_cast<size_t>(c)], c * 100 + s));
    }
  }
  std::vector<OpenStream> served;
  size_t refused = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    const int64_t value = static_cast<int64_t>((i % kChannels) * 100 + i / kChannels);
    if (Served(streams[i], value)) {
      served.push_back(std::move(streams[i]));
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(served.size(), kMaxStreams);
  EXPECT_EQ(refused, streams.size() - kMaxStreams);
  EXPECT_NE(server_->metrics().Render().find(
                absl::StrCat("sockrpc_core_streams_refused_total ", refused)),
            std::string::npos);

  // One ends: its place goes to the next stream.
  ASSERT_TRUE(served.back().stream->WritesDone());
  SquareBatchStreamResponse response;
  EXPECT_FALSE(served.back().stream->Read(&response));
  EXPECT_TRUE(served.back().stream->Finish().ok());
  served.pop_back();
  // The server learns of the end a moment after the client: bounded retries.
  bool admitted = false;
  for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
    OpenStream again = Open(*stubs_[0], 77);
    admitted = Served(again, 77);
    if (admitted) {
      served.push_back(std::move(again));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_TRUE(admitted);
  for (OpenStream& open : served) open.context->TryCancel();
}

}  // namespace
}  // namespace sockrpc
