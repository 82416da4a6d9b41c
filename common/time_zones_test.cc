#include "common/time_zones.h"

#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

// Sets TZ for one test and restores it afterwards.
class ScopedTz {
 public:
  explicit ScopedTz(const char* value) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    if (value == nullptr) {
      ::unsetenv("TZ");
    } else {
      ::setenv("TZ", value, 1);
    }
  }
  ~ScopedTz() {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
  }

 private:
  std::optional<std::string> saved_;
};

TEST(LooksLikeIanaZoneNameTest, AcceptsIanaNames) {
  for (const char* name : {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
                           "Etc/GMT-14", "EST5EDT", "America/Port-au-Prince"}) {
    EXPECT_TRUE(LooksLikeIanaZoneName(name)) << name;
  }
}

TEST(LooksLikeIanaZoneNameTest, RejectsPathsAndOddText) {
  for (const char* name : {"", "/etc/passwd", "../../etc/passwd", "Europe/../UTC", "Europe//Paris",
                           "Europe/", "Europe/Paris ", "UTC\n", "Europe/Par is",
                           "file:UTC"}) {
    EXPECT_FALSE(LooksLikeIanaZoneName(name)) << name;
  }
  EXPECT_FALSE(LooksLikeIanaZoneName(std::string(65, 'A')));
}

TEST(LoadNamedTimeZoneTest, LoadsKnownZones) {
  auto paris = LoadNamedTimeZone("Europe/Paris");
  ASSERT_TRUE(paris.ok()) << paris.status();
  EXPECT_EQ(paris->name, "Europe/Paris");
  EXPECT_EQ(paris->zone.At(absl::FromUnixSeconds(0)).offset, 3600);
}

TEST(LoadNamedTimeZoneTest, UnknownZoneIsInvalidArgumentNamingIt) {
  auto zone = LoadNamedTimeZone("Mars/Olympus_Mons");
  ASSERT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("\"Mars/Olympus_Mons\""), absl::string_view::npos);
}

TEST(LoadNamedTimeZoneTest, PathsAreRejectedEvenIfTheFileIsAZone) {
  EXPECT_FALSE(LoadNamedTimeZone("/usr/share/zoneinfo/UTC").ok());
  // Abseil would read /etc/localtime for this name; it is not an IANA zone.
  EXPECT_FALSE(LoadNamedTimeZone("localtime").ok());
}

TEST(LocalTimeZoneNameTest, ReadsTz) {
  ScopedTz tz("Asia/Tokyo");
  EXPECT_EQ(LocalTimeZoneName(), "Asia/Tokyo");
}

TEST(LocalTimeZoneNameTest, StripsColonAndZoneinfoPrefix) {
  {
    ScopedTz tz(":Europe/Berlin");
    EXPECT_EQ(LocalTimeZoneName(), "Europe/Berlin");
  }
  {
    ScopedTz tz("/usr/share/zoneinfo/America/Chicago");
    EXPECT_EQ(LocalTimeZoneName(), "America/Chicago");
  }
}

TEST(LocalTimeZoneNameTest, EmptyTzMeansUtc) {
  ScopedTz tz("");
  EXPECT_EQ(LocalTimeZoneName(), "UTC");
}

TEST(LocalTimeZoneNameTest, WithoutTzFindsALoadableZone) {
  ScopedTz tz(nullptr);
  const std::string name = LocalTimeZoneName();
  EXPECT_TRUE(LoadNamedTimeZone(name).ok()) << name;
}

}  // namespace
}  // namespace sockrpc
