// The I/O shell of one SQUARES connection: socket reads and writes, its
// stream of requests to the core, and the timers. The protocol itself is
// SquaresSession; this class only feeds it events and carries out its
// requests. Everything runs under the connection's mutex: on its event loop,
// except the first answers of each message from the core
// (CoreStream::kFirstFew), which the completion thread hands the session and
// writes to the socket itself, without a hand-off to the loop
// (docs/performance.md, "Answers written where they arrive").
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_SQUARES_CONNECTION_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_SQUARES_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "legacy_bridge/connections/bridge_metrics.h"
#include "legacy_bridge/connections/bridge_options.h"
#include "legacy_bridge/connections/connection_registry.h"
#include "legacy_bridge/core_calls/core_client.h"
#include "legacy_bridge/protocol/close_reason.h"
#include "legacy_bridge/protocol/squares_session.h"

namespace sockrpc {

class SquaresConnection final : public Connection,
                                public std::enable_shared_from_this<SquaresConnection> {
 public:
  SquaresConnection(asio::ip::tcp::socket socket, asio::ip::tcp::endpoint peer, CoreClient& core,
                    const BridgeOptions& options, ConnectionRegistry& registry,
                    BridgeMetrics& metrics);
  ~SquaresConnection() override;

  void Start();
  void Drain(std::shared_ptr<Connection> self) override;
  void Evict(std::shared_ptr<Connection> self, CloseReason reason) override;
  void Retime(std::shared_ptr<Connection> self) override;

 private:
  void WaitForInput();
  void ReadAvailable();
  // Feeds the session what the socket holds, without waiting (a bounded
  // number of reads). kDrained: the socket is empty; kMore: it may hold more,
  // or the client closed (the session is told).
  enum class ReadResult { kDrained, kMore, kBroken };
  ReadResult ReadWhatArrived();
  void Pump();
  void SendRequests();
  // Answers the requests just taken "overloaded" if the core lags; false if
  // they are to be sent.
  bool ShedRequests(const std::vector<CoreRequest>& requests);
  // Whether the client has sent bytes not yet read, as the answer to
  // `sequence` needs to know (SquaresSession::OnCoreAnswer).
  bool ClientSentMore(uint64_t sequence);
  // Writes what is pending: at once if the socket takes it, else through an
  // asynchronous write that completes on the event loop.
  void Write();
  // An answer from the core, on the completion thread: taken here if it is
  // one of the first few of its message (CoreStream::Callbacks), else on the
  // connection's loop.
  static void DeliverAnswer(const std::weak_ptr<SquaresConnection>& weak,
                            const asio::any_io_executor& executor, uint64_t generation,
                            uint64_t sequence, std::string square, bool first_few);
  void OnCoreAnswer(uint64_t generation, uint64_t sequence, std::string square);
  void OnCoreDone(uint64_t generation, absl::Status status);
  void AbandonStream();
  // Whether a stream that ended with `status` just lost its replica (the
  // requests can be asked again) rather than failed them.
  static bool StreamWasLost(const absl::Status& status);
  // The timeouts in effect: the flags', shrunk as the table fills.
  std::chrono::milliseconds HandshakeTimeout() const;
  std::chrono::milliseconds IdleTimeout() const;
  void ScheduleTimer();
  void OnTimer();
  void Finish(CloseReason outcome);
  size_t unsent_bytes() const { return pending_output_.size() + writing_output_.size(); }

  // Guards everything below (std::mutex rather than absl::Mutex: sanitizers
  // see its ordering). Held by every handler, on whichever thread it runs.
  std::mutex mu_;
  asio::ip::tcp::socket socket_;
  const asio::ip::tcp::endpoint peer_;  // formatted only for a log line (peer_name.h)
  CoreClient& core_;
  const BridgeOptions& options_;
  ConnectionRegistry& registry_;
  BridgeMetrics& metrics_;
  SquaresSession session_;
  asio::steady_timer timer_;

  std::shared_ptr<CoreStream> stream_;
  uint64_t answers_on_loop_ = 0;  // posted to the loop, not yet taken
  std::deque<Clock::time_point> sent_at_;  // per request awaiting an answer, in order
  uint64_t stream_generation_ = 0;  // answers from older streams are ignored

  std::string pending_output_;  // produced, not yet handed to the socket
  std::string writing_output_;  // being written
  bool waiting_for_input_ = false;
  // A partial message awaits the quiet period before OnClientIdle.
  bool idle_check_pending_ = false;
  std::chrono::microseconds line_pause_{0};  // that quiet period (tcp_timing.h LinePause)
  bool writing_ = false;
  bool finished_ = false;
  // Why the connection ends unless the session closes it at a limit first.
  CloseReason outcome_ = CloseReason::kClientClosed;

  const Clock::time_point started_ = Clock::now();
  Clock::time_point last_activity_ = started_;
  Clock::time_point last_read_ = started_;
  Clock::time_point last_core_progress_ = started_;
  Clock::time_point timer_expiry_ = Clock::time_point::max();
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_SQUARES_CONNECTION_H_
