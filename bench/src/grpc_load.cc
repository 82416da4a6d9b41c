// grpc_load: load generator for the gRPC services (any server of the protos:
// rpc_server, the grpc-go peer).
//
// gRPC's async CompletionQueue API, one CQ per thread (--threads, default 1),
// no thread per call. Every answer is checked: squares against the exact value
// (GMP for big numbers), stream responses for order, echoed sequence and
// input, Now's ctime against the client's own clock.
//
//   --rpc=square   unary Square, --concurrency calls outstanding at all times
//                  (spread over --channels HTTP/2 connections); --digits=D
//                  sends fixed random D-digit decimals instead of small values.
//   --rpc=now      unary Now, the same way.
//   --rpc=stream   SquareStream: --streams streams at once, each keeping
//                  --window requests in flight (1 = lockstep).
//
// Phases: connect, --warmup seconds of load, --duration seconds measured
// (calls/messages completing inside the window count; CPU and RSS of --pids
// sampled at its edges), then drain (every call finishes or is cancelled).
// Prints one JSON object (bench_util.h Result) on stdout.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>

#include "bench_util.h"
#include "common/process_setup.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace {

using bench::NowNs;
namespace square = sockrpc::square::v1;
namespace timev1 = sockrpc::time::v1;

enum class Rpc { kSquare, kNow, kStream };

struct Options {
  Rpc rpc = Rpc::kSquare;
  int digits = 0;
  int window = 1;
  double timeout_s = 10;
};

std::atomic<int> g_phase{1};  // 1 load, 2 drain
std::atomic<uint64_t> g_window_start{0};
std::atomic<uint64_t> g_window_end{UINT64_MAX};

// Per-thread results (every slot's events arrive on its own thread's CQ).
struct Stats {
  uint64_t ops = 0, errors = 0;
  std::string first_error;
  std::vector<uint64_t> samples;
  bench::CtimeChecker checker;

  void Error(const std::string& what) {
    ++errors;
    if (first_error.empty()) first_error = what;
  }
  void Complete(uint64_t start_ns) {
    const uint64_t now = NowNs();
    const uint64_t begin = g_window_start.load(std::memory_order_relaxed);
    if (begin != 0 && now >= begin && now <= g_window_end.load(std::memory_order_relaxed)) {
      ++ops;
      samples.push_back(now - start_ns);
    }
  }
};

struct Numbers {
  int digits = 0;
  std::vector<std::pair<std::string, std::string>> big;
};

class Slot;
struct Tag {
  Slot* slot;
  int kind;
};

class Slot {
 public:
  virtual ~Slot() = default;
  virtual void Start() = 0;
  virtual void OnEvent(int kind, bool ok) = 0;
  virtual void Poke() {}
  virtual void Cancel() = 0;
  bool finished() const { return finished_; }

 protected:
  bool finished_ = false;
};

std::string StatusText(const grpc::Status& status) {
  return "status " + std::to_string(static_cast<int>(status.error_code())) + ": " +
         status.error_message();
}

class UnarySlot final : public Slot {
 public:
  UnarySlot(const Options& options, square::SquareService::Stub* squares,
            timev1::TimeService::Stub* times, grpc::CompletionQueue* cq, Stats& stats,
            const Numbers& numbers, uint64_t first)
      : options_(options), squares_(squares), times_(times), cq_(cq), stats_(stats),
        numbers_(numbers), counter_(first) {}

  void Start() override {
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() +
                           std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_s * 1000)));
    start_ns_ = NowNs();
    if (options_.rpc == Rpc::kSquare) {
      square_request_.Clear();
      if (numbers_.digits > 0) {
        const auto& entry = numbers_.big[counter_ % numbers_.big.size()];
        square_request_.set_decimal(entry.first);
        expect_ = entry.second;
      } else {
        square_request_.set_value(static_cast<int64_t>(counter_));
        expect_ = bench::SmallSquare(counter_);
      }
      ++counter_;
      square_reader_ = squares_->PrepareAsyncSquare(context_.get(), square_request_, cq_);
      square_reader_->StartCall();
      square_reader_->Finish(&square_response_, &status_, &tag_);
    } else {
      now_reader_ = times_->PrepareAsyncNow(context_.get(), now_request_, cq_);
      now_reader_->StartCall();
      now_reader_->Finish(&now_response_, &status_, &tag_);
    }
  }

  void OnEvent(int, bool ok) override {
    if (!ok || !status_.ok()) {
      stats_.Error(ok ? StatusText(status_) : "call failed");
    } else if (options_.rpc == Rpc::kSquare) {
      if (square_response_.square() != expect_) {
        stats_.Error("Square(" + square_request_.ShortDebugString().substr(0, 60) + ") = \"" +
                     bench::Escape(square_response_.square(), 40) + "\", expected \"" +
                     bench::Escape(expect_, 40) + "\"");
      } else {
        stats_.Complete(start_ns_);
      }
    } else {
      if (!stats_.checker.Check(now_response_.ctime()) || now_response_.time().seconds() == 0) {
        stats_.Error("Now: bad answer " + bench::Escape(now_response_.ShortDebugString(), 200));
      } else {
        stats_.Complete(start_ns_);
      }
    }
    if (g_phase.load(std::memory_order_relaxed) == 1) {
      Start();
    } else {
      finished_ = true;
    }
  }

  void Cancel() override {
    if (!finished_ && context_) context_->TryCancel();
  }

 private:
  const Options& options_;
  square::SquareService::Stub* squares_;
  timev1::TimeService::Stub* times_;
  grpc::CompletionQueue* cq_;
  Stats& stats_;
  const Numbers& numbers_;
  uint64_t counter_;
  Tag tag_{this, 0};
  std::unique_ptr<grpc::ClientContext> context_;
  grpc::Status status_;
  uint64_t start_ns_ = 0;
  std::string expect_;
  square::SquareRequest square_request_;
  square::SquareResponse square_response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<square::SquareResponse>> square_reader_;
  timev1::NowRequest now_request_;
  timev1::NowResponse now_response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<timev1::NowResponse>> now_reader_;
};

class StreamSlot final : public Slot {
  enum Kind { kStart, kWrite, kRead, kWritesDone, kFinish };

 public:
  StreamSlot(const Options& options, square::SquareService::Stub* squares,
             grpc::CompletionQueue* cq, Stats& stats, const Numbers& numbers, uint64_t first)
      : options_(options), squares_(squares), cq_(cq), stats_(stats), numbers_(numbers),
        counter_(first) {}

  void Start() override {
    context_ = std::make_unique<grpc::ClientContext>();
    stream_ = squares_->PrepareAsyncSquareStream(context_.get(), cq_);
    stream_->StartCall(&start_tag_);
  }

  void OnEvent(int kind, bool ok) override {
    switch (kind) {
      case kStart:
        if (!ok) {
          broken_ = true;
          stats_.Error("SquareStream could not start");
          stream_->Finish(&status_, &finish_tag_);
          return;
        }
        started_ = true;
        reading_ = true;
        stream_->Read(&response_, &read_tag_);
        MaybeWrite();
        return;
      case kWrite:
        writing_ = false;
        if (!ok) {
          broken_ = true;  // the stream is over; Read fails next and Finish tells why
          return;
        }
        MaybeWrite();
        return;
      case kWritesDone:
        return;
      case kRead:
        reading_ = false;
        if (!ok) {
          if (!writes_done_ || !in_flight_.empty()) {
            broken_ = true;
            stats_.Error("SquareStream ended with " + std::to_string(in_flight_.size()) +
                         " requests unanswered");
          }
          stream_->Finish(&status_, &finish_tag_);
          return;
        }
        Check();
        reading_ = true;
        stream_->Read(&response_, &read_tag_);
        MaybeWrite();
        return;
      case kFinish:
        if (!status_.ok()) stats_.Error("SquareStream finished with " + StatusText(status_));
        finished_ = true;
        return;
      default:
        return;
    }
  }

  void Poke() override {
    if (started_ && !finished_) MaybeWrite();
  }

  void Cancel() override {
    if (!finished_ && context_) context_->TryCancel();
  }

 private:
  struct InFlight {
    uint64_t sequence;
    uint64_t start_ns;
    uint64_t number_index;  // counter value: small value or index into numbers_.big
  };

  void MaybeWrite() {
    if (writing_ || writes_done_ || broken_) return;
    if (g_phase.load(std::memory_order_relaxed) != 1) {
      if (in_flight_.empty()) {
        writes_done_ = true;
        stream_->WritesDone(&writes_done_tag_);
      }
      return;
    }
    if (in_flight_.size() >= static_cast<size_t>(options_.window)) return;
    request_.Clear();
    request_.set_sequence(next_sequence_);
    if (numbers_.digits > 0) {
      request_.set_decimal(numbers_.big[counter_ % numbers_.big.size()].first);
    } else {
      request_.set_value(static_cast<int64_t>(counter_));
    }
    in_flight_.push_back({next_sequence_, NowNs(), counter_});
    ++next_sequence_;
    ++counter_;
    writing_ = true;
    stream_->Write(request_, &write_tag_);
  }

  void Check() {
    if (in_flight_.empty()) {
      stats_.Error("SquareStream: response with no request in flight");
      return;
    }
    const InFlight sent = in_flight_.front();
    in_flight_.pop_front();
    std::string expect;
    bool echo_ok;
    if (numbers_.digits > 0) {
      const auto& entry = numbers_.big[sent.number_index % numbers_.big.size()];
      expect = entry.second;
      echo_ok = response_.number_case() == square::SquareStreamResponse::kDecimal &&
                response_.decimal() == entry.first;
    } else {
      expect = bench::SmallSquare(sent.number_index);
      echo_ok = response_.number_case() == square::SquareStreamResponse::kValue &&
                response_.value() == static_cast<int64_t>(sent.number_index);
    }
    if (response_.sequence() != sent.sequence || !echo_ok || response_.square() != expect) {
      stats_.Error("SquareStream: response " + bench::Escape(response_.ShortDebugString(), 120) +
                   " does not answer sequence " + std::to_string(sent.sequence) +
                   " (expected square \"" + bench::Escape(expect, 40) + "\")");
      return;
    }
    stats_.Complete(sent.start_ns);
  }

  const Options& options_;
  square::SquareService::Stub* squares_;
  grpc::CompletionQueue* cq_;
  Stats& stats_;
  const Numbers& numbers_;
  uint64_t counter_;
  uint64_t next_sequence_ = 1;
  Tag start_tag_{this, kStart}, write_tag_{this, kWrite}, read_tag_{this, kRead},
      writes_done_tag_{this, kWritesDone}, finish_tag_{this, kFinish};
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<square::SquareStreamRequest,
                                                square::SquareStreamResponse>>
      stream_;
  square::SquareStreamRequest request_;
  square::SquareStreamResponse response_;
  grpc::Status status_;
  std::deque<InFlight> in_flight_;
  bool started_ = false, writing_ = false, reading_ = false, writes_done_ = false,
       broken_ = false;
};

struct Worker {
  grpc::CompletionQueue cq;
  Stats stats;
  std::vector<std::unique_ptr<Slot>> slots;

  void Run(double drain_timeout_s) {
    uint64_t drain_deadline = 0;
    bool cancelled = false;
    while (true) {
      void* tag = nullptr;
      bool ok = false;
      const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(50);
      const grpc::CompletionQueue::NextStatus status = cq.AsyncNext(&tag, &ok, deadline);
      if (status == grpc::CompletionQueue::GOT_EVENT) {
        Tag* t = static_cast<Tag*>(tag);
        t->slot->OnEvent(t->kind, ok);
        continue;
      }
      if (status == grpc::CompletionQueue::SHUTDOWN) break;
      // Timeout: let idle streams notice the drain; stop once all are done.
      const bool draining = g_phase.load() == 2;
      for (auto& slot : slots) slot->Poke();
      if (!draining) continue;
      if (drain_deadline == 0) drain_deadline = NowNs() + static_cast<uint64_t>(drain_timeout_s * 1e9);
      bool all_done = true;
      for (auto& slot : slots) all_done = all_done && slot->finished();
      if (all_done) break;
      if (!cancelled && NowNs() > drain_deadline) {
        cancelled = true;
        stats.Error("calls still outstanding after the drain timeout: cancelled");
        for (auto& slot : slots) slot->Cancel();
      }
    }
    cq.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  sockrpc::ReadCpuFrequencyBeforeGrpcConnects();
  bench::Flags flags(
      argc, argv,
      "usage: grpc_load --target=127.0.0.1:PORT --rpc=square|now|stream\n"
      "  [--concurrency=C] [--channels=N] [--streams=S] [--window=W] [--digits=D]\n"
      "  [--duration=S] [--warmup=S] [--threads=T] [--timeout=S] [--pids=PID,PID]\n"
      "  [--scenario=NAME] [--system=NAME]");
  Options options;
  const std::string target = flags.Str("target", "127.0.0.1:50051");
  const std::string rpc = flags.Str("rpc", "square");
  const int concurrency = static_cast<int>(flags.Int("concurrency", 1));
  int channels = static_cast<int>(flags.Int("channels", 1));
  const int streams = static_cast<int>(flags.Int("streams", 1));
  options.window = static_cast<int>(flags.Int("window", 1));
  options.digits = static_cast<int>(flags.Int("digits", 0));
  const double duration_s = flags.Double("duration", 5);
  const double warmup_s = flags.Double("warmup", 0.5);
  int threads = static_cast<int>(flags.Int("threads", 1));
  options.timeout_s = flags.Double("timeout", 10);
  const std::vector<int> pids = bench::ParsePids(flags.Str("pids", ""));
  bench::Result result;
  result.tool = "grpc_load";
  result.scenario = flags.Str("scenario", "");
  result.system = flags.Str("system", "");
  flags.Finish();

  if (rpc == "square") options.rpc = Rpc::kSquare;
  else if (rpc == "now") options.rpc = Rpc::kNow;
  else if (rpc == "stream") options.rpc = Rpc::kStream;
  else bench::Die("unknown --rpc " + rpc);
  result.mode = rpc;
  const int slot_count = options.rpc == Rpc::kStream ? streams : concurrency;
  if (slot_count < 1 || channels < 1 || threads < 1 || options.window < 1 || duration_s <= 0) {
    bench::Die("--concurrency, --streams, --channels, --threads, --window, --duration must be positive");
  }
  if (channels > slot_count) channels = slot_count;
  if (threads > slot_count) threads = slot_count;

  Numbers numbers;
  numbers.digits = options.digits;
  if (options.digits > 0) numbers.big = bench::BigNumbers(options.digits, 64, 12345);

  // Separate channels are separate HTTP/2 connections (local subchannel pools).
  std::vector<std::shared_ptr<grpc::Channel>> channel_list;
  std::vector<std::unique_ptr<square::SquareService::Stub>> square_stubs;
  std::vector<std::unique_ptr<timev1::TimeService::Stub>> time_stubs;
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetInt("sockrpc.bench_channel", i);
    arguments.SetMaxReceiveMessageSize(-1);
    auto channel =
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), arguments);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      bench::Die("could not connect to " + target);
    }
    square_stubs.push_back(square::SquareService::NewStub(channel));
    time_stubs.push_back(timev1::TimeService::NewStub(channel));
    channel_list.push_back(std::move(channel));
  }

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>());
  for (int i = 0; i < slot_count; ++i) {
    Worker& worker = *workers[static_cast<size_t>(i % threads)];
    const size_t channel = static_cast<size_t>(i % channels);
    const uint64_t first = (static_cast<uint64_t>(i) * 104729u) % 100000u;
    if (options.rpc == Rpc::kStream) {
      worker.slots.push_back(std::make_unique<StreamSlot>(options, square_stubs[channel].get(),
                                                          &worker.cq, worker.stats, numbers, first));
    } else {
      worker.slots.push_back(std::make_unique<UnarySlot>(options, square_stubs[channel].get(),
                                                         time_stubs[channel].get(), &worker.cq,
                                                         worker.stats, numbers, first));
    }
  }
  for (auto& worker : workers) {
    for (auto& slot : worker->slots) slot->Start();
  }
  std::vector<std::thread> running;
  for (auto& worker : workers) {
    Worker* w = worker.get();
    running.emplace_back([w, &options] { w->Run(options.timeout_s); });
  }

  bench::ServerSampler sampler(pids);
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup_s));
  const uint64_t window_start = NowNs();
  sampler.Start();
  g_window_start.store(window_start);
  std::this_thread::sleep_for(std::chrono::duration<double>(duration_s));
  const uint64_t window_end = NowNs();
  g_window_end.store(window_end);
  sampler.Stop();
  g_phase.store(2);
  for (auto& thread : running) thread.join();

  std::vector<uint64_t> samples;
  for (auto& worker : workers) {
    result.ops += worker->stats.ops;
    result.errors += worker->stats.errors;
    if (result.first_error.empty()) result.first_error = worker->stats.first_error;
    samples.insert(samples.end(), worker->stats.samples.begin(), worker->stats.samples.end());
  }
  result.seconds = static_cast<double>(window_end - window_start) / 1e9;
  result.latency = bench::Summarize(samples);
  result.servers_json = sampler.Json();
  {
    char cpu[160];
    std::snprintf(cpu, sizeof cpu, "%.3f, \"machine_cpu_s\": %.3f, \"other_cpu_s\": %.3f",
                  sampler.self_cpu_s(), sampler.machine_cpu_s(), sampler.other_cpu_s());
    result.extra.emplace_back("load_cpu_s", cpu);
  }
  if (options.rpc == Rpc::kStream) {
    result.extra.emplace_back("streams", std::to_string(streams));
    result.extra.emplace_back("window", std::to_string(options.window));
  } else {
    result.extra.emplace_back("concurrency", std::to_string(concurrency));
  }
  result.extra.emplace_back("channels", std::to_string(channels));
  result.extra.emplace_back("threads", std::to_string(threads));
  result.extra.emplace_back("digits", std::to_string(options.digits));
  std::printf("%s\n", result.Json().c_str());
  std::fflush(stdout);
  // Destroy the slots (contexts, readers) before the stubs and channels.
  for (auto& worker : workers) worker->slots.clear();
  return result.errors == 0 ? 0 : 1;
}
