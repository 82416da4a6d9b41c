#include "legacy_bridge/bridge.h"

#include <future>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/listen_address.h"
#include "common/log.h"
#include "legacy_bridge/socket_closer.h"
#include "legacy_bridge/squares_connection.h"
#include "legacy_bridge/squares_session.h"
#include "legacy_bridge/time_connection.h"

namespace sockrpc {
namespace {

std::string PeerName(const asio::ip::tcp::socket& socket) {
  asio::error_code error;
  const asio::ip::tcp::endpoint peer = socket.remote_endpoint(error);
  if (error) return "unknown";
  const std::string host = peer.address().to_string();
  return peer.address().is_v6() ? absl::StrCat("[", host, "]:", peer.port())
                                 : absl::StrCat(host, ":", peer.port());
}

// Tells a client past --max_connections why it is turned away, then closes.
void Reject(asio::ip::tcp::socket socket, size_t limit, std::chrono::milliseconds linger) {
  auto owned = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
  auto line = std::make_shared<std::string>(
      ErrorLine(absl::StrCat("too many connections (limit ", limit, "); try again later")));
  asio::async_write(*owned, asio::buffer(*line),
                    [owned, line, linger](const asio::error_code&, size_t) {
                      CloseAfterDraining(std::move(*owned), linger);
                    });
}

// Spreads calls over every address the target resolves to (round_robin),
// skips replicas whose grpc.health.v1 status is not SERVING (a draining core
// turns NOT_SERVING), and retries the unary calls on UNAVAILABLE: Now is
// idempotent and Square pure.
constexpr const char* kServiceConfigTemplate = R"json({
  "loadBalancingConfig": [{"$POLICY": {}}],
  "healthCheckConfig": {"serviceName": ""},
  "methodConfig": [{
    "name": [{"service": "sockrpc.time.v1.TimeService"},
             {"service": "sockrpc.square.v1.SquareService", "method": "Square"}],
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.02s",
      "maxBackoff": "0.5s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})json";

std::string ServiceConfig(const std::string& policy) {
  return absl::StrReplaceAll(kServiceConfigTemplate, {{"$POLICY", policy}});
}

std::shared_ptr<grpc::Channel> CreateCoreChannel(const BridgeOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(ServiceConfig(options.load_balancing));
  if (!options.core_tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options.core_tls_server_name);
  }
  // Notice a dead core within seconds even on an idle connection.
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20'000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  // Reconnect quickly once the core is back.
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1'000);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(
      options.target,
      options.core_credentials ? options.core_credentials : grpc::InsecureChannelCredentials(),
      arguments);
}

}  // namespace

Bridge::Bridge(BridgeOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Bridge>> Bridge::Start(BridgeOptions options) {
  std::unique_ptr<Bridge> bridge(new Bridge(std::move(options)));
  const size_t threads = bridge->options_.threads > 0
                             ? bridge->options_.threads
                             : std::max<size_t>(1, std::thread::hardware_concurrency());
  for (size_t i = 0; i < threads; ++i) {
    bridge->contexts_.push_back(std::make_unique<asio::io_context>(1));
    bridge->work_.push_back(asio::make_work_guard(*bridge->contexts_.back()));
  }
  if (absl::Status status = bridge->Listen(bridge->time_, bridge->options_.time_listen);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = bridge->Listen(bridge->square_, bridge->options_.square_listen);
      !status.ok()) {
    return status;
  }
  std::shared_ptr<grpc::Channel> channel = CreateCoreChannel(bridge->options_);
  // Connect now, so the first clients do not wait for the connections and
  // the first shared streams find every replica ready.
  channel->GetState(/*try_to_connect=*/true);
  bridge->metrics_registry_.AddCallbackGauge(
      "sockrpc_bridge_core_channel_state",
      "State of the channel to the core: 0 idle, 1 connecting, 2 ready, 3 transient failure, "
      "4 shutdown.",
      {{"target", bridge->options_.target}},
      [channel] { return static_cast<double>(channel->GetState(false)); });
  bridge->core_ = std::make_unique<CoreClient>(
      channel, absl::FromChrono(bridge->options_.deadline),
      SquareStreamPool::Options{bridge->options_.core_streams,
                                bridge->options_.core_stream_max_age});
  for (auto& context : bridge->contexts_) {
    bridge->threads_.emplace_back([context = context.get()] { context->run(); });
  }
  asio::post(*bridge->contexts_.front(), [raw = bridge.get()] {
    raw->Accept(raw->time_);
    raw->Accept(raw->square_);
  });
  return bridge;
}

Bridge::~Bridge() { Shutdown(absl::ZeroDuration()); }

absl::Status Bridge::Listen(Listener& listener, const std::string& address) {
  absl::StatusOr<ListenAddress> parsed = ParseListenAddress(address);
  if (!parsed.ok()) return parsed.status();
  asio::io_context& context = *contexts_.front();
  asio::error_code error;
  asio::ip::tcp::resolver resolver(context);
  const auto endpoints = resolver.resolve(parsed->host, std::to_string(parsed->port),
                                          asio::ip::tcp::resolver::passive, error);
  if (error || endpoints.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", address, ": ", error.message()));
  }
  const asio::ip::tcp::endpoint endpoint = endpoints.begin()->endpoint();
  asio::ip::tcp::acceptor& acceptor = listener.acceptor.emplace(context);
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", address, ": ", error.message()));
  }
  parsed->port = acceptor.local_endpoint().port();
  listener.address = parsed->ToString();
  return absl::OkStatus();
}

void Bridge::Accept(Listener& listener) {
  if (!listener.acceptor->is_open()) return;
  listener.acceptor->async_accept(
      NextContext(), [this, &listener](const asio::error_code& error, asio::ip::tcp::socket socket) {
        if (error == asio::error::operation_aborted) return;
        if (!error) {
          Serve(listener.protocol, std::move(socket));
          return Accept(listener);
        }
        // Out of file descriptors, typically: retry shortly instead of spinning.
        LogError(absl::StrCat("accept on ", listener.address, " failed: ", error.message()));
        auto pause = std::make_shared<asio::steady_timer>(*contexts_.front(),
                                                          std::chrono::milliseconds(100));
        pause->async_wait([this, &listener, pause](const asio::error_code&) { Accept(listener); });
      });
}

void Bridge::Serve(Protocol protocol, asio::ip::tcp::socket socket) {
  // Accepts all run on the first event loop, so this check cannot race
  // another accept; connections closing meanwhile only make room.
  if (registry_.size() >= options_.max_connections) {
    metrics_.rejected_too_many.Increment();
    return Reject(std::move(socket), options_.max_connections, options_.close_linger);
  }
  if (protocol == Protocol::kTime) {
    Open<TimeConnection>(std::move(socket));
  } else {
    Open<SquaresConnection>(std::move(socket));
  }
}

template <typename ConnectionType>
void Bridge::Open(asio::ip::tcp::socket socket) {
  const asio::any_io_executor executor = socket.get_executor();
  std::string peer = PeerName(socket);
  auto connection = std::make_shared<ConnectionType>(std::move(socket), std::move(peer), *core_,
                                                     options_, registry_, metrics_);
  registry_.TryAdd(connection.get(), connection, options_.max_connections);
  // Each connection lives on the event loop its socket was accepted into.
  asio::post(executor, [connection] { connection->Start(); });
}

asio::io_context& Bridge::NextContext() {
  return *contexts_[next_context_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void Bridge::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  if (!contexts_.empty()) {
    std::promise<void> closed;
    asio::post(*contexts_.front(), [this, &closed] {
      asio::error_code ignored;
      if (time_.acceptor) time_.acceptor->close(ignored);
      if (square_.acceptor) square_.acceptor->close(ignored);
      closed.set_value();
    });
    if (!threads_.empty()) closed.get_future().wait();
  }
  const size_t left = registry_.DrainAll(grace);
  if (left > 0) LogWarning(absl::StrCat(left, " connection(s) still open after the grace period"));
  if (core_ != nullptr) core_->CloseSquareStreams();
  for (auto& guard : work_) guard.reset();
  for (auto& context : contexts_) context->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace sockrpc
