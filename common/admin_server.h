// The admin HTTP port (--admin_listen): GET /metrics in Prometheus text
// format, GET /healthz. Served by cpp-httplib on threads of its own.
#ifndef SOCKRPC_COMMON_ADMIN_SERVER_H_
#define SOCKRPC_COMMON_ADMIN_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace httplib {
class Server;
}

namespace sockrpc {

class AdminServer {
 public:
  // Binds `listen` ("host:port", port 0 picks one) and serves `registry`.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& listen,
                                                            const MetricsRegistry& registry);
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
    const std::string& listen, const MetricsRegistry& registry);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_ADMIN_SERVER_H_
