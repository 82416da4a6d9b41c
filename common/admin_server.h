// The admin HTTP port (--admin_listen): GET /metrics in Prometheus text
// format, /healthz (liveness: 200 while the process answers), /readyz
// (readiness: 200, or 503 with the reason) and /channelz/... (JSON,
// channelz_pages.h). Served by cpp-httplib on threads of its own.
#ifndef SOCKRPC_COMMON_ADMIN_SERVER_H_
#define SOCKRPC_COMMON_ADMIN_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace httplib {
class Server;
}

namespace sockrpc {

// Whether the process should get traffic: OK, or why not. Called on the
// admin server's threads.
using ReadinessCheck = std::function<absl::Status()>;

class AdminServer {
 public:
  // Binds `listen` ("host:port", port 0 picks one) and serves `registry`;
  // /readyz asks `readiness` (none: always ready).
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& listen,
                                                            const MetricsRegistry& registry,
                                                            ReadinessCheck readiness = nullptr);
  ~AdminServer();

  const std::string& address() const { return address_; }

 private:
  AdminServer();
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string address_;
};

// Starts an AdminServer on `listen` and logs its address; nullptr (no server)
// when `listen` is empty, as for an --admin_listen flag left unset.
absl::StatusOr<std::unique_ptr<AdminServer>> StartAdminServerIfRequested(
    const std::string& listen, const MetricsRegistry& registry,
    ReadinessCheck readiness = nullptr);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_ADMIN_SERVER_H_
