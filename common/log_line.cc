#include "common/log_line.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sockrpc {
namespace {

// Length of the valid UTF-8 sequence at the start of `text`, 0 if none.
size_t Utf8SequenceLength(absl::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  uint32_t lowest = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, lowest = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, lowest = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, lowest = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  uint32_t code_point = static_cast<uint32_t>(lead) & (0x7Fu >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < lowest || code_point > 0x10FFFF || surrogate) return 0;
  return length;
}

}  // namespace

LogField::LogField(absl::string_view key, absl::string_view text)
    : key_(key), json_(JsonString(text)) {}

LogField::LogField(absl::string_view key, double number) : key_(key) {
  // JSON has no NaN or infinity.
  json_ = std::isfinite(number) ? absl::StrFormat("%.3f", number) : "null";
}

absl::string_view LogLevelName(LogLevel level, LogFormat format) {
  const bool json = format == LogFormat::kJson;
  switch (level) {
    case LogLevel::kDebug:
      return json ? "debug" : "DEBUG";
    case LogLevel::kInfo:
      return json ? "info" : "INFO";
    case LogLevel::kWarning:
      return json ? "warning" : "WARN";
    case LogLevel::kError:
      return json ? "error" : "ERROR";
  }
  return "?";
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  while (!text.empty()) {
    const unsigned char c = static_cast<unsigned char>(text.front());
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += absl::StrFormat("\\u%04x", c);
    } else if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text);
      if (length == 0) {
        out += "\\ufffd";
      } else {
        out.append(text.data(), length);
        text.remove_prefix(length - 1);
      }
    } else {
      out += static_cast<char>(c);
    }
    text.remove_prefix(1);
  }
  out += '"';
  return out;
}

std::string FormatLogLine(LogFormat format, absl::Time time, absl::string_view process,
                          LogLevel level, absl::string_view message,
                          absl::Span<const LogField> fields) {
  if (format == LogFormat::kText) {
    return absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()), " ",
                        process, " ", LogLevelName(level, format), " ", message, "\n");
  }
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()),
      "\",\"level\":\"", LogLevelName(level, format), "\",\"process\":", JsonString(process),
      ",\"msg\":", JsonString(message));
  for (const LogField& field : fields) {
    absl::StrAppend(&line, ",", JsonString(field.key()), ":", field.json());
  }
  line += "}\n";
  return line;
}

}  // namespace sockrpc
