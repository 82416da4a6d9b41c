// How one log line looks, in either format; no I/O.
//
//   text: 2026-11-21T22:38:29.123Z rpc_server INFO listening on 0.0.0.0:50051
//   json: {"ts":"2026-11-21T22:38:29.123456Z","level":"info","process":"rpc_server",
//          "msg":"listening on 0.0.0.0:50051"}
//
// Fields (peer, protocol, duration_ms, ...) are keys of their own in JSON. The
// text format leaves them out: its message already says the same in words.
#ifndef SOCKRPC_COMMON_LOG_LINE_H_
#define SOCKRPC_COMMON_LOG_LINE_H_

#include <cstdint>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace sockrpc {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

// A named value of a JSON line: a string or a number.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view text);
  LogField(absl::string_view key, const char* text) : LogField(key, absl::string_view(text)) {}
  LogField(absl::string_view key, const std::string& text)
      : LogField(key, absl::string_view(text)) {}
  LogField(absl::string_view key, double number);
  template <typename Integer,
            std::enable_if_t<std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>,
                             int> = 0>
  LogField(absl::string_view key, Integer number)
      : key_(key), json_(std::to_string(number)) {}

  absl::string_view key() const { return key_; }
  // The value as JSON: quoted and escaped, or a number.
  absl::string_view json() const { return json_; }

 private:
  std::string key_;
  std::string json_;
};

// "DEBUG", "INFO", "WARN", "ERROR" (text) or "debug", "info", "warning",
// "error" (JSON, as --log_level spells them).
absl::string_view LogLevelName(LogLevel level, LogFormat format);

// `text` as a JSON string, quotes included; bytes that are not UTF-8 become
// U+FFFD so that every line stays valid JSON.
std::string JsonString(absl::string_view text);

// One line, newline included.
std::string FormatLogLine(LogFormat format, absl::Time time, absl::string_view process,
                          LogLevel level, absl::string_view message,
                          absl::Span<const LogField> fields);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_LOG_LINE_H_
