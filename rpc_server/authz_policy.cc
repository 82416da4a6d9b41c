#include "rpc_server/authz_policy.h"

#include <tuple>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "authz_policy_format.pb.h"

namespace sockrpc {
namespace {

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

bool PatternMatches(absl::string_view pattern, absl::string_view text) {
  if (pattern == "*") return true;
  if (absl::EndsWith(pattern, "*")) {
    return absl::StartsWith(text, pattern.substr(0, pattern.size() - 1));
  }
  if (absl::StartsWith(pattern, "*")) return absl::EndsWith(text, pattern.substr(1));
  return pattern == text;
}

bool AnyMatches(const std::vector<std::string>& patterns, absl::string_view text) {
  for (const std::string& pattern : patterns) {
    if (PatternMatches(pattern, text)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<AuthzPolicy> AuthzPolicy::Parse(absl::string_view json) {
  authz::Policy parsed;
  // Unknown fields are errors: a misspelt rule must not silently allow more.
  if (const auto status = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &parsed);
      !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not a policy: ", status.message().ToString()));
  }
  if (parsed.name().empty()) return Invalid("policy", "\"name\" must be a non-empty string");
  if (parsed.allow_rules().empty()) {
    return Invalid("policy", "\"allow_rules\" must hold at least one rule");
  }
  AuthzPolicy policy;
  policy.name_ = parsed.name();
  for (const auto& [list, rules, into] :
       {std::tuple<const char*, const google::protobuf::RepeatedPtrField<authz::Rule>*,
                   std::vector<Rule>*>{"deny_rules", &parsed.deny_rules(), &policy.deny_},
        {"allow_rules", &parsed.allow_rules(), &policy.allow_}}) {
    for (int i = 0; i < rules->size(); ++i) {
      const authz::Rule& parsed_rule = rules->Get(i);
      const std::string where = absl::StrCat(list, "[", i, "]");
      if (parsed_rule.name().empty()) {
        return Invalid(where, "\"name\" must be a non-empty string");
      }
      if (parsed_rule.request().headers_size() > 0) {
        return Invalid(absl::StrCat(where, ".request"), "\"headers\" rules are not supported");
      }
      Rule rule;
      rule.name = parsed_rule.name();
      // An empty or missing list matches everything, as in gRPC.
      if (parsed_rule.source().principals_size() > 0) {
        rule.principals.emplace(parsed_rule.source().principals().begin(),
                                parsed_rule.source().principals().end());
      }
      if (parsed_rule.request().paths_size() > 0) {
        rule.paths.emplace(parsed_rule.request().paths().begin(),
                           parsed_rule.request().paths().end());
      }
      into->push_back(std::move(rule));
    }
  }
  return policy;
}

bool AuthzPolicy::Matches(const Rule& rule, const AuthzRequest& request) {
  if (rule.paths.has_value() && !AnyMatches(*rule.paths, request.path)) return false;
  if (!rule.principals.has_value()) return true;
  if (!request.authenticated) return false;
  // As gRPC: URI SANs if the certificate has any, else DNS SANs, else the subject.
  const std::vector<std::string> subject{request.subject};
  const std::vector<std::string>& names = !request.uri_sans.empty()   ? request.uri_sans
                                          : !request.dns_sans.empty() ? request.dns_sans
                                                                      : subject;
  for (const std::string& pattern : *rule.principals) {
    if (pattern == "*") return true;
    for (const std::string& name : names) {
      if (PatternMatches(pattern, name)) return true;
    }
  }
  return false;
}

std::string AuthzPolicy::Decide(const AuthzRequest& request, bool& allowed) const {
  for (const Rule& rule : deny_) {
    if (Matches(rule, request)) {
      allowed = false;
      return rule.name;
    }
  }
  for (const Rule& rule : allow_) {
    if (Matches(rule, request)) {
      allowed = true;
      return rule.name;
    }
  }
  allowed = false;
  return "";
}

bool AuthzPolicy::Allows(const AuthzRequest& request) const {
  bool allowed = false;
  Decide(request, allowed);
  return allowed;
}

}  // namespace sockrpc
