#include "rpc_server/health_service.h"

#include <algorithm>

#include "rpc_server/health_watch_call.h"

namespace sockrpc {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

HealthService::HealthService() {
  services_[""].status = HealthCheckResponse::SERVING;
  check_.request = [this](grpc::ServerContext* context, HealthCheckRequest* request,
                          grpc::ServerAsyncResponseWriter<HealthCheckResponse>* writer,
                          grpc::ServerCompletionQueue* queue, void* tag) {
    service_.RequestCheck(context, request, writer, queue, queue, tag);
  };
  check_.answer = [this](const HealthCheckRequest& request, HealthCheckResponse& response) {
    return Check(request, response);
  };
}

void HealthService::SetServingStatus(const std::string& service, bool serving) {
  std::lock_guard lock(mu_);
  SetLocked(services_[service], serving && !shut_down_ ? HealthCheckResponse::SERVING
                                                       : HealthCheckResponse::NOT_SERVING);
}

void HealthService::Shutdown() {
  std::lock_guard lock(mu_);
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& [name, data] : services_) SetLocked(data, HealthCheckResponse::NOT_SERVING);
}

void HealthService::EndWatches() {
  std::lock_guard lock(mu_);
  watches_ended_ = true;
  for (auto& [name, data] : services_) {
    for (HealthWatchCall* watcher : data.watchers) watcher->End();
  }
}

HealthService::ServingStatus HealthService::Status(const std::string& service) {
  std::lock_guard lock(mu_);
  const auto found = services_.find(service);
  return found == services_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : found->second.status;
}

void HealthService::SetLocked(ServiceData& data, ServingStatus status) {
  data.status = status;
  for (HealthWatchCall* watcher : data.watchers) watcher->Notify(status);
}

void HealthService::Register(grpc::ServerBuilder& builder) { builder.RegisterService(&service_); }

void HealthService::Prime(ServingThreads& threads) {
  UnaryCall<HealthCheckRequest, HealthCheckResponse>::Await(check_, threads);
  HealthWatchCall::Await(*this, service_, threads);
}

grpc::Status HealthService::Check(const HealthCheckRequest& request,
                                  HealthCheckResponse& response) {
  if (request.service().size() > kMaxHealthServiceNameLength) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "could not parse request");
  }
  std::lock_guard lock(mu_);
  const auto found = services_.find(request.service());
  if (found == services_.end() ||
      found->second.status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "service name unknown");
  }
  response.set_status(found->second.status);
  return grpc::Status::OK;
}

void HealthService::AddWatcher(const std::string& service, HealthWatchCall* watcher) {
  std::lock_guard lock(mu_);
  ServiceData& data = services_[service];
  watcher->Notify(data.status);
  if (watches_ended_) watcher->End();
  data.watchers.push_back(watcher);
}

void HealthService::RemoveWatcher(const std::string& service, HealthWatchCall* watcher) {
  std::lock_guard lock(mu_);
  const auto found = services_.find(service);
  if (found == services_.end()) return;
  std::vector<HealthWatchCall*>& watchers = found->second.watchers;
  watchers.erase(std::remove(watchers.begin(), watchers.end(), watcher), watchers.end());
  if (watchers.empty() && found->second.status == HealthCheckResponse::SERVICE_UNKNOWN) {
    services_.erase(found);
  }
}

}  // namespace sockrpc
