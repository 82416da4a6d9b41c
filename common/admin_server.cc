#include "common/admin_server.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "common/listen_address.h"
#include "common/log.h"

namespace sockrpc {

AdminServer::AdminServer() : server_(std::make_unique<httplib::Server>()) {}

AdminServer::~AdminServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& listen,
                                                                const MetricsRegistry& registry) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress(listen);
  if (!address.ok()) return address.status();
  std::unique_ptr<AdminServer> admin(new AdminServer());
  admin->server_->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  admin->server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  int port = address->port;
  if (port == 0) {
    port = admin->server_->bind_to_any_port(address->host);
  } else if (!admin->server_->bind_to_port(address->host, port)) {
    port = -1;
  }
  if (port < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", listen, " (admin): the port is in use or the host is "
                     "not an address of this machine"));
  }
  address->port = static_cast<uint16_t>(port);
  admin->address_ = address->ToString();
  admin->thread_ = std::thread([server = admin->server_.get()] { server->listen_after_bind(); });
  return admin;
}

absl::StatusOr<std::unique_ptr<AdminServer>> StartAdminServerIfRequested(
    const std::string& listen, const MetricsRegistry& registry) {
  if (listen.empty()) return nullptr;
  absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(listen, registry);
  if (admin.ok()) LogInfo(absl::StrCat("admin (metrics) listening on ", (*admin)->address()));
  return admin;
}

}  // namespace sockrpc
