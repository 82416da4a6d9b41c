#include "legacy_bridge/connections/squares_connection.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <asio/post.hpp>
#include <asio/write.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "legacy_bridge/connections/peer_name.h"
#include "legacy_bridge/connections/socket_closer.h"
#include "legacy_bridge/connections/tcp_timing.h"

namespace sockrpc {
namespace {

// Replies produced but not yet taken by the client before the connection
// stops reading: a client that never reads cannot grow the bridge's memory.
constexpr size_t kMaxUnsentBytes = 64 * 1024;
// Reads per readiness event, so one busy client cannot starve the others.
constexpr int kMaxReadsPerWake = 8;
// Rounds of replies written at once per event, for the same reason.
constexpr int kMaxPumpRounds = 8;

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

SquaresConnection::SquaresConnection(asio::ip::tcp::socket socket, asio::ip::tcp::endpoint peer,
                                     CoreClient& core, const BridgeOptions& options,
                                     ConnectionRegistry& registry, BridgeMetrics& metrics)
    : socket_(std::move(socket)),
      peer_(peer),
      core_(core),
      options_(options),
      registry_(registry),
      metrics_(metrics),
      session_(SquaresSession::Options{options.max_message_bytes, options.max_pending_replies}),
      timer_(socket_.get_executor()) {
  metrics_.squares.total.Increment();
  metrics_.squares.open.Add(1);
}

SquaresConnection::~SquaresConnection() {
  registry_.Remove(this);
  metrics_.squares.open.Add(-1);
}

void SquaresConnection::Start() {
  std::lock_guard lock(mu_);
  asio::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  SetActivity(/*in_handshake=*/true, /*busy=*/false, started_);
  ScheduleTimer();
  WaitForInput();
}

void SquaresConnection::Drain(std::shared_ptr<Connection> self) {
  asio::post(socket_.get_executor(), [this, self = std::move(self)] {
    std::lock_guard lock(mu_);
    if (finished_) return;
    outcome_ = CloseReason::kBridgeShuttingDown;
    // What had arrived is answered (a connection accepted during the
    // shutdown has read nothing yet); nothing more is read.
    if (ReadWhatArrived() == ReadResult::kBroken) return Finish(CloseReason::kConnectionReset);
    session_.OnClientEof();
    Pump();
  });
}

void SquaresConnection::Evict(std::shared_ptr<Connection> self, CloseReason reason) {
  asio::post(socket_.get_executor(), [this, self = std::move(self), reason] {
    std::lock_guard lock(mu_);
    if (finished_) return;
    session_.Abort(reason, reason == CloseReason::kEvictedHandshake
                               ? "connection table nearly full: no handshake yet"
                               : "connection table nearly full: idle connection from an address "
                                 "holding many");
    Pump();
  });
}

void SquaresConnection::Retime(std::shared_ptr<Connection> self) {
  asio::post(socket_.get_executor(), [this, self = std::move(self)] {
    std::lock_guard lock(mu_);
    if (finished_) return;
    timer_expiry_ = Clock::time_point::max();  // so that ScheduleTimer arms it afresh
    ScheduleTimer();
  });
}

std::chrono::milliseconds SquaresConnection::HandshakeTimeout() const {
  return registry_.policy().ScaledTimeout(options_.handshake_timeout, registry_.pressure_level());
}

std::chrono::milliseconds SquaresConnection::IdleTimeout() const {
  return registry_.policy().ScaledTimeout(options_.idle_timeout, registry_.pressure_level());
}

void SquaresConnection::WaitForInput() {
  if (waiting_for_input_ || finished_ || !session_.WantsInput() ||
      unsent_bytes() >= kMaxUnsentBytes) {
    return;
  }
  waiting_for_input_ = true;
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const asio::error_code& error) {
                       std::lock_guard lock(self->mu_);
                       self->waiting_for_input_ = false;
                       if (self->finished_) return;
                       if (error) {
                         return self->Finish(CloseReason::kConnectionError);
                       }
                       self->ReadAvailable();
                     });
}

SquaresConnection::ReadResult SquaresConnection::ReadWhatArrived() {
  const asio::mutable_buffer buffer = ThreadReadBuffer();
  for (int i = 0; i < kMaxReadsPerWake && session_.WantsInput() && unsent_bytes() < kMaxUnsentBytes;
       ++i) {
    asio::error_code error;
    const size_t bytes = socket_.read_some(buffer, error);
    if (error == asio::error::would_block || error == asio::error::try_again) {
      return ReadResult::kDrained;
    }
    if (error == asio::error::eof) {
      session_.OnClientEof();
      return ReadResult::kMore;
    }
    if (error) return ReadResult::kBroken;
    last_activity_ = last_read_ = Clock::now();
    session_.OnClientBytes(absl::string_view(static_cast<const char*>(buffer.data()), bytes));
    // A short read took everything the socket held: drained, without asking
    // the kernel again.
    if (bytes < buffer.size()) return ReadResult::kDrained;
  }
  return ReadResult::kMore;
}

void SquaresConnection::ReadAvailable() {
  const ReadResult result = ReadWhatArrived();
  if (result == ReadResult::kBroken) return Finish(CloseReason::kConnectionReset);
  const bool drained = result == ReadResult::kDrained;
  // Nothing more from the client for now: it may be waiting for an answer.
  if (drained && session_.has_partial()) {
    if (session_.uses_newlines()) {
      // Most likely a line written in pieces, whose next piece the client's
      // kernel may hold until this one is acknowledged (Nagle's algorithm):
      // acknowledge now, then wait the quiet period (tcp_timing.h). The
      // original client, which writes each message whole, never pays this.
      AcknowledgeNow(socket_.native_handle());
      line_pause_ = LinePause(options_.line_pause, SmoothedRoundTrip(socket_.native_handle()));
      idle_check_pending_ = true;  // OnTimer calls OnClientIdle after the quiet period
    } else {
      session_.OnClientIdle();
    }
  }
  Pump();
}

void SquaresConnection::Pump() {
  if (finished_) return;
  for (int round = 1;; ++round) {
    if (unsent_bytes() < kMaxUnsentBytes) session_.Resume();
    SendRequests();
    std::string output = session_.TakeOutput();
    const bool produced = !output.empty();
    pending_output_ += output;
    Write();
    if (finished_) return;
    // The socket took every reply at once. The session holds messages back
    // while its replies wait (SquaresSession::Resume), so it is asked again,
    // for a bounded number of rounds; then the loop goes on with the rest.
    if (!produced || unsent_bytes() > 0) break;
    if (round == kMaxPumpRounds) {
      asio::post(socket_.get_executor(), [self = shared_from_this()] {
        std::lock_guard lock(self->mu_);
        self->Pump();
      });
      break;
    }
  }
  if (session_.Done() && unsent_bytes() == 0) return Finish(outcome_);
  SetActivity(!session_.greeted(), session_.AwaitingCore() || unsent_bytes() > 0, last_activity_);
  ScheduleTimer();
  WaitForInput();
}

void SquaresConnection::SendRequests() {
  std::vector<CoreRequest> requests = session_.TakeCoreRequests();
  // A shed request is answered at once, which may release buffered messages:
  // bounded, as each round answers at least one message.
  for (size_t round = 0; !requests.empty() && round <= options_.max_pending_replies; ++round) {
    if (!ShedRequests(requests)) break;
    requests = session_.TakeCoreRequests();
  }
  if (requests.empty()) return;
  last_core_progress_ = Clock::now();
  sent_at_.insert(sent_at_.end(), requests.size(), last_core_progress_);
  if (stream_ == nullptr) {
    const uint64_t generation = ++stream_generation_;
    const std::weak_ptr<SquaresConnection> weak = weak_from_this();
    const asio::any_io_executor executor = socket_.get_executor();
    stream_ = core_.OpenSquareStream(CoreStream::Callbacks{
        .on_answer =
            [weak, executor, generation](uint64_t sequence, std::string square, bool first_few) {
              DeliverAnswer(weak, executor, generation, sequence, std::move(square), first_few);
            },
        // Through the loop: CoreStream::Send may end the stream while this
        // connection's mutex is held.
        .on_done =
            [weak, executor, generation](absl::Status status) {
              if (auto self = weak.lock()) {
                asio::post(executor, [self, generation, status = std::move(status)] {
                  std::lock_guard lock(self->mu_);
                  self->OnCoreDone(generation, status);
                });
              }
            },
    });
  }
  stream_->Send(requests);
}

bool SquaresConnection::ShedRequests(const std::vector<CoreRequest>& requests) {
  // Only requests that would be the session's first outstanding ones: the
  // session expects answers in request order, and those sent before are
  // answered first.
  if (session_.outstanding() != requests.size()) return false;
  const uint64_t messages = static_cast<uint64_t>(std::count_if(
      requests.begin(), requests.end(), [](const CoreRequest& request) { return !request.probe; }));
  if (!core_.squares_overload().Shed(messages)) return false;
  for (const CoreRequest& request : requests) {
    session_.OnCoreAnswer(request.sequence, absl::ResourceExhaustedError(kOverloadedText),
                          ClientSentMore(request.sequence));
  }
  return true;
}

bool SquaresConnection::ClientSentMore(uint64_t sequence) {
  if (!session_.AnswerSettlesSpeculation(sequence)) return false;  // the session ignores it
  asio::error_code ignored;
  return socket_.available(ignored) > 0;
}

void SquaresConnection::Write() {
  if (writing_ || pending_output_.empty() || finished_) return;
  // Most replies fit the socket's send buffer: written here and now, on
  // whichever thread holds the connection, with no handler to run after.
  asio::error_code write_error;
  const size_t written = socket_.write_some(asio::buffer(pending_output_), write_error);
  if (write_error && write_error != asio::error::would_block &&
      write_error != asio::error::try_again) {
    return Finish(CloseReason::kConnectionReset);
  }
  if (!write_error) last_activity_ = Clock::now();
  pending_output_.erase(0, written);
  if (pending_output_.empty()) return;
  std::swap(writing_output_, pending_output_);
  writing_ = true;
  asio::async_write(socket_, asio::buffer(writing_output_),
                    [self = shared_from_this()](const asio::error_code& error, size_t) {
                      std::lock_guard lock(self->mu_);
                      self->writing_ = false;
                      self->writing_output_.clear();
                      if (self->finished_) return;
                      if (error) return self->Finish(CloseReason::kConnectionReset);
                      self->last_activity_ = Clock::now();
                      self->Pump();
                    });
}

void SquaresConnection::DeliverAnswer(const std::weak_ptr<SquaresConnection>& weak,
                                      const asio::any_io_executor& executor, uint64_t generation,
                                      uint64_t sequence, std::string square, bool first_few) {
  std::shared_ptr<SquaresConnection> self = weak.lock();
  if (self == nullptr) return;
  bool taken_here = false;
  {
    std::lock_guard lock(self->mu_);
    // The session takes its answers in order: while one waits on the loop,
    // the later ones queue behind it there.
    if (first_few && self->answers_on_loop_ == 0) {
      self->OnCoreAnswer(generation, sequence, std::move(square));
      taken_here = true;
    } else {
      ++self->answers_on_loop_;
    }
  }
  if (taken_here) {
    // A connection is destroyed on its own loop (connection.h): if this is
    // the last reference, the loop drops it.
    if (self.use_count() == 1) asio::post(executor, [self = std::move(self)] {});
    return;
  }
  asio::post(executor, [self = std::move(self), generation, sequence,
                        square = std::move(square)]() mutable {
    std::lock_guard lock(self->mu_);
    --self->answers_on_loop_;
    self->OnCoreAnswer(generation, sequence, std::move(square));
  });
}

void SquaresConnection::OnCoreAnswer(uint64_t generation, uint64_t sequence, std::string square) {
  if (finished_ || generation != stream_generation_) return;
  last_core_progress_ = Clock::now();
  if (!sent_at_.empty()) {
    metrics_.square_latency.Observe(
        std::chrono::duration<double>(last_core_progress_ - sent_at_.front()).count());
    sent_at_.pop_front();
  }
  const bool client_sent_more = ClientSentMore(sequence);
  session_.OnCoreAnswer(sequence, std::move(square), client_sent_more);
  Pump();
}

void SquaresConnection::OnCoreDone(uint64_t generation, absl::Status status) {
  if (finished_ || generation != stream_generation_) return;
  stream_.reset();
  sent_at_.clear();  // whatever is asked again is timed from then
  if (session_.AwaitingCore()) {
    if (StreamWasLost(status)) {
      metrics_.streams_moved.Increment();
      // The replica went away (killed, drained, connection lost): ask again
      // on a new stream, which the channel places on a healthy replica. If
      // none answers within the deadline, OnTimer turns them into ERRORs.
      session_.OnCoreStreamLost();
    } else {
      LogError(
          absl::StrCat("SQUARES ", PeerName(peer_), ": core call failed: ", status.ToString()));
      metrics_.core_failures.Increment();
      session_.OnCoreFailure(status);
    }
  }
  Pump();
}

bool SquaresConnection::StreamWasLost(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:           // ended early, without our half-close
    case absl::StatusCode::kUnavailable:  // the replica went away or is draining
    case absl::StatusCode::kCancelled:    // a draining replica's grace ran out
      return true;
    default:
      return false;
  }
}

void SquaresConnection::AbandonStream() {
  if (stream_ != nullptr) stream_->Abandon();
  stream_.reset();
  ++stream_generation_;  // whatever the old call still reports is ignored
}

void SquaresConnection::ScheduleTimer() {
  Clock::time_point next = Clock::time_point::max();
  if (!session_.greeted()) next = std::min(next, started_ + HandshakeTimeout());
  if (idle_check_pending_) next = std::min(next, last_read_ + line_pause_);
  if (session_.AwaitingCore()) {
    next = std::min(next, last_core_progress_ + options_.deadline);
  } else if (unsent_bytes() == 0) {
    next = std::min(next, last_activity_ + IdleTimeout());
  }
  if (next >= timer_expiry_) return;  // an earlier wake-up is armed; it re-checks then
  timer_expiry_ = next;
  timer_.expires_at(next);
  timer_.async_wait([self = shared_from_this()](const asio::error_code& error) {
    if (error) return;
    std::lock_guard lock(self->mu_);
    if (self->finished_) return;
    self->timer_expiry_ = Clock::time_point::max();
    self->OnTimer();
  });
}

void SquaresConnection::OnTimer() {
  const Clock::time_point now = Clock::now();
  if (idle_check_pending_ && now - last_read_ >= line_pause_) {
    idle_check_pending_ = false;
    asio::error_code ignored;
    if (socket_.available(ignored) == 0) session_.OnClientIdle();
  }
  const std::chrono::milliseconds handshake_timeout = HandshakeTimeout();
  const std::chrono::milliseconds idle_timeout = IdleTimeout();
  if (!session_.greeted() && now - started_ >= handshake_timeout) {
    session_.Abort(CloseReason::kHandshakeTimeout,
                   absl::StrFormat("no handshake within %dms", handshake_timeout.count()));
  } else if (session_.AwaitingCore() && now - last_core_progress_ >= options_.deadline) {
    LogError(absl::StrCat("SQUARES ", PeerName(peer_), ": no answer from the core within ",
                          options_.deadline.count(), "ms"));
    AbandonStream();
    sent_at_.clear();
    metrics_.core_failures.Increment();
    session_.OnCoreFailure(absl::DeadlineExceededError(
        absl::StrFormat("no answer within %dms", options_.deadline.count())));
  } else if (!session_.AwaitingCore() && unsent_bytes() == 0 &&
             now - last_activity_ >= idle_timeout) {
    session_.Abort(CloseReason::kIdleTimeout,
                   absl::StrFormat("idle for %dms", idle_timeout.count()));
  }
  Pump();
}

void SquaresConnection::Finish(CloseReason outcome) {
  if (finished_) return;
  finished_ = true;
  outcome_ = outcome;
  asio::error_code ignored;
  timer_.cancel();
  if (stream_ != nullptr) {
    stream_->Detach();
    stream_.reset();
  }
  ++stream_generation_;
  registry_.Remove(this);
  // A limit the session closed at wins over how the socket ended after it.
  const CloseReason reason = session_.close_reason().value_or(outcome);
  const bool clean =
      reason == CloseReason::kClientClosed || reason == CloseReason::kBridgeShuttingDown;
  metrics_.squares_messages.Increment(session_.messages());
  metrics_.squares.error_lines.Increment(session_.errors());
  if (IsLimit(reason)) metrics_.ClosedByLimit(reason).Increment();
  // Evictions are logged by the bridge, at a bounded rate.
  const bool evicted =
      reason == CloseReason::kEvictedHandshake || reason == CloseReason::kEvictedIdle;
  if (options_.verbose || (!clean && !evicted)) {
    const double milliseconds = MillisecondsSince(started_);
    const std::string peer = PeerName(peer_);
    std::vector<LogField> fields = {
        LogField("protocol", "SQUARES"), LogField("peer", peer),
        LogField("messages", session_.messages()), LogField("errors", session_.errors()),
        LogField("outcome", CloseReasonName(reason)), LogField("duration_ms", milliseconds)};
    if (!session_.close_detail().empty()) fields.emplace_back("detail", session_.close_detail());
    LogInfo(absl::StrFormat("SQUARES peer=%s messages=%d errors=%d outcome=%s%s duration=%.1fms",
                            peer, session_.messages(), session_.errors(), CloseReasonName(reason),
                            session_.close_detail().empty()
                                ? ""
                                : absl::StrCat(" detail=\"", session_.close_detail(), "\""),
                            milliseconds),
            fields);
  }
  socket_.cancel(ignored);
  if (reason == CloseReason::kConnectionReset || reason == CloseReason::kConnectionError) {
    socket_.close(ignored);
  } else {
    CloseAfterDraining(std::move(socket_), options_.close_linger);
  }
}

}  // namespace sockrpc
