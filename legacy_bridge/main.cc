// legacy_bridge: the original TIME and SQUARES byte protocols on their
// original ports, every request forwarded to the RPC core over gRPC.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/build_info.h"
#include "common/busy_poll.h"
#include "common/flag_range.h"
#include "common/flags_usage.h"
#include "common/log.h"
#include "common/refresh_interval_flag.h"
#include "common/server_process.h"
#include "common/service_notifier.h"
#include "common/time_zones.h"
#include "common/tls_credentials.h"
#include "legacy_bridge/bridge.h"

// The flags' defaults are the options' defaults (bridge_options.h).
static const sockrpc::BridgeOptions kDefaults;

ABSL_FLAG(std::string, time_listen, kDefaults.time_listen,
          "Address of the TIME protocol, host:port.");
ABSL_FLAG(std::string, square_listen, kDefaults.square_listen,
          "Address of the SQUARES protocol, host:port.");
ABSL_FLAG(std::string, target, kDefaults.target,
          "The RPC core: any gRPC target URI (host:port, dns:///host:port, "
          "ipv4:127.0.0.1:50051,127.0.0.1:50052, unix:/path).");
ABSL_FLAG(std::string, load_balancing, kDefaults.load_balancing,
          "How calls spread over the addresses --target resolves to: round_robin (each "
          "replica in turn, skipping those whose health is not SERVING) or pick_first.");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA bundle: talk to the core over TLS and verify its certificate with it.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM client certificate for the core (mutual TLS), with --tls_key.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_server_name, "",
          "Name to expect in the core's certificate, if not the host of --target.");
ABSL_FLAG(absl::Duration, tls_refresh_interval, sockrpc::kDefaultTlsRefreshInterval,
          "How often the --tls_* files are read again (whole seconds, 1s..24h): replaced "
          "files serve new connections to the core without a restart; a broken one keeps the "
          "last good.");
ABSL_FLAG(std::string, time_zone, "",
          "IANA time zone the TIME line is formatted in; empty: the bridge's local zone "
          "(TZ, else /etc/localtime), as the original server did.");
ABSL_FLAG(absl::Duration, deadline, absl::FromChrono(kDefaults.deadline),
          "How long the core may take to answer a call (TIME) or a message (SQUARES) before "
          "the client gets an ERROR line.");
ABSL_FLAG(double, shed_wait_fraction, kDefaults.shed_wait_fraction,
          "Shed SQUARES load: a message is answered \"ERROR service overloaded; try again\" at "
          "once when the core's expected wait (requests in flight / answers per second) exceeds "
          "this fraction of --deadline (0..1; 0: never shed).");
ABSL_FLAG(int64_t, max_message_bytes, static_cast<int64_t>(kDefaults.max_message_bytes),
          "Longest SQUARES message, newline excluded (1024..1048576). Longer: an ERROR line and "
          "the connection closes.");
ABSL_FLAG(absl::Duration, line_pause, absl::FromChrono(kDefaults.line_pause),
          "Once a SQUARES client has ended a message with a newline, how long an unterminated "
          "message waits for more bytes (plus one round trip of the connection) before it is "
          "answered. A client that never sends newlines, like the original, is answered as soon "
          "as the answer is ready.");
ABSL_FLAG(int64_t, max_pending_replies, static_cast<int64_t>(kDefaults.max_pending_replies),
          "SQUARES messages one connection may have awaiting answers before the bridge stops "
          "reading from it (1..65536).");
ABSL_FLAG(absl::Duration, handshake_timeout, absl::FromChrono(kDefaults.handshake_timeout),
          "How long a SQUARES client may take to send its first message.");
ABSL_FLAG(absl::Duration, idle_timeout, absl::FromChrono(kDefaults.idle_timeout),
          "How long a SQUARES connection may stay silent before it is closed with an ERROR line.");
ABSL_FLAG(int64_t, max_connections, static_cast<int64_t>(kDefaults.max_connections),
          "Connections open at once, both protocols together; past it a client gets an ERROR "
          "line and is closed.");
ABSL_FLAG(int64_t, max_connections_per_address,
          static_cast<int64_t>(kDefaults.max_connections_per_address),
          "Connections one client IPv4 address, or IPv6 /64, may hold open at once "
          "(1..1000000; at most --max_connections); past it the client gets an ERROR line. "
          "The default leaves room for many clients behind one NAT address.");
ABSL_FLAG(int64_t, evict_above, kDefaults.evict_above_percent,
          "Percent of --max_connections (1..100) from which each new connection evicts one "
          "session (in handshake first, then the longest idle) of the address holding the "
          "most, if it holds at least two more than the newcomer's; 100: only when full.");
ABSL_FLAG(int64_t, shrink_timeouts_above, kDefaults.shrink_timeouts_above_percent,
          "Percent of --max_connections (1..100) from which --handshake_timeout and "
          "--idle_timeout shrink, in ten steps, down to --min_timeout_percent of their value "
          "at a full table; 100: never.");
ABSL_FLAG(int64_t, min_timeout_percent, kDefaults.min_timeout_percent,
          "What is left of --handshake_timeout and --idle_timeout at a full table, in percent "
          "(1..100).");
ABSL_FLAG(int64_t, threads, static_cast<int64_t>(kDefaults.threads),
          "Event-loop threads (0..1024); 0: one per CPU the process may run on (its affinity "
          "mask, as taskset sets it).");
ABSL_FLAG(absl::Duration, busy_poll, absl::FromChrono(kDefaults.busy_poll),
          "The longest the event loops and the thread taking the core's answers keep polling "
          "after an event before they sleep (0 to 1ms): the next message usually comes sooner "
          "than a sleeping thread wakes. Each thread's window adapts to the gaps between its "
          "events, from none up to this. 0 turns polling off; it is off anyway on a single "
          "CPU.");
ABSL_FLAG(int64_t, core_streams, static_cast<int64_t>(kDefaults.core_streams),
          "SquareBatchStream calls to the core that all SQUARES sessions share (1..1024); with "
          "several replicas, at least their number, so each gets a share.");
ABSL_FLAG(absl::Duration, core_stream_max_age, absl::FromChrono(kDefaults.core_stream_max_age),
          "How long a shared SquareBatchStream takes new sessions before a fresh call replaces it, "
          "so load spreads again over replicas that joined or came back.");
ABSL_FLAG(bool, verbose, kDefaults.verbose,
          "Log a line per connection (peer, protocol, messages, outcome, duration). Errors are "
          "always logged.");
ABSL_FLAG(std::string, admin_listen, "",
          "Address of the admin HTTP port (GET /metrics in Prometheus text format, /healthz, "
          "/readyz, /channelz/...), "
          "host:port; empty: off.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGINT/SIGTERM, how long connections may take to answer what they received.");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "On SIGINT/SIGTERM, how long to keep serving while /readyz says 503, before the "
          "listeners close (0..10m): time for load balancers to stop sending.");
ABSL_FLAG(absl::Duration, min_resolution_interval,
          absl::FromChrono(kDefaults.min_resolution_interval),
          "With a dns: --target, the least time between two resolutions of the name "
          "(100ms..10m). The name is resolved again when a connection to a core closes, as "
          "the cores do every --max_connection_age.");
ABSL_FLAG(absl::Duration, core_ping_interval, absl::FromChrono(kDefaults.core_ping_interval),
          "While calls to the core are open, send an HTTP/2 PING this often (1s to 5m).");
ABSL_FLAG(absl::Duration, core_ping_timeout, absl::FromChrono(kDefaults.core_ping_timeout),
          "Drop a connection to the core whose PING is not answered within this (100ms to 1m); "
          "its calls move to a new connection.");

namespace {

std::chrono::milliseconds ToMilliseconds(absl::Duration duration) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
}

sockrpc::BridgeOptions OptionsFromFlags() {
  using sockrpc::DurationFlagInRangeOrExit;
  using sockrpc::IntFlagInRangeOrExit;
  using sockrpc::PositiveDurationFlagOrExit;
  sockrpc::BridgeOptions options;
  options.time_listen = absl::GetFlag(FLAGS_time_listen);
  options.square_listen = absl::GetFlag(FLAGS_square_listen);
  sockrpc::ListenAddressFlagOrExit("time_listen", options.time_listen);
  sockrpc::ListenAddressFlagOrExit("square_listen", options.square_listen);
  sockrpc::ListenAddressFlagOrExit("admin_listen", absl::GetFlag(FLAGS_admin_listen), true);
  options.target = absl::GetFlag(FLAGS_target);
  options.load_balancing = absl::GetFlag(FLAGS_load_balancing);
  if (options.load_balancing != "round_robin" && options.load_balancing != "pick_first") {
    sockrpc::ExitWithUsageError("--load_balancing must be round_robin or pick_first");
  }
  if (options.target.empty()) sockrpc::ExitWithUsageError("--target must not be empty");
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      sockrpc::MakeChannelCredentials(
          {absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
           sockrpc::RefreshIntervalFlagOrExit("tls_refresh_interval",
                                              absl::GetFlag(FLAGS_tls_refresh_interval))});
  if (!credentials.ok()) sockrpc::ExitWithStatus(credentials.status());
  options.core_credentials = *std::move(credentials);
  options.core_tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  options.time_zone = absl::GetFlag(FLAGS_time_zone);
  if (options.time_zone.empty()) options.time_zone = sockrpc::LocalTimeZoneName();
  if (absl::StatusOr<sockrpc::NamedTimeZone> zone = sockrpc::LoadNamedTimeZone(options.time_zone);
      !zone.ok()) {
    sockrpc::ExitWithUsageError(absl::StrCat("--time_zone: ", zone.status().message()));
  }
  options.deadline =
      ToMilliseconds(PositiveDurationFlagOrExit("deadline", absl::GetFlag(FLAGS_deadline)));
  options.shed_wait_fraction = absl::GetFlag(FLAGS_shed_wait_fraction);
  if (!(options.shed_wait_fraction >= 0 && options.shed_wait_fraction <= 1)) {
    sockrpc::ExitWithUsageError(absl::StrCat("--shed_wait_fraction must be from 0 to 1, got ",
                                             options.shed_wait_fraction));
  }
  options.max_message_bytes = static_cast<size_t>(
      IntFlagInRangeOrExit("max_message_bytes", absl::GetFlag(FLAGS_max_message_bytes), 1024,
                           1 << 20));
  options.line_pause = ToMilliseconds(
      sockrpc::NonNegativeDurationFlagOrExit("line_pause", absl::GetFlag(FLAGS_line_pause)));
  options.max_pending_replies = static_cast<size_t>(IntFlagInRangeOrExit(
      "max_pending_replies", absl::GetFlag(FLAGS_max_pending_replies), 1, 65536));
  options.handshake_timeout = ToMilliseconds(
      PositiveDurationFlagOrExit("handshake_timeout", absl::GetFlag(FLAGS_handshake_timeout)));
  options.idle_timeout = ToMilliseconds(
      PositiveDurationFlagOrExit("idle_timeout", absl::GetFlag(FLAGS_idle_timeout)));
  options.max_connections = static_cast<size_t>(IntFlagInRangeOrExit(
      "max_connections", absl::GetFlag(FLAGS_max_connections), 1, 1'000'000));
  options.max_connections_per_address = static_cast<size_t>(IntFlagInRangeOrExit(
      "max_connections_per_address", absl::GetFlag(FLAGS_max_connections_per_address), 1,
      1'000'000));
  options.evict_above_percent = static_cast<int>(
      IntFlagInRangeOrExit("evict_above", absl::GetFlag(FLAGS_evict_above), 1, 100));
  options.shrink_timeouts_above_percent = static_cast<int>(IntFlagInRangeOrExit(
      "shrink_timeouts_above", absl::GetFlag(FLAGS_shrink_timeouts_above), 1, 100));
  options.min_timeout_percent = static_cast<int>(IntFlagInRangeOrExit(
      "min_timeout_percent", absl::GetFlag(FLAGS_min_timeout_percent), 1, 100));
  options.threads = static_cast<size_t>(
      IntFlagInRangeOrExit("threads", absl::GetFlag(FLAGS_threads), 0, 1024));
  options.busy_poll = sockrpc::BusyPollFlagOrExit(absl::GetFlag(FLAGS_busy_poll));
  options.core_streams = static_cast<size_t>(
      IntFlagInRangeOrExit("core_streams", absl::GetFlag(FLAGS_core_streams), 1, 1024));
  options.core_stream_max_age = ToMilliseconds(
      PositiveDurationFlagOrExit("core_stream_max_age", absl::GetFlag(FLAGS_core_stream_max_age)));
  options.verbose = absl::GetFlag(FLAGS_verbose);
  options.min_resolution_interval = ToMilliseconds(DurationFlagInRangeOrExit(
      "min_resolution_interval", absl::GetFlag(FLAGS_min_resolution_interval),
      absl::Milliseconds(100), absl::Minutes(10)));
  options.core_ping_interval = ToMilliseconds(
      DurationFlagInRangeOrExit("core_ping_interval", absl::GetFlag(FLAGS_core_ping_interval),
                                absl::Seconds(1), absl::Minutes(5)));
  options.core_ping_timeout = ToMilliseconds(
      DurationFlagInRangeOrExit("core_ping_timeout", absl::GetFlag(FLAGS_core_ping_timeout),
                                absl::Milliseconds(100), absl::Minutes(1)));
  PositiveDurationFlagOrExit("shutdown_grace", absl::GetFlag(FLAGS_shutdown_grace));
  DurationFlagInRangeOrExit("drain_delay", absl::GetFlag(FLAGS_drain_delay),
                            absl::ZeroDuration(), absl::Minutes(10));
  return options;
}

// Each connection is a file descriptor: raise the soft limit as far as allowed.
void RaiseFileLimit(size_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  // Listeners, the gRPC channel and some slack besides the connections.
  if (limit.rlim_cur < max_connections + 64) {
    sockrpc::LogWarning(absl::StrCat("the file descriptor limit (", limit.rlim_cur,
                                     ") is below --max_connections (", max_connections,
                                     "); accepts will fail before that limit"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  sockrpc::StartServerProcess(
      argc, argv, "legacy_bridge",
      "Serves the legacy TIME (port 9999) and SQUARES (port 50007) byte protocols and forwards "
      "every request to the RPC core over gRPC.\n\nUsage: legacy_bridge [--time_listen=host:port] "
      "[--square_listen=host:port] [--target=grpc-target] [flags]",
      "legacy_bridge/");
  sockrpc::BridgeOptions options = OptionsFromFlags();
  RaiseFileLimit(options.max_connections);
  const std::string target = options.target;
  const std::string zone = options.time_zone;
  sockrpc::ServiceNotifier systemd;

  absl::StatusOr<std::unique_ptr<sockrpc::Bridge>> started =
      sockrpc::Bridge::Start(std::move(options));
  if (!started.ok()) {
    sockrpc::LogError(std::string(started.status().message()));
    return 1;
  }
  sockrpc::Bridge& bridge = **started;
  const int status = sockrpc::ServeUntilTerminated(
      {.metrics = bridge.metrics(),
       .readiness = [&bridge] { return bridge.Readiness(); },
       .start_draining = [&bridge] { bridge.StartDraining(); },
       .shutdown = [&bridge](absl::Duration grace) { bridge.Shutdown(grace); },
       .admin_listen = absl::GetFlag(FLAGS_admin_listen),
       .drain_delay = absl::GetFlag(FLAGS_drain_delay),
       .grace = absl::GetFlag(FLAGS_shutdown_grace),
       .started_line = absl::StrCat(
           sockrpc::BuildDescription(), ": TIME listening on ", bridge.time_address(),
           ", SQUARES listening on ", bridge.square_address(), ", core at ", target,
           " (TIME zone ", zone, ", ", bridge.event_loops(),
           bridge.event_loops() == 1 ? " event loop, " : " event loops, ",
           sockrpc::DescribeBusyPoll(bridge.busy_poll()), ")"),
       .ready_status = absl::StrCat("TIME on ", bridge.time_address(), ", SQUARES on ",
                                    bridge.square_address()),
       .not_ready_words = "not ready",
       .draining_words =
           [&bridge] {
             return absl::StrCat("draining ", bridge.open_connections(), " connection(s)");
           }},
      systemd);
  if (status != 0) return status;
  // Every connection has been answered and the event loops have stopped. End
  // here, without destructors: tearing the loops down while gRPC's threads
  // may still deliver the last call completions would race with them.
  std::fflush(nullptr);
  std::_Exit(0);
}
