// An authorization policy in gRPC's own JSON format (gRFC A43, the format of
// grpc::experimental::FileWatcherAuthorizationPolicyProvider, which Debian's
// gRPC 1.51 does not ship):
//   {"name": "...", "deny_rules": [RULE...], "allow_rules": [RULE...]}
//   RULE: {"name": "...", "source": {"principals": [PATTERN...]},
//          "request": {"paths": [PATTERN...]}}
// A call is denied when a deny rule matches it, else allowed when an allow
// rule matches it, else denied. A rule matches when each list it has matches;
// a list matches when one pattern in it does; an empty or missing list
// matches every call. Unknown fields are errors; allow_rules needs a rule. PATTERN: exact, "prefix*",
// "*suffix" or "*". "*" as a principal needs an authenticated (TLS client
// certificate) peer. A principal is matched against the peer certificate's
// URI SANs if it has any, else its DNS SANs, else its subject, as gRPC does.
// Request headers are not supported: a policy naming them is rejected.
// Pure logic, no I/O.
#ifndef SOCKRPC_RPC_SERVER_AUTHZ_POLICY_H_
#define SOCKRPC_RPC_SERVER_AUTHZ_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

// Who calls what, as the policy sees it.
struct AuthzRequest {
  std::string path;  // "/package.Service/Method"
  bool authenticated = false;  // the peer presented a verified certificate
  std::vector<std::string> uri_sans;
  std::vector<std::string> dns_sans;
  std::string subject;
};

class AuthzPolicy {
 public:
  // INVALID_ARGUMENT saying what is wrong, e.g. "allow_rules[0].request: unknown field
  // \"methods\"".
  static absl::StatusOr<AuthzPolicy> Parse(absl::string_view json);

  bool Allows(const AuthzRequest& request) const;
  // The name of the rule that decided, for logs: a deny rule, an allow rule,
  // or empty when no rule matched.
  std::string Decide(const AuthzRequest& request, bool& allowed) const;

  const std::string& name() const { return name_; }

 private:
  struct Rule {
    std::string name;
    std::optional<std::vector<std::string>> principals;
    std::optional<std::vector<std::string>> paths;
  };
  static bool Matches(const Rule& rule, const AuthzRequest& request);

  std::string name_;
  std::vector<Rule> deny_;
  std::vector<Rule> allow_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_AUTHZ_POLICY_H_
