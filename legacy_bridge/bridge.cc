#include "legacy_bridge/bridge.h"

#include <chrono>
#include <latch>
#include <thread>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/build_info.h"
#include "common/busy_poll.h"
#include "common/grpc_client_metrics_interceptor.h"
#include "common/listen_address.h"
#include "common/log.h"
#include "common/usable_cpus.h"
#include "legacy_bridge/connections/address_key.h"
#include "legacy_bridge/connections/event_loop.h"
#include "legacy_bridge/connections/listener_drain.h"
#include "legacy_bridge/connections/socket_closer.h"
#include "legacy_bridge/connections/squares_connection.h"
#include "legacy_bridge/connections/time_connection.h"
#include "legacy_bridge/protocol/squares_session.h"

namespace sockrpc {
namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// On shutdown, how long the listeners keep accepting the handshakes that were
// under way when they stopped taking new ones: a few round trips on a LAN.
constexpr std::chrono::milliseconds kHandshakeSettleTime{50};

// Tells a client past --max_connections or --max_connections_per_address
// why it is turned away, then closes.
void Reject(asio::ip::tcp::socket socket, std::string detail, std::chrono::milliseconds linger) {
  auto owned = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
  auto line = std::make_shared<std::string>(ErrorLine(detail));
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

const char* ChannelStateName(grpc_connectivity_state state) {
  switch (state) {
    case GRPC_CHANNEL_IDLE:
      return "IDLE";
    case GRPC_CHANNEL_CONNECTING:
      return "CONNECTING";
    case GRPC_CHANNEL_READY:
      return "READY";
    case GRPC_CHANNEL_TRANSIENT_FAILURE:
      return "TRANSIENT_FAILURE";
    case GRPC_CHANNEL_SHUTDOWN:
      return "SHUTDOWN";
  }
  return "unknown";
}

std::string ServiceConfig(const std::string& policy) {
  return absl::StrReplaceAll(kServiceConfigTemplate, {{"$POLICY", policy}});
}

std::shared_ptr<grpc::Channel> CreateCoreChannel(const BridgeOptions& options,
                                                 GrpcCallMetrics& metrics) {
  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(ServiceConfig(options.load_balancing));
  if (!options.core_tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options.core_tls_server_name);
  }
  // Notice a silently dead link (no FIN, no RST) within about two seconds:
  // a PING every --core_ping_interval while calls are open (the health Watch
  // keeps one open on every connection), and the connection dropped when no
  // answer comes within --core_ping_timeout. Its calls then fail UNAVAILABLE
  // and move to a new connection. A PING is 17 bytes each way; the core
  // accepts them at this rate (rpc_server/server.cc).
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
                   static_cast<int>(options.core_ping_interval.count()));
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                   static_cast<int>(options.core_ping_timeout.count()));
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  // gRPC otherwise stops pinging after two PINGs without data sent. (It
  // sends at most one PING a second whatever is asked, hence the flag's floor.)
  arguments.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Reconnect quickly once the core is back.
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1'000);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  // A DNS target is resolved again whenever a connection closes: the cores
  // close theirs every --max_connection_age, so that replicas added to the
  // name get calls. This bounds how soon after the last resolution
  // (gRPC's default is 30 s).
  arguments.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS,
                   static_cast<int>(options.min_resolution_interval.count()));
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<GrpcClientMetricsInterceptorFactory>(metrics));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      options.target,
      options.core_credentials ? options.core_credentials : grpc::InsecureChannelCredentials(),
      arguments, std::move(interceptors));
}

FairSharePolicy::Options FairShareOptions(const BridgeOptions& options) {
  return {options.max_connections, options.max_connections_per_address,
          options.evict_above_percent, options.shrink_timeouts_above_percent,
          options.min_timeout_percent};
}

size_t ShedLogIndex(CloseReason reason) {
  switch (reason) {
    case CloseReason::kPerAddressCap:
      return 0;
    case CloseReason::kEvictedHandshake:
      return 1;
    case CloseReason::kEvictedIdle:
      return 2;
    default:
      return 3;
  }
}

}  // namespace

Bridge::Bridge(BridgeOptions options)
    : options_(std::move(options)), registry_(FairSharePolicy(FairShareOptions(options_))) {
  AddBuildInfoGauge(metrics_registry_);
}

absl::StatusOr<std::unique_ptr<Bridge>> Bridge::Start(BridgeOptions options) {
  std::unique_ptr<Bridge> bridge(new Bridge(std::move(options)));
  const size_t threads = ThreadsFor(bridge->options_.threads);
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
  std::shared_ptr<grpc::Channel> channel =
      CreateCoreChannel(bridge->options_, bridge->metrics_.core_calls);
  // Connect now, so the first clients do not wait for the connections and
  // the first shared streams find every replica ready.
  channel->GetState(/*try_to_connect=*/true);
  bridge->core_channel_ = channel;
  bridge->metrics_registry_.AddCallbackGauge(
      "sockrpc_bridge_core_channel_state",
      "State of the channel to the core: 0 idle, 1 connecting, 2 ready, 3 transient failure, "
      "4 shutdown.",
      {{"target", bridge->options_.target}},
      [channel] { return static_cast<double>(channel->GetState(false)); });
  bridge->metrics_registry_.AddCallbackGauge(
      "sockrpc_bridge_pressure_level",
      "How full the connection table is for the timeouts: 0 below --shrink_timeouts_above, "
      "10 at --max_connections (timeouts at --min_timeout_percent).",
      {}, [raw = bridge.get()] { return static_cast<double>(raw->registry_.pressure_level()); });
  bridge->options_.busy_poll = std::chrono::duration_cast<std::chrono::microseconds>(
      BusyPollWindow(bridge->options_.busy_poll, UsableCpuCount()));
  const BusyPoll::Clock::duration busy_poll = bridge->options_.busy_poll;
  bridge->core_ = std::make_unique<CoreClient>(
      channel, absl::FromChrono(bridge->options_.deadline),
      SquareStreamPool::Options{.streams = bridge->options_.core_streams,
                                .in_use = bridge->contexts_.size(),
                                .max_age = bridge->options_.core_stream_max_age},
      busy_poll,
      std::make_unique<OverloadGate>(
          OverloadEstimator::Options{.max_wait = std::chrono::duration_cast<
                                         OverloadEstimator::Clock::duration>(
                                         bridge->options_.deadline *
                                         bridge->options_.shed_wait_fraction)},
          bridge->metrics_.squares_shed, bridge->metrics_.core_expected_wait_us),
      &bridge->metrics_.time_asked_again);
  for (size_t loop = 0; loop < bridge->contexts_.size(); ++loop) {
    std::thread& thread = bridge->threads_.emplace_back(
        [context = bridge->contexts_[loop].get(), busy_poll] {
          RunEventLoop(*context, busy_poll);
        });
    NameThread(thread, "event_loop_", loop);
  }
  for (size_t loop = 0; loop < bridge->contexts_.size(); ++loop) {
    asio::post(*bridge->contexts_[loop], [raw = bridge.get(), loop] {
      raw->Accept(raw->time_, loop);
      raw->Accept(raw->square_, loop);
    });
  }
  return bridge;
}

Bridge::~Bridge() { Shutdown(absl::ZeroDuration()); }

absl::Status Bridge::Readiness() {
  if (draining_.load()) return absl::UnavailableError("draining");
  const grpc_connectivity_state state = core_channel_->GetState(/*try_to_connect=*/true);
  if (state == GRPC_CHANNEL_READY) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("no READY connection to a core at ", options_.target,
                                              " (channel ", ChannelStateName(state), ")"));
}

absl::Status Bridge::Listen(Listener& listener, const std::string& address) {
  absl::StatusOr<ListenAddress> parsed = ParseListenAddress(address);
  if (!parsed.ok()) return parsed.status();
  asio::error_code error;
  asio::ip::tcp::resolver resolver(*contexts_.front());
  const auto endpoints = resolver.resolve(parsed->host, std::to_string(parsed->port),
                                          asio::ip::tcp::resolver::passive, error);
  if (error || endpoints.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", address, ": ", error.message()));
  }
  asio::ip::tcp::endpoint endpoint = endpoints.begin()->endpoint();
  for (auto& loop_context : contexts_) {
    asio::ip::tcp::acceptor& acceptor = listener.acceptors.emplace_back(*loop_context);
    listener.peers.emplace_back();
    acceptor.open(endpoint.protocol(), error);
    if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor.set_option(ReusePort(true), error);
    if (!error) acceptor.bind(endpoint, error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", address, ": ", error.message()));
    }
    // Port 0 picked a port: the other loops' acceptors join that one.
    endpoint.port(acceptor.local_endpoint().port());
  }
  parsed->port = endpoint.port();
  listener.address = parsed->ToString();
  return absl::OkStatus();
}

void Bridge::Accept(Listener& listener, size_t loop) {
  asio::ip::tcp::acceptor& acceptor = listener.acceptors[loop];
  if (!acceptor.is_open()) return;
  acceptor.async_accept(listener.peers[loop], [this, &listener, loop](
                                                  const asio::error_code& error,
                                                  asio::ip::tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (!error) {
      Serve(listener.protocol, std::move(socket), listener.peers[loop]);
      return Accept(listener, loop);
    }
    // Out of file descriptors, typically: retry shortly instead of spinning.
    LogError(absl::StrCat("accept on ", listener.address, " failed: ", error.message()));
    auto pause =
        std::make_shared<asio::steady_timer>(*contexts_[loop], std::chrono::milliseconds(100));
    pause->async_wait(
        [this, &listener, loop, pause](const asio::error_code&) { Accept(listener, loop); });
  });
}

void Bridge::Serve(Protocol protocol, asio::ip::tcp::socket socket,
                   const asio::ip::tcp::endpoint& peer) {
  const std::string address_key = AddressKey(peer.address());
  ConnectionRegistry::Admission admission = registry_.TryReserve(address_key);
  if (admission.refused) {
    const CloseReason reason = *admission.refused;
    metrics_.ClosedByLimit(reason).Increment();
    LogShed(reason, address_key);
    return Reject(std::move(socket),
                  reason == CloseReason::kPerAddressCap
                      ? absl::StrCat("too many connections from your address (limit ",
                                     registry_.policy().max_per_address(), "); try again later")
                      : absl::StrCat("too many connections (limit ", options_.max_connections,
                                     "); try again later"),
                  options_.close_linger);
  }
  if (admission.victim != nullptr) {
    // Counted when it closes (SquaresConnection::Finish), like every limit.
    LogShed(admission.victim_reason, address_key);
    Connection* victim = admission.victim.get();
    victim->Evict(std::move(admission.victim), admission.victim_reason);
  }
  // The timeouts just shrank: the connections arm their timers again.
  for (std::shared_ptr<Connection>& connection : registry_.TakeRetimeSweep()) {
    Connection* raw = connection.get();
    raw->Retime(std::move(connection));
  }
  if (protocol == Protocol::kTime) {
    Open<TimeConnection>(std::move(socket), peer, address_key);
  } else {
    Open<SquaresConnection>(std::move(socket), peer, address_key);
  }
}

void Bridge::LogShed(CloseReason reason, const std::string& address_key) {
  const std::optional<uint64_t> unlogged =
      shed_logs_[ShedLogIndex(reason)].Allow(LogThrottle::Clock::now());
  if (!unlogged) return;
  const bool evicted =
      reason == CloseReason::kEvictedHandshake || reason == CloseReason::kEvictedIdle;
  LogWarning(
      absl::StrCat(evicted ? "evicted a connection for a client of " : "refused a client of ",
                   address_key, ": ", CloseReasonName(reason), ", ", registry_.size(), " of ",
                   options_.max_connections, " connections open",
                   *unlogged > 0 ? absl::StrCat(" (", *unlogged, " more not logged)") : ""),
      {LogField("event", evicted ? "evicted" : "refused"), LogField("address", address_key),
       LogField("reason", CloseReasonName(reason)), LogField("not_logged", *unlogged)});
}

template <typename ConnectionType>
void Bridge::Open(asio::ip::tcp::socket socket, const asio::ip::tcp::endpoint& peer,
                  const std::string& address_key) {
  auto connection = std::make_shared<ConnectionType>(std::move(socket), peer, *core_,
                                                     options_, registry_, metrics_);
  registry_.Add(connection.get(), connection, address_key);
  // Already on the event loop that accepted it, where it lives from now on.
  connection->Start();
}

void Bridge::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  metrics_.draining.Set(1);
  const auto close_acceptors = [this](size_t loop, bool serve_queued) {
    for (Listener* listener : {&time_, &square_}) {
      if (loop >= listener->acceptors.size()) continue;
      asio::ip::tcp::acceptor& acceptor = listener->acceptors[loop];
      if (serve_queued) {
        for (QueuedConnection& queued : TakeQueuedConnections(acceptor)) {
          Serve(listener->protocol, std::move(queued.socket), queued.peer);
        }
      }
      asio::error_code ignored;
      acceptor.close(ignored);
    }
  };
  if (threads_.empty()) {
    for (size_t loop = 0; loop < contexts_.size(); ++loop) close_acceptors(loop, false);
  } else {
    for (Listener* listener : {&time_, &square_}) {
      for (asio::ip::tcp::acceptor& acceptor : listener->acceptors) {
        if (const asio::error_code error = StopNewHandshakes(acceptor)) {
          LogWarning(absl::StrCat("cannot stop new connections on ", listener->address, ": ",
                                  error.message()));
        }
      }
    }
    // Handshakes already under way complete and are accepted as usual.
    std::this_thread::sleep_for(kHandshakeSettleTime);
    // Each acceptor is closed on its own loop, where its accept is pending and
    // where the connections still queued on it are served.
    std::latch all_closed(static_cast<std::ptrdiff_t>(contexts_.size()));
    for (size_t loop = 0; loop < contexts_.size(); ++loop) {
      asio::post(*contexts_[loop], [&close_acceptors, &all_closed, loop] {
        close_acceptors(loop, true);
        all_closed.count_down();
      });
    }
    all_closed.wait();
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
