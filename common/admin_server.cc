#include "common/admin_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/channelz_pages.h"
#include "common/listen_address.h"
#include "common/log.h"

namespace sockrpc {

AdminServer::AdminServer() : server_(std::make_unique<httplib::Server>()) {}

AdminServer::~AdminServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& listen,
                                                                const MetricsRegistry& registry,
                                                                ReadinessCheck readiness) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress(listen);
  if (!address.ok()) return address.status();
  std::unique_ptr<AdminServer> admin(new AdminServer());
  admin->server_->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  admin->server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  admin->server_->Get("/readyz", [readiness = std::move(readiness)](const httplib::Request&,
                                                                    httplib::Response& res) {
    const absl::Status ready = readiness ? readiness() : absl::OkStatus();
    res.status = ready.ok() ? 200 : 503;
    res.set_content(ready.ok() ? std::string("ready\n") : absl::StrCat(ready.message(), "\n"),
                    "text/plain");
  });
  admin->server_->Get("/channelz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kChannelzPagesHelp, "text/plain");
  });
  admin->server_->Get(R"(/channelz/(\w+))", [](const httplib::Request& req,
                                                httplib::Response& res) {
    int64_t id = 0;
    if (req.has_param("id") && !absl::SimpleAtoi(req.get_param_value("id"), &id)) {
      res.status = 400;
      res.set_content("id must be an integer\n", "text/plain");
      return;
    }
    const absl::StatusOr<std::string> page = ChannelzPage(req.matches[1].str(), id);
    if (!page.ok()) {
      res.status = 404;
      res.set_content(absl::StrCat(page.status().message(), "\n", kChannelzPagesHelp),
                      "text/plain");
      return;
    }
    res.set_content(*page, "application/json");
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
    const std::string& listen, const MetricsRegistry& registry, ReadinessCheck readiness) {
  if (listen.empty()) return nullptr;
  absl::StatusOr<std::unique_ptr<AdminServer>> admin =
      AdminServer::Start(listen, registry, std::move(readiness));
  if (admin.ok()) LogInfo(absl::StrCat("admin (metrics) listening on ", (*admin)->address()));
  return admin;
}

}  // namespace sockrpc
