#include "rpc_server/authz_policy.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::Status OnlyFields(const Struct& object, absl::string_view where,
                        std::initializer_list<absl::string_view> known) {
  for (const auto& [field, value] : object.fields()) {
    bool found = false;
    for (absl::string_view name : known) found = found || field == name;
    if (!found) {
      return Invalid(where, field == "headers"
                                ? "\"headers\" rules are not supported"
                                : absl::StrCat("unknown field \"", field, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Strings(const Value& value, const std::string& where) {
  if (!value.has_list_value()) return Invalid(where, "expected a list of strings");
  std::vector<std::string> out;
  for (const Value& item : value.list_value().values()) {
    if (!item.has_string_value()) return Invalid(where, "expected a list of strings");
    out.push_back(item.string_value());
  }
  return out;
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
  Struct root;
  if (const auto parsed = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &root);
      !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", parsed.message().ToString()));
  }
  if (absl::Status fields = OnlyFields(root, "policy", {"name", "deny_rules", "allow_rules"});
      !fields.ok()) {
    return fields;
  }
  AuthzPolicy policy;
  const auto& top = root.fields();
  if (!top.contains("name") || !top.at("name").has_string_value() ||
      top.at("name").string_value().empty()) {
    return Invalid("policy", "\"name\" must be a non-empty string");
  }
  policy.name_ = top.at("name").string_value();
  if (!top.contains("allow_rules")) return Invalid("policy", "\"allow_rules\" is required");
  for (const char* list : {"deny_rules", "allow_rules"}) {
    if (!top.contains(list)) continue;
    const Value& rules = top.at(list);
    if (!rules.has_list_value()) return Invalid(list, "expected a list of rules");
    std::vector<Rule>& into = std::string(list) == "deny_rules" ? policy.deny_ : policy.allow_;
    for (int i = 0; i < rules.list_value().values_size(); ++i) {
      const std::string where = absl::StrCat(list, "[", i, "]");
      const Value& item = rules.list_value().values(i);
      if (!item.has_struct_value()) return Invalid(where, "expected an object");
      const auto& fields = item.struct_value().fields();
      if (absl::Status known = OnlyFields(item.struct_value(), where, {"name", "source", "request"});
          !known.ok()) {
        return known;
      }
      Rule rule;
      if (!fields.contains("name") || !fields.at("name").has_string_value() ||
          fields.at("name").string_value().empty()) {
        return Invalid(where, "\"name\" must be a non-empty string");
      }
      rule.name = fields.at("name").string_value();
      for (const auto& [part, list_name] :
           {std::pair<const char*, const char*>{"source", "principals"}, {"request", "paths"}}) {
        if (!fields.contains(part)) continue;
        const std::string part_where = absl::StrCat(where, ".", part);
        if (!fields.at(part).has_struct_value()) return Invalid(part_where, "expected an object");
        const Struct& object = fields.at(part).struct_value();
        if (absl::Status known = OnlyFields(object, part_where, {list_name}); !known.ok()) {
          return known;
        }
        if (!object.fields().contains(list_name)) continue;
        absl::StatusOr<std::vector<std::string>> patterns =
            Strings(object.fields().at(list_name), absl::StrCat(part_where, ".", list_name));
        if (!patterns.ok()) return patterns.status();
        (std::string(part) == "source" ? rule.principals : rule.paths) = *std::move(patterns);
      }
      into.push_back(std::move(rule));
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
