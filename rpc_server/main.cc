// rpc_server: the gRPC core. Parses flags, starts the server, and drains it
// on SIGINT/SIGTERM.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/build_info.h"
#include "common/busy_poll.h"
#include "common/flag_range.h"
#include "common/flags_usage.h"
#include "common/grpc_listen_address.h"
#include "common/log.h"
#include "common/refresh_interval_flag.h"
#include "common/server_process.h"
#include "common/service_notifier.h"
#include "common/tls_credentials.h"
#include "rpc_server/authz_enforcer.h"
#include "rpc_server/server.h"
#include "rpc_server/square_math.h"
#include "common/time_zones.h"

// The flags' defaults are the options' defaults (server.h).
static const sockrpc::RpcServerOptions kDefaults;

ABSL_FLAG(std::string, listen, kDefaults.listen,
          "Address to serve gRPC on, host:port or [ipv6]:port (port 0 picks a free port), or "
          "unix:/path for a bridge on the same host (a stale socket file there is replaced).");
ABSL_FLAG(int64_t, max_digits, static_cast<int64_t>(kDefaults.square.max_digits),
          "Largest input SquareService squares, in significant decimal digits (1..1000000). "
          "Longer inputs are OUT_OF_RANGE.");
ABSL_FLAG(int64_t, stream_window, static_cast<int64_t>(kDefaults.square.max_queued_responses),
          "Responses a SquareStream may hold unsent before the server stops reading its "
          "requests (1..65536).");
ABSL_FLAG(int64_t, max_streams, static_cast<int64_t>(kDefaults.square.max_streams),
          "SquareStream and SquareBatchStream calls open at once over all connections "
          "(0..1000000; 0: no cap). Past it a new stream gets RESOURCE_EXHAUSTED at once.");
ABSL_FLAG(int64_t, max_concurrent_streams, kDefaults.max_concurrent_streams,
          "Calls one client connection may have open at once (HTTP/2 "
          "SETTINGS_MAX_CONCURRENT_STREAMS, 1..1000000); further ones wait at the client.");
ABSL_FLAG(int64_t, memory_quota_mb, static_cast<int64_t>(kDefaults.memory_quota_bytes >> 20),
          "Memory gRPC may use for connections and calls, in MiB (grpc::ResourceQuota, "
          "0..1048576; 0: no quota). Under pressure gRPC shrinks buffers and refuses new "
          "streams rather than grow.");
ABSL_FLAG(int64_t, threads, static_cast<int64_t>(kDefaults.threads),
          "Threads serving calls (0..1024); 0: one per CPU the process may run on (its "
          "affinity mask, as taskset sets it). One always serves; the others join while "
          "those serving are nearly saturated.");
ABSL_FLAG(absl::Duration, busy_poll, absl::FromChrono(kDefaults.busy_poll),
          "The longest the first serving thread keeps polling after an event before it sleeps "
          "(0 to 1ms): the next message usually comes sooner than a sleeping thread wakes. The "
          "window adapts to the gaps between events, from none up to this. 0 turns polling "
          "off; it is off anyway on a single CPU.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve TLS instead of plaintext (with --tls_key).");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates signed by it (mutual TLS).");
ABSL_FLAG(absl::Duration, tls_refresh_interval, sockrpc::kDefaultTlsRefreshInterval,
          "How often the --tls_* files are read again (whole seconds, 1s..24h): replaced "
          "files serve new connections without a restart; a broken one keeps the last good.");
ABSL_FLAG(std::string, authz_policy, "",
          "Authorization policy file, gRPC's JSON format (allow_rules, deny_rules): which client "
          "certificates may call which methods; needs --tls_cert. Empty: all may call all. "
          "Unreadable or invalid at start: exit status 1.");
ABSL_FLAG(absl::Duration, authz_refresh_interval, absl::Seconds(60),
          "How often --authz_policy is read again (whole seconds, 1s..24h); a version that "
          "does not parse keeps the last good policy.");
ABSL_FLAG(std::string, admin_listen, "",
          "Address of the admin HTTP port (GET /metrics in Prometheus text format, /healthz, "
          "/readyz, /channelz/...), "
          "host:port; empty: off.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGINT/SIGTERM, how long calls in flight may take to finish before they are "
          "cancelled, e.g. 10s, 500ms.");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "On SIGINT/SIGTERM, how long to keep serving while health is NOT_SERVING and /readyz "
          "says 503, before the port closes (0..10m): time for load balancers and DNS to stop "
          "sending.");
ABSL_FLAG(absl::Duration, max_connection_age, kDefaults.max_connection_age,
          "Close each client connection (GOAWAY) after about this long (1s..24h, +-10% jitter; "
          "\"inf\": never), so that clients reconnect and resolve DNS names again: replicas "
          "added to a name get calls within about this long.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, kDefaults.max_connection_age_grace,
          "How long calls on a connection closed by --max_connection_age may still take before "
          "they are cancelled (0..24h; \"inf\": no limit).");
ABSL_FLAG(bool, channelz, kDefaults.channelz,
          "Also serve grpc.channelz.v1.Channelz on the --listen port. Off by default: it lists "
          "the address of every client. The admin port serves channelz as JSON (/channelz/...).");

namespace {

constexpr int64_t kMaxDigitsCeiling = 1'000'000;
constexpr int64_t kStreamWindowCeiling = 65'536;
constexpr int64_t kThreadsCeiling = 1024;
constexpr absl::Duration kDrainDelayCeiling = absl::Minutes(10);
constexpr absl::Duration kConnectionAgeCeiling = absl::Hours(24);

sockrpc::RpcServerOptions OptionsFromFlags() {
  using sockrpc::DurationFlagInRangeOrExit;
  using sockrpc::IntFlagInRangeOrExit;
  sockrpc::RpcServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  if (absl::StatusOr<sockrpc::GrpcListenAddress> listen =
          sockrpc::ParseGrpcListenAddress(options.listen);
      !listen.ok()) {
    sockrpc::ExitWithUsageError(absl::StrCat("--listen: ", listen.status().message()));
  }
  sockrpc::ListenAddressFlagOrExit("admin_listen", absl::GetFlag(FLAGS_admin_listen), true);
  options.square.max_digits = static_cast<size_t>(
      IntFlagInRangeOrExit("max_digits", absl::GetFlag(FLAGS_max_digits), 1, kMaxDigitsCeiling));
  options.square.max_queued_responses = static_cast<size_t>(IntFlagInRangeOrExit(
      "stream_window", absl::GetFlag(FLAGS_stream_window), 1, kStreamWindowCeiling));
  options.square.max_streams = static_cast<size_t>(IntFlagInRangeOrExit(
      "max_streams", absl::GetFlag(FLAGS_max_streams), 0, 1'000'000, "no cap"));
  options.max_concurrent_streams = static_cast<int>(IntFlagInRangeOrExit(
      "max_concurrent_streams", absl::GetFlag(FLAGS_max_concurrent_streams), 1, 1'000'000));
  options.memory_quota_bytes =
      static_cast<size_t>(IntFlagInRangeOrExit(
          "memory_quota_mb", absl::GetFlag(FLAGS_memory_quota_mb), 0, 1'048'576, "no quota"))
      << 20;
  options.threads = static_cast<size_t>(IntFlagInRangeOrExit(
      "threads", absl::GetFlag(FLAGS_threads), 0, kThreadsCeiling, "one per CPU"));
  options.busy_poll = sockrpc::BusyPollFlagOrExit(absl::GetFlag(FLAGS_busy_poll));
  sockrpc::NonNegativeDurationFlagOrExit("shutdown_grace", absl::GetFlag(FLAGS_shutdown_grace));
  options.max_connection_age = DurationFlagInRangeOrExit(
      "max_connection_age", absl::GetFlag(FLAGS_max_connection_age), absl::Seconds(1),
      kConnectionAgeCeiling, /*infinite_allowed=*/true);
  options.max_connection_age_grace = DurationFlagInRangeOrExit(
      "max_connection_age_grace", absl::GetFlag(FLAGS_max_connection_age_grace),
      absl::ZeroDuration(), kConnectionAgeCeiling, /*infinite_allowed=*/true);
  options.channelz = absl::GetFlag(FLAGS_channelz);
  DurationFlagInRangeOrExit("drain_delay", absl::GetFlag(FLAGS_drain_delay), absl::ZeroDuration(),
                            kDrainDelayCeiling);
  const std::string zone_name = sockrpc::LocalTimeZoneName();
  absl::StatusOr<sockrpc::NamedTimeZone> zone = sockrpc::LoadNamedTimeZone(zone_name);
  if (!zone.ok()) {
    sockrpc::ExitWithUsageError(
        absl::StrCat("local time zone (from TZ or /etc/localtime): ", zone.status().message()));
  }
  options.local_zone = *std::move(zone);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      sockrpc::MakeServerCredentials(
          {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
           absl::GetFlag(FLAGS_tls_client_ca),
           sockrpc::RefreshIntervalFlagOrExit("tls_refresh_interval",
                                              absl::GetFlag(FLAGS_tls_refresh_interval))});
  if (!credentials.ok()) sockrpc::ExitWithStatus(credentials.status());
  options.credentials = *std::move(credentials);
  const absl::Duration authz_refresh = sockrpc::RefreshIntervalFlagOrExit(
      "authz_refresh_interval", absl::GetFlag(FLAGS_authz_refresh_interval));
  if (const std::string policy = absl::GetFlag(FLAGS_authz_policy); !policy.empty()) {
    if (absl::GetFlag(FLAGS_tls_cert).empty()) {
      sockrpc::ExitWithUsageError("--authz_policy needs --tls_cert and --tls_key");
    }
    absl::StatusOr<std::shared_ptr<sockrpc::AuthzEnforcer>> authz =
        sockrpc::AuthzEnforcer::Start(policy, authz_refresh);
    if (!authz.ok()) sockrpc::ExitWithStatus(authz.status());
    options.authz = *std::move(authz);
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  sockrpc::StartServerProcess(
      argc, argv, "rpc_server",
      "The gRPC core: sockrpc.time.v1.TimeService and sockrpc.square.v1.SquareService, with "
      "health checking and server reflection.\n\nUsage: rpc_server [--listen=host:port|unix:/path] "
      "[--max_digits=N] [--stream_window=N] [--threads=N] [--shutdown_grace=10s] "
      "[--drain_delay=0s] [--max_connection_age=30s] [--admin_listen=host:port] "
      "[--tls_cert=F --tls_key=F [--tls_client_ca=F] [--authz_policy=F]]",
      "rpc_server/");
  sockrpc::RpcServerOptions options = OptionsFromFlags();
  const std::string zone_name = options.local_zone.name;
  sockrpc::ServiceNotifier systemd;

  absl::StatusOr<std::unique_ptr<sockrpc::RpcServer>> started =
      sockrpc::RpcServer::Start(std::move(options));
  if (!started.ok()) {
    sockrpc::LogError(std::string(started.status().message()));
    return 1;
  }
  sockrpc::RpcServer& server = **started;
  return sockrpc::ServeUntilTerminated(
      {.metrics = server.metrics(),
       .readiness = [&server] { return server.Readiness(); },
       .start_draining = [&server] { server.StartDraining(); },
       .shutdown = [&server](absl::Duration grace) { server.Shutdown(grace); },
       .admin_listen = absl::GetFlag(FLAGS_admin_listen),
       .drain_delay = absl::GetFlag(FLAGS_drain_delay),
       .grace = absl::GetFlag(FLAGS_shutdown_grace),
       .started_line = absl::StrCat(
           sockrpc::BuildDescription(), " listening on ", server.address(), " (",
           absl::GetFlag(FLAGS_tls_cert).empty() ? "plaintext" : "TLS",
           absl::GetFlag(FLAGS_tls_client_ca).empty() ? "" : ", client certificates required",
           absl::GetFlag(FLAGS_authz_policy).empty() ? ""
                                                     : ", calls checked against --authz_policy",
           ", ", server.threads(),
           server.threads() == 1 ? " serving thread, " : " serving threads, ",
           sockrpc::DescribeBusyPoll(server.busy_poll()), ", local time zone ", zone_name, ")"),
       .ready_status = absl::StrCat("serving gRPC on ", server.address()),
       .not_ready_words = "NOT_SERVING",
       .draining_words = [] { return std::string("draining"); }},
      systemd);
}
