#include "legacy_bridge/protocol/squares_session.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "legacy_bridge/protocol/python_int.h"

namespace sockrpc {
namespace {

// ERROR lines quote at most this much of a message or status.
constexpr size_t kMaxErrorTextBytes = 400;
// Output one round of processing may produce before the shell takes it:
// bounds what a burst of lines the bridge answers itself can cost.
constexpr size_t kMaxOutputBytes = 64 * 1024;

}  // namespace

std::string ErrorLine(absl::string_view text) {
  std::string line = "ERROR ";
  for (const char c : text.substr(0, kMaxErrorTextBytes)) {
    line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  line.push_back('\n');
  return line;
}

std::string CoreErrorText(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return absl::StrCat("service unavailable: ", status.message());
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StrCat("service did not answer in time: ", status.message());
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return std::string(status.message());
    case absl::StatusCode::kResourceExhausted:
      return std::string(kOverloadedText);
    default:
      return absl::StrCat("service failed (", absl::StatusCodeToString(status.code()),
                          "): ", status.message());
  }
}

SquaresSession::SquaresSession(Options options)
    : options_(options), framer_(options.max_message_bytes) {}

void SquaresSession::OnClientBytes(absl::string_view bytes) {
  if (eof_ || closing_) return;
  framer_.Append(bytes);
  ProcessBufferedMessages();
}

void SquaresSession::OnClientIdle() {
  if (eof_ || closing_ || framer_.HasCompleteMessage() || framer_.Partial().empty()) return;
  if (speculation_.has_value()) {
    // One speculation at a time; a void one is replaced when it returns.
    if (speculation_->generation != framer_.generation()) resettle_ = true;
    return;
  }
  StartSpeculation();
}

void SquaresSession::OnClientEof() {
  if (eof_ || closing_) return;
  eof_ = true;
  ProcessBufferedMessages();
}

void SquaresSession::OnCoreAnswer(uint64_t sequence, absl::StatusOr<std::string> square,
                                  bool client_sent_more) {
  if (outstanding_.empty() || outstanding_.front().sequence != sequence) return;  // not ours
  outstanding_.pop_front();
  if (speculation_.has_value() && speculation_->sequence == sequence) {
    const bool client_waited = !eof_ && !closing_ && !client_sent_more &&
                               speculation_->generation == framer_.generation() &&
                               !framer_.HasCompleteMessage();
    if (client_waited) {
      CommitSpeculation(std::move(square));
    } else {
      const bool again = resettle_ && !client_sent_more;
      speculation_.reset();
      resettle_ = false;
      if (again) OnClientIdle();
    }
  } else if (square.ok()) {
    AnswerReply(sequence, *std::move(square));
  } else if (AnswerReply(sequence, ErrorLine(CoreErrorText(square.status())))) {
    ++errors_;
  }
  FlushReadyReplies();
  ProcessBufferedMessages();
}

void SquaresSession::OnCoreFailure(const absl::Status& status) {
  std::deque<Outstanding> failed = std::exchange(outstanding_, {});
  // The core rejects one request by ending the stream; later ones were fine
  // and are sent again. Any other failure fails every request.
  const bool rejected_one = status.code() == absl::StatusCode::kInvalidArgument ||
                            status.code() == absl::StatusCode::kOutOfRange;
  const bool resettle = std::exchange(resettle_, false);
  bool first = true;
  for (Outstanding& request : failed) {
    const bool blame_this_one = first || !rejected_one;
    first = false;
    if (speculation_.has_value() && speculation_->sequence == request.sequence) {
      const bool unchanged =
          !eof_ && !closing_ && speculation_->generation == framer_.generation();
      if (unchanged && blame_this_one) {
        // No answer will come to wait for: settle the partial message now.
        CommitSpeculation(status);
      } else {
        speculation_.reset();  // settled again below if the client is waiting
      }
    } else if (!HasReply(request.sequence)) {
      // Nobody waits for it any more (the session is closing).
    } else if (blame_this_one) {
      ++errors_;
      AnswerReply(request.sequence, ErrorLine(CoreErrorText(status)));
    } else {
      Resend(request);
    }
  }
  FlushReadyReplies();
  ProcessBufferedMessages();
  // A partial message whose speculation was dropped, of a client that is
  // waiting: settle it again. (If the core is still down, that one fails with
  // its generation unchanged and is committed: no loop.)
  if (!speculation_.has_value() && (resettle || rejected_one)) OnClientIdle();
}

void SquaresSession::OnCoreStreamLost() {
  // Squares are pure: every request still awaited is simply asked again, in
  // order, on whatever stream the shell opens next.
  std::deque<Outstanding> lost = std::exchange(outstanding_, {});
  for (Outstanding& request : lost) {
    if (speculation_.has_value() && speculation_->sequence == request.sequence) {
      const bool probe = request.decimal.empty();  // probes keep no number
      speculation_->sequence =
          SendToCore(probe ? std::string("0") : std::move(request.decimal), probe);
    } else if (HasReply(request.sequence)) {
      Resend(request);
    }
  }
}

void SquaresSession::Resend(Outstanding& request) {
  const uint64_t resent = SendToCore(std::move(request.decimal), false);
  for (Reply& reply : replies_) {
    if (reply.sequence == request.sequence) reply.sequence = resent;
  }
}

void SquaresSession::Abort(CloseReason reason, std::string detail) {
  if (!closing_) Close(reason, std::move(detail));
  FlushReadyReplies();
}

std::vector<CoreRequest> SquaresSession::TakeCoreRequests() { return std::exchange(requests_, {}); }

std::string SquaresSession::TakeOutput() { return std::exchange(output_, {}); }

bool SquaresSession::WantsInput() const {
  return !eof_ && !closing_ && replies_.size() < options_.max_pending_replies &&
         !framer_.HasCompleteMessage();
}

void SquaresSession::Resume() { ProcessBufferedMessages(); }

bool SquaresSession::Done() const {
  if (closing_) return replies_.empty();
  return eof_ && replies_.empty() && framer_.buffered_bytes() == 0;
}

void SquaresSession::ProcessBufferedMessages() {
  while (!closing_) {
    // Replies the bridge makes itself leave at once; only answers awaited
    // from the core (and what queues behind them) count toward the limit,
    // and the output of one round is bounded too.
    FlushReadyReplies();
    // Checked before the limits that pause this loop: a message past the
    // length limit must never be settled (speculated on, answered).
    if (framer_.TooLong()) {
      Close(CloseReason::kMessageTooLong,
            absl::StrCat("message longer than ", options_.max_message_bytes, " bytes"));
      break;
    }
    if (replies_.size() >= options_.max_pending_replies || output_.size() >= kMaxOutputBytes) {
      break;
    }
    const std::optional<absl::string_view> message = framer_.Next();
    if (!message.has_value()) {
      // At EOF the unterminated rest is the last message.
      if (eof_ && !framer_.Partial().empty()) AddReply(Classify(framer_.TakePartial()));
      break;
    }
    uses_newlines_ = true;
    AddReply(Classify(*message));
  }
  FlushReadyReplies();
}

SquaresSession::Disposition SquaresSession::Classify(absl::string_view message) const {
  Disposition disposition;
  if (!greeted_) {
    disposition.local_reply = std::string(kGreeting);  // whatever the first message holds
    return disposition;
  }
  absl::StatusOr<std::string> parsed = ParsePythonInt(message);
  if (parsed.ok()) {
    disposition.decimal = *std::move(parsed);
  } else {
    disposition.local_reply = ErrorLine(parsed.status().message());
  }
  return disposition;
}

void SquaresSession::AddReply(const Disposition& disposition) {
  ++messages_;
  if (!greeted_) {
    greeted_ = true;
  } else if (disposition.local_reply.has_value()) {
    ++errors_;
  }
  if (disposition.local_reply.has_value()) {
    replies_.push_back(Reply{0, *disposition.local_reply});
  } else {
    replies_.push_back(Reply{SendToCore(disposition.decimal, false), {}});
  }
}

void SquaresSession::StartSpeculation() {
  Disposition disposition = Classify(framer_.Partial());
  const bool probe = disposition.local_reply.has_value();
  const uint64_t sequence = SendToCore(probe ? "0" : std::move(disposition.decimal), probe);
  speculation_ = Speculation{sequence, framer_.generation(), std::move(disposition.local_reply)};
  resettle_ = false;
}

void SquaresSession::CommitSpeculation(absl::StatusOr<std::string> square) {
  Speculation speculation = *std::exchange(speculation_, std::nullopt);
  framer_.TakePartial();
  ++messages_;
  std::string text;
  if (speculation.local_reply.has_value()) {
    if (greeted_) ++errors_;
    text = *std::move(speculation.local_reply);
  } else if (square.ok()) {
    text = *std::move(square);
  } else {
    ++errors_;
    text = ErrorLine(CoreErrorText(square.status()));
  }
  greeted_ = true;
  replies_.push_back(Reply{0, std::move(text)});
  FlushReadyReplies();
}

uint64_t SquaresSession::SendToCore(std::string decimal, bool probe) {
  const uint64_t sequence = next_sequence_++;
  requests_.push_back(CoreRequest{sequence, decimal, probe});
  outstanding_.push_back(Outstanding{sequence, probe ? std::string() : std::move(decimal)});
  return sequence;
}

bool SquaresSession::HasReply(uint64_t sequence) const {
  for (const Reply& reply : replies_) {
    if (reply.sequence == sequence) return true;
  }
  return false;
}

bool SquaresSession::AnswerReply(uint64_t sequence, std::string text) {
  for (Reply& reply : replies_) {
    if (reply.sequence == sequence) {
      reply.sequence = 0;
      reply.text = std::move(text);
      return true;
    }
  }
  return false;
}

void SquaresSession::Close(CloseReason reason, std::string detail) {
  closing_ = true;
  ++errors_;
  replies_.push_back(Reply{0, ErrorLine(absl::StrCat(detail, "; closing"))});
  close_reason_ = reason;
  close_detail_ = std::move(detail);
  speculation_.reset();
}

void SquaresSession::FlushReadyReplies() {
  while (!replies_.empty() && replies_.front().sequence == 0) {
    output_ += replies_.front().text;
    replies_.pop_front();
  }
}

}  // namespace sockrpc
