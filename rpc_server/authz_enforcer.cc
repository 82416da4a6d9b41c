#include "rpc_server/authz_enforcer.h"

#include <fstream>
#include <sstream>

#include <grpc/grpc_security_constants.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"

namespace sockrpc {
namespace {

constexpr int64_t kDenialLinesPerSecond = 5;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  if (!file || !(contents << file.rdbuf())) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read --authz_policy file \"", path, "\""));
  }
  return contents.str();
}

std::vector<std::string> Values(const grpc::AuthContext& context, const char* property) {
  std::vector<std::string> out;
  for (const grpc::string_ref& value : context.FindPropertyValues(property)) {
    out.emplace_back(value.data(), value.size());
  }
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<AuthzEnforcer>> AuthzEnforcer::Start(
    std::string path, absl::Duration refresh_interval) {
  absl::StatusOr<std::string> contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<AuthzPolicy> policy = AuthzPolicy::Parse(*contents);
  if (!policy.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--authz_policy file \"", path, "\": ", policy.status().message()));
  }
  std::shared_ptr<AuthzEnforcer> enforcer(new AuthzEnforcer(
      std::move(path), refresh_interval, *std::move(policy), *std::move(contents)));
  enforcer->thread_ = std::thread([raw = enforcer.get()] { raw->RefreshEvery(); });
  return enforcer;
}

AuthzEnforcer::AuthzEnforcer(std::string path, absl::Duration refresh_interval,
                             AuthzPolicy policy, std::string contents)
    : path_(std::move(path)),
      refresh_interval_(refresh_interval),
      policy_(std::make_shared<const AuthzPolicy>(std::move(policy))),
      contents_(std::move(contents)) {}

AuthzEnforcer::~AuthzEnforcer() {
  {
    absl::MutexLock lock(&stop_mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

grpc::Status AuthzEnforcer::Process(const InputMetadata& auth_metadata,
                                    grpc::AuthContext* context, OutputMetadata*,
                                    OutputMetadata*) {
  AuthzRequest request;
  if (const auto path = auth_metadata.find(":path"); path != auth_metadata.end()) {
    request.path.assign(path->second.data(), path->second.size());
  }
  if (context != nullptr) {
    request.authenticated = context->IsPeerAuthenticated();
    request.uri_sans = Values(*context, GRPC_PEER_URI_PROPERTY_NAME);
    request.dns_sans = Values(*context, GRPC_PEER_DNS_PROPERTY_NAME);
    const std::vector<std::string> subject = Values(*context, GRPC_X509_SUBJECT_PROPERTY_NAME);
    if (!subject.empty()) request.subject = subject.front();
  }
  std::shared_ptr<const AuthzPolicy> policy;
  {
    absl::MutexLock lock(&policy_mutex_);
    policy = policy_;
  }
  bool allowed = false;
  const std::string rule = policy->Decide(request, allowed);
  if (allowed) return grpc::Status::OK;
  denied_.fetch_add(1, std::memory_order_relaxed);
  const std::string peer =
      !request.authenticated ? "an unauthenticated client"
      : !request.uri_sans.empty() ? absl::StrJoin(request.uri_sans, ",")
      : !request.dns_sans.empty() ? absl::StrJoin(request.dns_sans, ",")
                                  : request.subject;
  LogDenial(request.path, peer, rule);
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                      absl::StrCat(request.path, " is not allowed for ", peer,
                                   " by authorization policy \"", policy->name(), "\""));
}

void AuthzEnforcer::LogDenial(const std::string& path, const std::string& peer,
                              const std::string& rule) {
  int64_t earlier = 0;
  {
    absl::MutexLock lock(&log_mutex_);
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    if (now != log_second_) {
      log_second_ = now;
      logged_in_second_ = 0;
    }
    if (++logged_in_second_ > kDenialLinesPerSecond) {
      ++not_logged_;
      return;
    }
    earlier = not_logged_;
    not_logged_ = 0;
  }
  LogWarning(absl::StrCat("call denied by --authz_policy: ", path, " from ", peer,
                          rule.empty() ? " (no allow rule matches)" : absl::StrCat(" (rule ", rule, ")"),
                          earlier > 0 ? absl::StrCat(" (", earlier, " more not logged)") : ""),
             {LogField("method", path), LogField("peer", peer), LogField("rule", rule)});
}

void AuthzEnforcer::Refresh() {
  absl::StatusOr<std::string> contents = ReadFile(path_);
  absl::Status failure;
  if (!contents.ok()) {
    failure = contents.status();
  } else if (*contents == contents_) {
    last_failure_.clear();
    return;
  } else {
    absl::StatusOr<AuthzPolicy> policy = AuthzPolicy::Parse(*contents);
    if (policy.ok()) {
      {
        absl::MutexLock lock(&policy_mutex_);
        policy_ = std::make_shared<const AuthzPolicy>(*std::move(policy));
      }
      contents_ = *std::move(contents);
      last_failure_.clear();
      LogInfo(absl::StrCat("--authz_policy file \"", path_, "\" changed: new calls follow it"));
      return;
    }
    failure = policy.status();
  }
  reload_failures_.fetch_add(1, std::memory_order_relaxed);
  if (failure.message() == last_failure_) return;  // once per reason
  last_failure_ = std::string(failure.message());
  LogWarning(absl::StrCat("--authz_policy file \"", path_,
                          "\" not reloaded, the previous policy stays in force: ",
                          failure.message()),
             {LogField("reason", failure.message())});
}

void AuthzEnforcer::RefreshEvery() {
  absl::MutexLock lock(&stop_mutex_);
  while (!stop_mutex_.AwaitWithTimeout(absl::Condition(&stopping_), refresh_interval_)) {
    stop_mutex_.Unlock();
    Refresh();
    stop_mutex_.Lock();
  }
}

}  // namespace sockrpc
