// --authz_policy at work: checks every call against the policy file
// (rpc_server/authz_policy.h) before it reaches a service, as gRPC's
// authorization filter would, through the server credentials' auth metadata
// processor. The file is read again every refresh interval; a version that
// does not parse or check keeps the last good policy in force and is logged
// once per reason. Denied calls end with PERMISSION_DENIED, are counted, and
// are logged at most a few lines per second.
#ifndef SOCKRPC_RPC_SERVER_AUTHZ_ENFORCER_H_
#define SOCKRPC_RPC_SERVER_AUTHZ_ENFORCER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/security/auth_metadata_processor.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rpc_server/authz_policy.h"

namespace sockrpc {

class AuthzEnforcer final : public grpc::AuthMetadataProcessor {
 public:
  // Reads and parses `path`; FAILED_PRECONDITION naming the file and what is
  // wrong when it cannot be read or is not a valid policy (exit status 1).
  static absl::StatusOr<std::shared_ptr<AuthzEnforcer>> Start(std::string path,
                                                              absl::Duration refresh_interval);
  ~AuthzEnforcer() override;

  // Runs on gRPC's thread: the check is a lookup under a lock.
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

  uint64_t denied() const { return denied_.load(std::memory_order_relaxed); }
  uint64_t reload_failures() const { return reload_failures_.load(std::memory_order_relaxed); }

 private:
  AuthzEnforcer(std::string path, absl::Duration refresh_interval, AuthzPolicy policy,
                std::string contents);
  void RefreshEvery();
  void Refresh();
  void LogDenial(const std::string& path, const std::string& peer, const std::string& rule);

  const std::string path_;
  const absl::Duration refresh_interval_;
  absl::Mutex policy_mutex_;
  std::shared_ptr<const AuthzPolicy> policy_ ABSL_GUARDED_BY(policy_mutex_);
  std::string contents_;      // the file as last read; only the refresh thread
  std::string last_failure_;  // logged already; only the refresh thread
  std::atomic<uint64_t> denied_{0};
  std::atomic<uint64_t> reload_failures_{0};
  absl::Mutex log_mutex_;
  int64_t log_second_ ABSL_GUARDED_BY(log_mutex_) = 0;
  int64_t logged_in_second_ ABSL_GUARDED_BY(log_mutex_) = 0;
  int64_t not_logged_ ABSL_GUARDED_BY(log_mutex_) = 0;
  absl::Mutex stop_mutex_;
  bool stopping_ ABSL_GUARDED_BY(stop_mutex_) = false;
  std::thread thread_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_AUTHZ_ENFORCER_H_
