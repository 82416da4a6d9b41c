#include "common/flag_check.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"

ABSL_FLAG(int64_t, check_count, 5, "test flag");
ABSL_FLAG(bool, check_switch, false, "test flag");
ABSL_FLAG(std::string, check_name, "default", "test flag");
ABSL_FLAG(absl::Duration, check_wait, absl::Seconds(1), "test flag");

namespace sockrpc {
namespace {

absl::Status Check(std::vector<std::string> args) {
  args.insert(args.begin(), "program");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return CheckCommandLineFlags(argv);
}

TEST(FlagCheckTest, AcceptsEveryValidSpelling) {
  EXPECT_TRUE(Check({}).ok());
  EXPECT_TRUE(Check({"--check_count=7", "-check_count", "8", "--check_switch", "--nocheck_switch",
                     "--check_switch=false", "--check_name", "--x", "--check_wait=250ms",
                     "positional", "--", "--not_a_flag"})
                  .ok());
}

TEST(FlagCheckTest, KnowsAbseilsUsageFlags) {
  EXPECT_TRUE(Check({"--helpmatch=nothing_matches_this"}).ok());
}

TEST(FlagCheckTest, UnknownFlagIsNamed) {
  const absl::Status status = Check({"--check_count=1", "--no_such_flag=3"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown flag --no_such_flag");
}

TEST(FlagCheckTest, UndefokLetsUnknownFlagsThrough) {
  EXPECT_TRUE(Check({"--undefok=later_flag", "--later_flag=1"}).ok());
}

TEST(FlagCheckTest, UnparsableValueNamesTheFlagAndTheValue) {
  absl::Status status = Check({"--check_count=many"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "invalid value \"many\" for --check_count");
  status = Check({"--check_wait", "soon"});
  EXPECT_TRUE(absl::StartsWith(status.message(), "invalid value \"soon\" for --check_wait"))
      << status;
  status = Check({"--check_switch=maybe"});
  EXPECT_TRUE(absl::StartsWith(status.message(), "invalid value \"maybe\" for --check_switch"))
      << status;
}

TEST(FlagCheckTest, MissingValueIsNamed) {
  EXPECT_EQ(Check({"--check_count"}).message(), "--check_count needs a value");
}

TEST(FlagCheckTest, NegatingANonBooleanIsAnError) {
  EXPECT_EQ(Check({"--nocheck_count"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Check({"--nocheck_switch=true"}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sockrpc
