#include "rpc_server/authz_policy.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

constexpr char kPolicy[] = R"({
  "name": "sockrpc",
  "deny_rules": [{"name": "no_reflection_v1alpha",
                  "request": {"paths": ["/grpc.reflection.v1alpha.ServerReflection/*"]}}],
  "allow_rules": [
    {"name": "bridge", "source": {"principals": ["spiffe://sockrpc/legacy-bridge"]},
     "request": {"paths": ["/sockrpc.square.v1.SquareService/*"]}},
    {"name": "everyone", "request": {"paths": ["/sockrpc.time.v1.TimeService/Now",
                                               "/grpc.health.v1.Health/*"]}}]
})";

AuthzRequest Call(std::string path, std::vector<std::string> uri_sans = {}) {
  AuthzRequest request;
  request.path = std::move(path);
  request.authenticated = !uri_sans.empty();
  request.uri_sans = std::move(uri_sans);
  return request;
}

TEST(AuthzPolicyTest, AllowsByPathAndPrincipal) {
  auto policy = AuthzPolicy::Parse(kPolicy);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->Allows(Call("/sockrpc.time.v1.TimeService/Now")));
  EXPECT_TRUE(policy->Allows(Call("/grpc.health.v1.Health/Check")));
  EXPECT_FALSE(policy->Allows(Call("/sockrpc.square.v1.SquareService/SquareBatchStream")));
  EXPECT_FALSE(policy->Allows(
      Call("/sockrpc.square.v1.SquareService/SquareBatchStream", {"spiffe://sockrpc/other"})));
  EXPECT_TRUE(policy->Allows(Call("/sockrpc.square.v1.SquareService/SquareBatchStream",
                                  {"spiffe://sockrpc/legacy-bridge"})));
  EXPECT_FALSE(policy->Allows(Call("/sockrpc.time.v1.TimeService/Later")));
}

TEST(AuthzPolicyTest, DenyRulesComeFirst) {
  auto policy = AuthzPolicy::Parse(R"({"name": "p",
      "deny_rules": [{"name": "d", "request": {"paths": ["/a/*"]}}],
      "allow_rules": [{"name": "all"}]})");
  ASSERT_TRUE(policy.ok()) << policy.status();
  bool allowed = true;
  EXPECT_EQ(policy->Decide(Call("/a/b"), allowed), "d");
  EXPECT_FALSE(allowed);
  EXPECT_EQ(policy->Decide(Call("/b/c"), allowed), "all");
  EXPECT_TRUE(allowed);
}

TEST(AuthzPolicyTest, PrincipalsUseUriThenDnsSansThenSubject) {
  auto policy = AuthzPolicy::Parse(R"({"name": "p", "allow_rules": [
      {"name": "r", "source": {"principals": ["bridge.example", "CN=client"]}}]})");
  ASSERT_TRUE(policy.ok()) << policy.status();
  AuthzRequest request = Call("/x/y");
  request.authenticated = true;
  request.subject = "CN=client";
  EXPECT_TRUE(policy->Allows(request));
  request.dns_sans = {"bridge.example"};
  EXPECT_TRUE(policy->Allows(request));
  request.uri_sans = {"spiffe://x"};  // URI SANs win: neither pattern names it
  EXPECT_FALSE(policy->Allows(request));
  request = Call("/x/y");
  request.subject = "CN=client";  // not authenticated: no principal matches
  EXPECT_FALSE(policy->Allows(request));
}

TEST(AuthzPolicyTest, RejectsWhatItCannotEnforce) {
  for (const char* bad : {"", "{", R"({"allow_rules": [{"name": "r"}]})", R"({"name": "p"})",
                          R"({"name": "p", "allow_rules": [{"request": {}}]})",
                          R"({"name": "p", "allow_rules": [{"name": "r", "request":
                              {"headers": [{"key": "a", "values": ["b"]}]}}]})",
                          R"({"name": "p", "allow_rules": [{"name": "r"}], "extra": 1})",
                          R"({"name": "p", "allow_rules": [{"name": "r", "request":
                              {"methods": ["/a/b"]}}]})"}) {
    EXPECT_FALSE(AuthzPolicy::Parse(bad).ok()) << bad;
  }
  EXPECT_EQ(AuthzPolicy::Parse(R"({"name": "p", "allow_rules": [{"name": "r", "request":
                                   {"headers": [{"key": "a", "values": ["b"]}]}}]})")
                .status()
                .message(),
            "allow_rules[0].request: \"headers\" rules are not supported");
}

}  // namespace
}  // namespace sockrpc
