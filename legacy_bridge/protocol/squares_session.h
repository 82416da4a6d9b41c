// The SQUARES protocol of one connection, as a state machine. Pure: no I/O,
// no clock, no threads; the I/O shell (squares_connection) feeds it events
// and carries out what it asks for.
//
// The protocol: the first message, whatever it holds, is answered with
// "Hello. Nice to see you."; every later message m with str(int(m)**2), no
// newline, where int() is Python's int() on bytes (python_int.h); a message
// int() rejects gets one "ERROR ...\n" line and the session goes on. Squares
// come from the RPC core: the session emits CoreRequests (canonical decimal
// integers) and is told the answers. Replies leave in message order.
//
// Where messages end: at '\n', at the client's EOF, and when the client is
// waiting for its answer. The last case has no marker in the byte stream (the
// original client sends "5" and waits), and a line split over two writes
// ("12" then "34\n") must stay one message. So an unterminated message is
// settled speculatively: once the client's socket is drained (OnClientIdle),
// the partial message is sent to the core as it stands (or, if the bridge
// answers it itself, a probe round trip is made). When the answer returns and
// the client has sent nothing since, the client was waiting: the partial
// becomes a message and its answer is sent at once, with no added delay. If
// more bytes came, the speculation is void and the message keeps growing.
//
// The shell decides when the client is idle. For a client that has never sent
// a newline (the original client) that is as soon as its socket is drained;
// once a client has used newlines, a partial message is most likely a line
// split over writes, so the shell first waits for a short quiet period
// (uses_newlines()).
#ifndef SOCKRPC_LEGACY_BRIDGE_PROTOCOL_SQUARES_SESSION_H_
#define SOCKRPC_LEGACY_BRIDGE_PROTOCOL_SQUARES_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "legacy_bridge/protocol/close_reason.h"
#include "legacy_bridge/protocol/core_request.h"
#include "legacy_bridge/protocol/line_framer.h"

namespace sockrpc {

inline constexpr absl::string_view kGreeting = "Hello. Nice to see you.";
// The ERROR text of a message shed, by the bridge or the core (RESOURCE_EXHAUSTED).
inline constexpr absl::string_view kOverloadedText = "service overloaded; try again";

class SquaresSession {
 public:
  struct Options {
    size_t max_message_bytes = 4096;
    // Messages awaiting an answer (or queued behind one) before the session
    // stops taking input: bounds memory and the load one client puts on the core.
    size_t max_pending_replies = 128;
  };

  explicit SquaresSession(Options options);

  // ---- Events -------------------------------------------------------------
  void OnClientBytes(absl::string_view bytes);
  // The client's socket has no more bytes for now.
  void OnClientIdle();
  // The client shut down its sending side.
  void OnClientEof();
  // The core answered request `sequence` (answers arrive in request order).
  // `client_sent_more`: the client has sent bytes not yet fed in.
  void OnCoreAnswer(uint64_t sequence, absl::StatusOr<std::string> square, bool client_sent_more);
  // The core failed every request still outstanding (stream broke, deadline).
  void OnCoreFailure(const absl::Status& status);
  // The stream to the core broke without an answer to what is outstanding
  // (the replica went away): every outstanding request is sent again.
  void OnCoreStreamLost();
  // A limit of the connection was reached (idle, handshake timeout): answer
  // what is pending, then one ERROR line saying `detail`, then close.
  void Abort(CloseReason reason, std::string detail);

  // The shell has taken and sent the output: go on with buffered messages.
  void Resume();

  // ---- What to do ---------------------------------------------------------
  // Requests to send to the core, in order.
  std::vector<CoreRequest> TakeCoreRequests();
  // Bytes to send to the client, in order.
  std::string TakeOutput();
  // Whether to read more from the client.
  bool WantsInput() const;
  // Whether requests are outstanding at the core (for the deadline).
  bool AwaitingCore() const { return !outstanding_.empty(); }
  // Requests outstanding at the core, those just taken included.
  size_t outstanding() const { return outstanding_.size(); }
  // Whether OnCoreAnswer for `sequence` uses `client_sent_more`: only the
  // answer that settles a speculation does, so the shell asks the socket only
  // then (a system call per answer otherwise).
  bool AnswerSettlesSpeculation(uint64_t sequence) const {
    return speculation_.has_value() && speculation_->sequence == sequence;
  }
  // Every message is answered and no more will come: close the connection.
  bool Done() const;

  // ---- For logs -----------------------------------------------------------
  uint64_t messages() const { return messages_; }
  uint64_t errors() const { return errors_; }
  bool greeted() const { return greeted_; }
  // Whether the client has ended a message with '\n'.
  bool uses_newlines() const { return uses_newlines_; }
  // Whether bytes of an unterminated message are buffered.
  bool has_partial() const { return !framer_.Partial().empty() && !framer_.HasCompleteMessage(); }
  // Why the session ended early, if it did (kMessageTooLong), and the text
  // its ERROR line gave ("message longer than 8 bytes").
  std::optional<CloseReason> close_reason() const { return close_reason_; }
  const std::string& close_detail() const { return close_detail_; }

 private:
  struct Reply {
    uint64_t sequence = 0;  // the core request it waits for; 0 when ready
    std::string text;
  };
  // A request sent to the core and not yet answered.
  struct Outstanding {
    uint64_t sequence = 0;
    std::string decimal;  // kept to send again if the core rejects an earlier one
  };
  // How a message is answered.
  struct Disposition {
    std::optional<std::string> local_reply;  // the bridge answers: greeting or ERROR
    std::string decimal;                     // else the canonical integer for the core
  };
  // The speculative settling of the partial message of one framer generation.
  struct Speculation {
    uint64_t sequence = 0;
    uint64_t generation = 0;
    // When the bridge answers this message itself (greeting, ERROR), the
    // reply; the core round trip is then only a probe.
    std::optional<std::string> local_reply;
  };

  void ProcessBufferedMessages();
  void ProcessMessage(absl::string_view message);
  void StartSpeculation();
  void CommitSpeculation(absl::StatusOr<std::string> square);
  Disposition Classify(absl::string_view message) const;
  void AddReply(const Disposition& disposition);
  uint64_t SendToCore(std::string decimal, bool probe);
  bool HasReply(uint64_t sequence) const;
  // Sends an outstanding request again; its reply waits for the new sequence.
  void Resend(Outstanding& request);
  // Gives the reply waiting for `sequence` its text; false if none waits.
  bool AnswerReply(uint64_t sequence, std::string text);
  void Close(CloseReason reason, std::string detail);
  void FlushReadyReplies();

  const Options options_;
  LineFramer framer_;
  bool greeted_ = false;
  bool uses_newlines_ = false;
  bool eof_ = false;
  bool closing_ = false;      // a fatal error: answer what came before, then close
  bool resettle_ = false;     // the client went idle while a void speculation was out
  uint64_t next_sequence_ = 1;
  std::deque<Reply> replies_;
  std::deque<Outstanding> outstanding_;  // in request order
  std::optional<Speculation> speculation_;
  std::vector<CoreRequest> requests_;
  std::string output_;
  uint64_t messages_ = 0;
  uint64_t errors_ = 0;
  std::optional<CloseReason> close_reason_;
  std::string close_detail_;
};

// An ERROR line: "ERROR <text>\n", the text kept to one bounded line.
std::string ErrorLine(absl::string_view text);

// What an ERROR line says about a failed core call ("service unavailable: ...").
std::string CoreErrorText(const absl::Status& status);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_PROTOCOL_SQUARES_SESSION_H_
