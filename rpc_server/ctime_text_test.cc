#include "rpc_server/ctime_text.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sockrpc {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

struct Case {
  const char* zone;
  double unix_seconds;
  const char* expected;  // what TZ=<zone> python3 -c 'time.ctime(t)' prints
};

class FormatCtimeTest : public testing::TestWithParam<Case> {};

TEST_P(FormatCtimeTest, MatchesPythonTimeCtime) {
  const Case& c = GetParam();
  const absl::Time instant = absl::UnixEpoch() + absl::Seconds(c.unix_seconds);
  EXPECT_EQ(FormatCtime(instant, Zone(c.zone)), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    FixedInstants, FormatCtimeTest,
    testing::Values(
        Case{"UTC", 1391022855, "Wed Jan 29 19:14:15 2014"},  // the legacy docs' example
        Case{"UTC", 0, "Thu Jan  1 00:00:00 1970"},           // single-digit day: space-padded
        Case{"UTC", -1, "Wed Dec 31 23:59:59 1969"},
        Case{"UTC", -0.5, "Wed Dec 31 23:59:59 1969"},  // floored, not rounded toward zero
        Case{"UTC", 1700000000.999, "Tue Nov 14 22:13:20 2023"},  // fraction dropped
        Case{"UTC", 946684799, "Fri Dec 31 23:59:59 1999"},       // year boundary
        Case{"UTC", 946684800, "Sat Jan  1 00:00:00 2000"},
        Case{"UTC", 1709251200, "Fri Mar  1 00:00:00 2024"},  // after a leap day
        Case{"UTC", -2208988800, "Mon Jan  1 00:00:00 1900"},
        Case{"UTC", 253402300799, "Fri Dec 31 23:59:59 9999"},
        Case{"America/New_York", 1391023455, "Wed Jan 29 14:24:15 2014"},
        Case{"America/New_York", 0, "Wed Dec 31 19:00:00 1969"},
        Case{"America/New_York", 946684800, "Fri Dec 31 19:00:00 1999"},  // year behind UTC
        Case{"America/New_York", 1709251200, "Thu Feb 29 19:00:00 2024"},  // leap day
        Case{"Asia/Kolkata", 1391023455, "Thu Jan 30 00:54:15 2014"},     // half-hour offset
        Case{"Asia/Kolkata", 1704067199, "Mon Jan  1 05:29:59 2024"},     // year ahead of UTC
        Case{"Asia/Kolkata", -2208988800, "Mon Jan  1 05:21:10 1900"},    // local mean time
        Case{"Asia/Kolkata", 253402300799, "Sat Jan  1 05:29:59 10000"},  // five-digit year
        Case{"Australia/Lord_Howe", 946684799, "Sat Jan  1 10:59:59 2000"},  // 30-minute DST
        Case{"Pacific/Kiritimati", 0, "Wed Dec 31 13:20:00 1969"},
        Case{"Pacific/Kiritimati", 1704067199, "Mon Jan  1 13:59:59 2024"}),  // UTC+14
    [](const testing::TestParamInfo<Case>& param_info) {
      std::string name = absl::StrCat(param_info.param.zone, "_", param_info.index);
      for (char& c : name) {
        if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(FormatCtimeCrossCheckTest, AgreesWithPythonOnRandomInstants) {
  std::mt19937_64 random(1121);
  std::uniform_int_distribution<int64_t> seconds(-2'000'000'000, 4'000'000'000);
  for (const char* zone : {"UTC", "Europe/Paris", "America/Sao_Paulo", "Asia/Tokyo"}) {
    std::vector<int64_t> instants;
    for (int i = 0; i < 50; ++i) instants.push_back(seconds(random));
    const std::string command =
        absl::StrCat("TZ=", zone,
                     " /usr/bin/python3 -c 'import sys, time; "
                     "[print(time.ctime(int(t))) for t in sys.argv[1:]]' ",
                     absl::StrJoin(instants, " "));
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[128];
    for (const int64_t instant : instants) {
      ASSERT_NE(std::fgets(line, sizeof line, pipe), nullptr);
      std::string expected(line);
      expected.pop_back();  // the newline
      EXPECT_EQ(FormatCtime(absl::FromUnixSeconds(instant), Zone(zone)), expected)
          << zone << " " << instant;
    }
    EXPECT_EQ(::pclose(pipe), 0);
  }
}

}  // namespace
}  // namespace sockrpc
