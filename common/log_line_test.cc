#include "common/log_line.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace sockrpc {
namespace {

const absl::Time kTime = absl::FromUnixMicros(1'795'000'000'123'456);

TEST(LogLineTest, TextLineIsTimeProcessLevelMessage) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, "legacy_bridge", LogLevel::kWarning,
                          "SQUARES peer=1.2.3.4:5 outcome=\"idle timeout\"",
                          {LogField("peer", "1.2.3.4:5")}),
            "2026-11-18T11:06:40.123Z legacy_bridge WARN SQUARES peer=1.2.3.4:5 "
            "outcome=\"idle timeout\"\n");
}

TEST(LogLineTest, JsonLineHoldsTheFields) {
  const std::vector<LogField> fields = {LogField("peer", "[::1]:5"), LogField("messages", 3),
                                        LogField("duration_ms", 12.5)};
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kTime, "legacy_bridge", LogLevel::kInfo, "done",
                          fields),
            "{\"ts\":\"2026-11-18T11:06:40.123456Z\",\"level\":\"info\","
            "\"process\":\"legacy_bridge\",\"msg\":\"done\",\"peer\":\"[::1]:5\","
            "\"messages\":3,\"duration_ms\":12.500}\n");
}

TEST(LogLineTest, JsonStringEscapesQuotesAndControlCharacters) {
  EXPECT_EQ(JsonString("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(LogLineTest, JsonStringKeepsUtf8AndReplacesOtherBytes) {
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonString("\xff" "a\xc3"), "\"\\ufffda\\ufffd\"");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate
}

TEST(LogLineTest, NonFiniteNumbersAreNull) {
  EXPECT_EQ(LogField("x", std::numeric_limits<double>::infinity()).json(), "null");
}

}  // namespace
}  // namespace sockrpc
