// libFuzzer target: the SQUARES byte protocol of the legacy bridge, i.e.
// LineFramer, ParsePythonInt, PythonBytesRepr and SquaresSession
// (legacy_bridge/), each against an independent model (models.h and below).
//
// Input layout (see README.md in this directory):
//   byte 0          low 3 bits: K - 1, the number of chunk descriptors;
//                   the high 5 bits choose the limits and failure modes
//                   (kMode* below)
//   2*K bytes       K descriptors, {size - 1, event bits} (kEvent* below),
//                   used in turn for the successive chunks; size byte 0xff
//                   means all the rest at once (like one big read)
//   the rest        the client's bytes, cut into chunks by the descriptors
//
// 1. LineFramer, fed the chunks, yields exactly the pieces of a std::string
//    split at '\n' (the last piece being the partial message), whenever Next()
//    is drained; a second framer with TakePartial() and a small limit is
//    checked step by step against a std::string holding the unconsumed bytes
//    (HasCompleteMessage, TooLong, buffered_bytes, Partial, generation).
// 2. ParsePythonInt on every message, the final partial and the whole input
//    equals a state-machine model of Python's int(bytes), error text included;
//    PythonBytesRepr equals a model of repr(bytes).
// 3. SquaresSession, driven like the I/O shell does (reads only while it wants
//    input and less than 64 KiB of replies are unread; idle, core answers,
//    core failures, aborts and the client reading its replies at chunk
//    boundaries chosen by the event bits) with a model core (schoolbook
//    squares, rejections over its digit limit), never crashes, never
//    stalls, is Done() after EOF once every request is answered, and its
//    output is exactly a sequence of replies, one per message, in order,
//    each cut by TakeOutput() only at reply boundaries, for the split of
//    the input into messages at '\n', at EOF, and where a speculation
//    settled a partial message (which it may do only where the core
//    answered while the client had sent nothing more, or failed).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fuzz/models.h"
#include "legacy_bridge/protocol/bytes_repr.h"
#include "legacy_bridge/protocol/line_framer.h"
#include "legacy_bridge/protocol/python_int.h"
#include "legacy_bridge/protocol/squares_session.h"

namespace {

using sockrpc_fuzz::Fail;
using sockrpc_fuzz::Visible;

// ---- Input layout ------------------------------------------------------------

// Mode bits (byte 0, bits 3..7).
constexpr uint8_t kModeSmallMessages = 0x08;  // max_message_bytes 24 instead of 1024
constexpr uint8_t kModeSmallPending = 0x10;   // max_pending_replies 2 instead of 128
constexpr uint8_t kModeSmallCore = 0x20;      // the core rejects more than 30 digits
constexpr uint8_t kModeDeadlines = 0x40;      // kEventDeadline fails the core calls
constexpr uint8_t kModeAborts = 0x80;         // kEventAbort aborts the session

// Event bits of a chunk descriptor.
constexpr uint8_t kEventIdle = 0x01;         // OnClientIdle after the chunk
constexpr int kEventAnswersBeforeShift = 1;  // bits 1-2: answers (client_sent_more) before it
constexpr int kEventAnswersAfterShift = 3;   // bits 3-4: answers after it (3 = all)
constexpr uint8_t kEventDeadline = 0x20;     // then the core fails (kModeDeadlines)
constexpr uint8_t kEventNoDrain = 0x40;      // framer checks: don't drain Next() now;
                                             // session: the client reads no replies now
constexpr uint8_t kEventAbort = 0x80;        // then Abort (kModeAborts)

struct Chunk {
  std::string bytes;
  uint8_t events = 0;
};

struct Plan {
  uint8_t mode = 0;
  std::string payload;
  std::vector<Chunk> chunks;
};

Plan MakePlan(const uint8_t* data, size_t size) {
  Plan plan;
  if (size == 0) return plan;
  plan.mode = data[0];
  const size_t descriptor_count = (data[0] & 7u) + 1;
  std::vector<std::pair<size_t, uint8_t>> descriptors;
  size_t at = 1;
  for (size_t i = 0; i < descriptor_count && at < size; ++i) {
    const size_t chunk_size = data[at] == 0xff ? SIZE_MAX : static_cast<size_t>(data[at]) + 1;
    const uint8_t events = at + 1 < size ? data[at + 1] : 0;
    descriptors.emplace_back(chunk_size, events);
    at += 2;
  }
  if (at > size) at = size;
  plan.payload.assign(reinterpret_cast<const char*>(data) + at, size - at);
  if (descriptors.empty()) descriptors.emplace_back(1, 0);
  size_t offset = 0;
  for (size_t j = 0; offset < plan.payload.size(); ++j) {
    const auto& [chunk_size, events] = descriptors[j % descriptors.size()];
    // The same descriptors come round again with their event bits rotated.
    const unsigned turn = static_cast<unsigned>((j / descriptors.size()) % 8);
    const auto rotated = static_cast<uint8_t>((events << turn) | (events >> ((8 - turn) % 8)));
    const size_t take = std::min(chunk_size, plan.payload.size() - offset);
    plan.chunks.push_back(Chunk{plan.payload.substr(offset, take), rotated});
    offset += take;
  }
  return plan;
}

size_t MaxMessageBytes(const Plan& plan) { return (plan.mode & kModeSmallMessages) ? 24 : 1024; }
size_t MaxPendingReplies(const Plan& plan) { return (plan.mode & kModeSmallPending) ? 2 : 128; }
size_t CoreMaxDigits(const Plan& plan) { return (plan.mode & kModeSmallCore) ? 30 : 4300; }

std::string View(absl::string_view view) { return std::string(view.data(), view.size()); }
absl::string_view AbslView(const std::string& text) {
  return absl::string_view(text.data(), text.size());
}

// The reference splitter: the pieces between '\n's; the last one is the partial.
std::vector<std::string> SplitAtNewlines(const std::string& bytes) {
  std::vector<std::string> pieces(1);
  for (const char c : bytes) {
    if (c == '\n') {
      pieces.emplace_back();
    } else {
      pieces.back().push_back(c);
    }
  }
  return pieces;
}

// ---- 1. LineFramer -------------------------------------------------------------

// Checks that the partial message is the same whenever the generation is.
class GenerationWatch {
 public:
  void Observe(const sockrpc::LineFramer& framer, const char* where) {
    const uint64_t generation = framer.generation();
    const absl::string_view partial = framer.Partial();
    if (observed_ && generation < last_generation_) {
      Fail("LineFramer generation went backwards (" + std::string(where) + ")");
    }
    // Generations only grow, so an unchanged one is the last one observed.
    if (observed_ && generation == last_generation_) {
      if (partial != AbslView(last_partial_)) {
        Fail("LineFramer generation " + std::to_string(generation) +
             " unchanged but the partial changed from \"" + Visible(last_partial_) + "\" to \"" +
             Visible(View(partial)) + "\" (" + where + ")");
      }
      return;
    }
    observed_ = true;
    last_generation_ = generation;
    last_partial_.assign(partial.data(), partial.size());
  }

 private:
  bool observed_ = false;
  uint64_t last_generation_ = 0;
  std::string last_partial_;
};

void DrainInto(sockrpc::LineFramer& framer, std::vector<std::string>& messages,
               GenerationWatch& watch) {
  while (true) {
    const bool complete = framer.HasCompleteMessage();
    const std::optional<absl::string_view> next = framer.Next();
    if (next.has_value() != complete) Fail("LineFramer HasCompleteMessage disagrees with Next");
    if (!next.has_value()) break;
    // The view must survive const calls.
    (void)framer.HasCompleteMessage();
    (void)framer.TooLong();
    (void)framer.buffered_bytes();
    messages.push_back(View(*next));
  }
  watch.Observe(framer, "after draining");
}

// Plain Append/Next against the reference splitter.
void CheckFramerAgainstSplitter(const Plan& plan) {
  sockrpc::LineFramer framer(plan.payload.size() + 1);
  std::vector<std::string> messages;
  GenerationWatch watch;
  for (const Chunk& chunk : plan.chunks) {
    const uint64_t before = framer.generation();
    framer.Append(AbslView(chunk.bytes));
    if (framer.generation() == before) Fail("LineFramer Append did not change the generation");
    if (!(chunk.events & kEventNoDrain)) DrainInto(framer, messages, watch);
  }
  DrainInto(framer, messages, watch);

  std::vector<std::string> pieces = SplitAtNewlines(plan.payload);
  const std::string partial = pieces.back();
  pieces.pop_back();
  if (messages != pieces) {
    std::string detail = "LineFramer messages differ from the reference split of \"" +
                         Visible(plan.payload) + "\": got " + std::to_string(messages.size()) +
                         ", want " + std::to_string(pieces.size());
    for (size_t i = 0; i < std::min(messages.size(), pieces.size()); ++i) {
      if (messages[i] != pieces[i]) {
        detail += "; first difference at message " + std::to_string(i) + ": \"" +
                  Visible(messages[i]) + "\" vs \"" + Visible(pieces[i]) + "\"";
        break;
      }
    }
    Fail(detail);
  }
  if (View(framer.Partial()) != partial) {
    Fail("LineFramer partial \"" + Visible(View(framer.Partial())) + "\", want \"" +
         Visible(partial) + "\"");
  }
  if (framer.buffered_bytes() != partial.size()) Fail("LineFramer buffered_bytes wrong at the end");
  if (framer.HasCompleteMessage()) Fail("LineFramer HasCompleteMessage after draining");
}

// Append/Next/TakePartial/TooLong step by step against the unconsumed bytes.
void CheckFramerStepByStep(const Plan& plan) {
  const size_t limit = MaxMessageBytes(plan);
  sockrpc::LineFramer framer(limit);
  std::string unconsumed;  // the model: bytes appended and not yet handed out
  GenerationWatch watch;

  const auto check_state = [&](const char* where) {
    const size_t newline = unconsumed.find('\n');
    const size_t current = newline == std::string::npos ? unconsumed.size() : newline;
    if (framer.HasCompleteMessage() != (newline != std::string::npos)) {
      Fail(std::string("LineFramer HasCompleteMessage wrong ") + where);
    }
    if (framer.buffered_bytes() != unconsumed.size()) {
      Fail(std::string("LineFramer buffered_bytes ") + std::to_string(framer.buffered_bytes()) +
           ", want " + std::to_string(unconsumed.size()) + " " + where);
    }
    if (framer.TooLong() != (current > limit)) {
      Fail(std::string("LineFramer TooLong wrong ") + where + " with \"" + Visible(unconsumed) +
           "\" and limit " + std::to_string(limit));
    }
    if (newline == std::string::npos) {  // Partial() is meaningful once Next() is empty
      if (framer.Partial() != AbslView(unconsumed)) {
        Fail(std::string("LineFramer Partial \"") + Visible(View(framer.Partial())) +
             "\", want \"" + Visible(unconsumed) + "\" " + where);
      }
      watch.Observe(framer, where);
    }
  };

  for (const Chunk& chunk : plan.chunks) {
    framer.Append(AbslView(chunk.bytes));
    unconsumed += chunk.bytes;
    check_state("after Append");
    // Drain all, or (kEventNoDrain) take at most one message.
    const size_t most = (chunk.events & kEventNoDrain) ? 1 : SIZE_MAX;
    for (size_t taken = 0; taken < most; ++taken) {
      const std::optional<absl::string_view> next = framer.Next();
      const size_t newline = unconsumed.find('\n');
      if (!next.has_value()) {
        if (newline != std::string::npos) Fail("LineFramer Next empty with a '\\n' buffered");
        break;
      }
      if (newline == std::string::npos) Fail("LineFramer Next gave a message without a '\\n'");
      const std::string want = unconsumed.substr(0, newline);
      if (View(*next) != want) {
        Fail("LineFramer Next \"" + Visible(View(*next)) + "\", want \"" + Visible(want) + "\"");
      }
      unconsumed.erase(0, newline + 1);
      check_state("after Next");
    }
    if ((chunk.events & kEventIdle) && unconsumed.find('\n') == std::string::npos) {
      const uint64_t before = framer.generation();
      const std::string taken = framer.TakePartial();
      if (taken != unconsumed) {
        Fail("LineFramer TakePartial \"" + Visible(taken) + "\", want \"" + Visible(unconsumed) +
             "\"");
      }
      if (framer.generation() == before) Fail("LineFramer TakePartial kept the generation");
      unconsumed.clear();
      check_state("after TakePartial");
    }
  }
}

// ---- 2. ParsePythonInt and PythonBytesRepr -------------------------------------

void CheckPythonInt(const std::string& bytes) {
  const absl::StatusOr<std::string> got = sockrpc::ParsePythonInt(AbslView(bytes));
  const std::optional<std::string> want = sockrpc_fuzz::ModelPythonInt(bytes);
  if (want.has_value()) {
    if (!got.ok() || *got != *want) {
      Fail("ParsePythonInt(b\"" + Visible(bytes) +
           "\")\n  production: " + (got.ok() ? "\"" + *got + "\"" : got.status().ToString()) +
           "\n  model:      \"" + *want + "\"");
    }
  } else {
    const std::string message = sockrpc_fuzz::ModelPythonIntError(bytes);
    if (got.ok() || got.status().code() != absl::StatusCode::kInvalidArgument ||
        View(got.status().message()) != message) {
      Fail("ParsePythonInt(b\"" + Visible(bytes) + "\")\n  production: " +
           (got.ok() ? "\"" + *got + "\"" : Visible(got.status().ToString())) +
           "\n  model:      INVALID_ARGUMENT: " + Visible(message));
    }
  }
}

void CheckBytesRepr(const std::string& bytes) {
  const std::string got = sockrpc::PythonBytesRepr(AbslView(bytes));
  const std::string want = sockrpc_fuzz::ModelBytesRepr(bytes);
  if (got != want) {
    Fail("PythonBytesRepr(\"" + Visible(bytes) + "\")\n  production: " + Visible(got) +
         "\n  model:      " + Visible(want));
  }
}

// ---- 3. SquaresSession -----------------------------------------------------------

constexpr char kGreetingText[] = "Hello. Nice to see you.";
constexpr char kProbeAnswer[] = "<probe>";  // must never reach the client
constexpr char kBigAnswer[] = "<big>";      // stands for squares too long to compute here
constexpr size_t kMaxModelSquareDigits = 100;
constexpr char kDeadlineText[] = "no answer within 2000ms";
constexpr char kAbortReason[] = "idle for 300000ms";

bool IsCanonicalDecimal(const std::string& decimal) {
  std::string digits = decimal;
  if (!digits.empty() && digits[0] == '-') {
    digits.erase(0, 1);
    if (digits == "0") return false;
  }
  if (digits.empty()) return false;
  for (const char c : digits) {
    if (!sockrpc_fuzz::IsAsciiDigit(c)) return false;
  }
  return digits == "0" || digits[0] != '0';
}

std::string Magnitude(const std::string& canonical) {
  return canonical[0] == '-' ? canonical.substr(1) : canonical;
}

// What the model core answers for a canonical decimal it accepts.
std::string CoreAnswer(const std::string& canonical) {
  const std::string magnitude = Magnitude(canonical);
  if (magnitude.size() > kMaxModelSquareDigits) return kBigAnswer;
  return sockrpc_fuzz::SchoolbookSquare(magnitude);
}

std::string CoreRejection(const std::string& canonical, size_t max_digits) {
  return "decimal has " + std::to_string(Magnitude(canonical).size()) +
         " significant digits; this core squares at most " + std::to_string(max_digits);
}

// The I/O shell and the core around one session, faked.
class SessionDriver {
 public:
  explicit SessionDriver(const Plan& plan)
      : plan_(plan),
        session_(sockrpc::SquaresSession::Options{MaxMessageBytes(plan), MaxPendingReplies(plan)}),
        core_max_digits_(CoreMaxDigits(plan)) {}

  void Run() {
    for (const Chunk& chunk : plan_.chunks) {
      if (closed_) break;
      if (!(chunk.events & kEventNoDrain)) ClientReads();
      if (!WaitUntilWantsInput()) break;
      for (int i = 0; i < ((chunk.events >> kEventAnswersBeforeShift) & 3); ++i) {
        AnswerOne(/*client_sent_more=*/true);  // the chunk is on its way already
      }
      if (Verbose()) Trace("OnClientBytes(\"" + Visible(chunk.bytes) + "\")");
      session_.OnClientBytes(AbslView(chunk.bytes));
      fed_ += chunk.bytes.size();
      Pump();
      if (chunk.events & kEventIdle) {
        if (Verbose()) Trace("OnClientIdle()");
        session_.OnClientIdle();
        Pump();
      }
      const int after = (chunk.events >> kEventAnswersAfterShift) & 3;
      if (after == 3) {
        for (size_t i = 0; i < kMaxSteps && AnswerOne(false); ++i) {
        }
      } else {
        for (int i = 0; i < after; ++i) AnswerOne(false);
      }
      if ((plan_.mode & kModeDeadlines) && (chunk.events & kEventDeadline)) FailCore();
      if ((plan_.mode & kModeAborts) && (chunk.events & kEventAbort)) {
        if (Verbose()) Trace("Abort()");
        session_.Abort(sockrpc::CloseReason::kIdleTimeout, kAbortReason);
        aborted_ = true;
        closed_ = true;
        Pump();
      }
      if (session_.close_reason().has_value()) closed_ = true;
    }
    if (!closed_) {
      if (Verbose()) Trace("OnClientEof()");
      session_.OnClientEof();
      eof_ = true;
      Pump();
    }
    // The core answers everything; the session must then be done.
    for (size_t step = 0; !session_.Done(); ++step) {
      if (step > kMaxSteps) Fail("SquaresSession: no end after " + std::to_string(step) + " steps");
      if (AnswerOne(false) || ClientReads() || Pump()) continue;
      Fail(std::string("SquaresSession not Done() after ") + (eof_ ? "EOF" : "closing") +
           " with every core request answered; output so far \"" + Visible(output_) + "\"" +
           Context());
    }
    Pump();
    // At EOF too: the last message too long.
    if (session_.close_reason().has_value()) closed_ = true;
    if (session_.WantsInput()) Fail("SquaresSession Done() but still wants input");
    // Requests may still be out (a speculation made void by EOF, a probe): the
    // shell cancels them. Were they answered, nothing may change.
    for (size_t step = 0; step < kMaxSteps && AnswerOne(false); ++step) {
      if (!session_.Done()) Fail("SquaresSession no longer Done() after a late answer");
    }
    CheckOutput();
  }

 private:
  static constexpr size_t kMaxSteps = 100000;
  static constexpr size_t kMaxUnsentBytes = 64 * 1024;  // squares_connection.cc

  // With SOCKRPC_FUZZ_VERBOSE set, every event (to reproduce a failure by hand).
  static bool Verbose() {
    static const bool verbose = std::getenv("SOCKRPC_FUZZ_VERBOSE") != nullptr;
    return verbose;
  }
  static void Trace(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

  // Whatever the session asks for, the shell does: send requests, take output.
  // Whether there was any.
  bool Collect() {
    bool any = false;
    for (sockrpc::CoreRequest& request : session_.TakeCoreRequests()) {
      if (request.sequence <= last_sequence_)
        Fail("SquaresSession: request sequence not increasing");
      last_sequence_ = request.sequence;
      if (request.probe ? request.decimal != "0" : !IsCanonicalDecimal(request.decimal)) {
        Fail("SquaresSession sent the core \"" + Visible(request.decimal) + "\" (probe " +
             std::to_string(request.probe) + ")");
      }
      if (Verbose())
        Trace("  -> request " + std::to_string(request.sequence) + " \"" +
              Visible(request.decimal, 40) + "\"" + (request.probe ? " (probe)" : ""));
      queue_.push_back(std::move(request));
      any = true;
    }
    const std::string output = session_.TakeOutput();
    if (!output.empty()) {
      if (output_done_) Fail("SquaresSession output after Done()");
      if (Verbose()) Trace("  -> output \"" + Visible(output, 200) + "\"");
      output_ += output;
      unsent_ += output.size();
      cuts_.push_back(output_.size());
      any = true;
    }
    if (session_.AwaitingCore() != !queue_.empty()) {
      Fail("SquaresSession AwaitingCore() " + std::to_string(session_.AwaitingCore()) + " with " +
           std::to_string(queue_.size()) + " requests out");
    }
    output_done_ = session_.Done();
    return any;
  }

  // The shell has sent the output: the session goes on. Whether it did anything.
  bool Pump() {
    if (unsent_ < kMaxUnsentBytes) session_.Resume();  // as the shell: not while 64 KiB wait
    return Collect();
  }

  // Runs a core event (an answer or a failure) and notes whether it settled
  // the partial message (a speculation was committed: the unterminated bytes
  // became a message, so none are left). A speculation may settle only when
  // the client has sent nothing more since (`may_settle`: an answer with
  // client_sent_more false, or a failure: OnCoreFailure has no
  // client_sent_more, by design a failure settles the partial as it stands).
  // The output check then splits the input at exactly these points.
  template <typename Event>
  void CoreEvent(bool may_settle, const Event& event) {
    const bool had_partial = session_.has_partial();
    event();
    if (had_partial && !eof_ && !session_.has_partial()) {
      if (!may_settle) {
        Fail(
            "SquaresSession settled the partial message on an answer that came while the "
            "client had sent more" +
            Context());
      }
      if (Verbose()) Trace("  -> settled the partial message at byte " + std::to_string(fed_));
      settle_points_.push_back(fed_);
    }
  }

  // The core answers (or, over its digit limit, rejects) the oldest request.
  bool AnswerOne(bool client_sent_more) {
    Collect();
    if (queue_.empty()) return false;
    const sockrpc::CoreRequest request = queue_.front();
    if (!request.probe && Magnitude(request.decimal).size() > core_max_digits_) {
      // One response per request in order; a bad one ends the stream.
      queue_.clear();
      if (Verbose())
        Trace("OnCoreFailure(OUT_OF_RANGE) at request " + std::to_string(request.sequence));
      CoreEvent(true, [&] {
        session_.OnCoreFailure(
            absl::OutOfRangeError(CoreRejection(request.decimal, core_max_digits_)));
      });
    } else {
      queue_.pop_front();
      if (Verbose())
        Trace("OnCoreAnswer(" + std::to_string(request.sequence) + ", client_sent_more " +
              std::to_string(client_sent_more) + ")");
      CoreEvent(!client_sent_more, [&] {
        session_.OnCoreAnswer(
            request.sequence,
            request.probe ? std::string(kProbeAnswer) : CoreAnswer(request.decimal),
            client_sent_more);
      });
    }
    Pump();
    return true;
  }

  // The deadline passes: the shell abandons the stream.
  void FailCore() {
    Collect();
    if (queue_.empty()) return;  // the shell only fails calls in flight
    queue_.clear();
    if (Verbose()) Trace("OnCoreFailure(DEADLINE_EXCEEDED)");
    CoreEvent(true, [&] { session_.OnCoreFailure(absl::DeadlineExceededError(kDeadlineText)); });
    failures_ = true;
    Pump();
  }

  // The shell reads only while the session wants input; answers come meanwhile.
  // The shell reads only while the session wants input and less than 64 KiB of
  // replies wait to be sent; answers come and the client reads meanwhile.
  bool WaitUntilWantsInput() {
    for (size_t step = 0; !session_.WantsInput() || unsent_ >= kMaxUnsentBytes; ++step) {
      if (session_.close_reason().has_value()) {
        closed_ = true;
        return false;
      }
      if (step <= kMaxSteps && (AnswerOne(false) || ClientReads() || Pump())) continue;
      Fail("SquaresSession stalled: wants no input, nothing at the core, no output, not closing" +
           Context());
    }
    return true;
  }

  // The client reads every reply sent so far; the shell's write completes.
  // Whether anything was waiting.
  bool ClientReads() {
    if (unsent_ == 0) return false;
    unsent_ = 0;
    Pump();
    return true;
  }

  std::string Context() const {
    return "\n  messages " + std::to_string(session_.messages()) + ", errors " +
           std::to_string(session_.errors()) + ", fed " + std::to_string(fed_) + " of \"" +
           Visible(plan_.payload) + "\"";
  }

  // ---- The output against the input ------------------------------------------

  // The replies a message may get. `greeted`: a message came before it.
  std::vector<std::string> RepliesFor(const std::string& message, bool greeted) const {
    if (!greeted) return {kGreetingText};
    const std::optional<std::string> canonical = sockrpc_fuzz::ModelPythonInt(message);
    if (!canonical.has_value()) {
      return {"ERROR " + sockrpc_fuzz::ModelPythonIntError(message) + "\n"};
    }
    std::vector<std::string> replies;
    if (Magnitude(*canonical).size() > core_max_digits_) {
      replies.push_back("ERROR " + CoreRejection(*canonical, core_max_digits_) + "\n");
    } else {
      replies.push_back(CoreAnswer(*canonical));
    }
    if (failures_)
      replies.push_back(std::string("ERROR service did not answer in time: ") + kDeadlineText +
                        "\n");
    return replies;
  }

  struct State {
    size_t in = 0;   // input consumed by the messages so far
    size_t out = 0;  // output matched by their replies
    size_t messages = 0;
    size_t errors = 0;
    bool operator==(const State& other) const {
      return in == other.in && out == other.out && messages == other.messages &&
             errors == other.errors;
    }
  };
  struct StateHash {
    size_t operator()(const State& s) const {
      return ((s.in * 1000003u + s.out) * 1000003u + s.messages) * 1000003u + s.errors;
    }
  };

  // Whether the output is a sequence of replies to a split of the input
  // (payload[0, fed_)) into messages, with the counts the session reports.
  void CheckOutput() {
    const std::string input = plan_.payload.substr(0, fed_);
    const size_t max_message = MaxMessageBytes(plan_);
    std::vector<size_t> ends = settle_points_;  // where partial messages were settled
    std::sort(ends.begin(), ends.end());
    ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
    const std::string too_long_line =
        "ERROR message longer than " + std::to_string(max_message) + " bytes; closing\n";
    const std::string abort_line = std::string("ERROR ") + kAbortReason + "; closing\n";
    const size_t want_messages = session_.messages();
    const size_t want_errors = session_.errors();

    if (Verbose()) {
      std::fprintf(stderr,
                   "session: fed %zu of %zu bytes, %zu messages, %zu errors, eof %d, "
                   "close reason \"%s\"\n  output \"%s\"\n",
                   fed_, plan_.payload.size(), want_messages, want_errors, eof_,
                   session_.close_detail().c_str(), Visible(output_, 2000).c_str());
    }

    const auto fits = [&](size_t at, const std::string& reply) {
      if (output_.compare(at, reply.size(), reply) != 0) return false;
      // cuts_ grows: the first cut after `at` must not fall inside the reply.
      const auto cut = std::upper_bound(cuts_.begin(), cuts_.end(), at);
      return cut == cuts_.end() || *cut >= at + reply.size();
    };
    const auto closes = [&](const State& s, const std::string& line) {
      return s.messages == want_messages && s.errors + 1 == want_errors &&
             output_.size() - s.out == line.size() && fits(s.out, line);
    };

    std::unordered_set<State, StateHash> seen;
    std::vector<State> work{State{}};
    size_t furthest = 0;
    while (!work.empty()) {
      const State s = work.back();
      work.pop_back();
      if (!seen.insert(s).second) continue;
      furthest = std::max(furthest, s.out);
      if (s.out == output_.size() && s.in == input.size() && eof_ && s.messages == want_messages &&
          s.errors == want_errors) {
        return;  // every byte answered, in order
      }
      const size_t newline = input.find('\n', s.in);
      const size_t line_end = newline == std::string::npos ? input.size() : newline;
      if (closed_) {
        if (aborted_ && closes(s, abort_line)) return;
        if (line_end - s.in > max_message && closes(s, too_long_line)) return;
      }
      // The next message: a partial settled speculatively, else up to '\n'
      // (consumed with it), else at EOF the unterminated rest.
      size_t end = 0;
      size_t next = 0;
      const auto settled = std::upper_bound(ends.begin(), ends.end(), s.in);
      if (settled != ends.end() && *settled <= line_end) {
        end = next = *settled;
      } else if (newline != std::string::npos) {
        end = newline;
        next = newline + 1;
      } else if (eof_ && s.in < input.size()) {
        end = next = input.size();
      } else {
        continue;  // nothing more was a message
      }
      if (end - s.in > max_message) continue;  // too long: never answered
      const std::string message = input.substr(s.in, end - s.in);
      for (const std::string& reply : RepliesFor(message, s.messages > 0)) {
        if (!fits(s.out, reply)) continue;
        const bool error = reply.compare(0, 6, "ERROR ") == 0;
        work.push_back(
            State{next, s.out + reply.size(), s.messages + 1, s.errors + (error ? 1 : 0)});
      }
    }
    Fail("SquaresSession output is not one reply per message in order" + Context() +
         "\n  output \"" + Visible(output_, 2000) + "\"\n  matched up to byte " +
         std::to_string(furthest) + ": \"" + Visible(output_.substr(furthest), 300) + "\"" +
         "\n  eof " + std::to_string(eof_) + ", closed " + std::to_string(closed_) +
         ", close reason \"" + session_.close_detail() + "\"");
  }

  const Plan& plan_;
  sockrpc::SquaresSession session_;
  const size_t core_max_digits_;
  std::deque<sockrpc::CoreRequest> queue_;  // requests the core has not answered yet
  uint64_t last_sequence_ = 0;
  std::string output_;
  std::vector<size_t> cuts_;  // output_ sizes at which TakeOutput() returned
  std::vector<size_t> settle_points_;
  size_t fed_ = 0;
  size_t unsent_ = 0;  // output the client has not read yet
  bool eof_ = false;
  bool closed_ = false;
  bool aborted_ = false;
  bool failures_ = false;
  bool output_done_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Plan plan = MakePlan(data, size);

  CheckFramerAgainstSplitter(plan);
  CheckFramerStepByStep(plan);

  for (const std::string& piece : SplitAtNewlines(plan.payload)) CheckPythonInt(piece);
  CheckPythonInt(plan.payload);  // '\n' inside and around, too
  CheckBytesRepr(plan.payload);

  SessionDriver(plan).Run();
  return 0;
}
