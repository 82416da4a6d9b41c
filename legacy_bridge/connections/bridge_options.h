// Everything a bridge is configured with; main.cc fills it from flags.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_BRIDGE_OPTIONS_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_BRIDGE_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <grpcpp/security/credentials.h>

namespace sockrpc {

struct BridgeOptions {
  std::string time_listen = "0.0.0.0:9999";
  std::string square_listen = "0.0.0.0:50007";
  std::string target = "localhost:50051";  // any gRPC target URI
  std::string load_balancing = "round_robin";  // or "pick_first"
  // Plaintext unless set (common/tls_credentials.h).
  std::shared_ptr<grpc::ChannelCredentials> core_credentials;
  // Name to expect in the core's certificate instead of the target's host.
  std::string core_tls_server_name;
  std::string time_zone;                    // IANA name the TIME line is formatted in
  std::chrono::milliseconds deadline{2000};  // per core call / per answer
  // A SQUARES message is answered "ERROR service overloaded; try again" at
  // once when the core's expected wait exceeds this fraction of `deadline`
  // (overload_estimator.h); 0: never.
  double shed_wait_fraction = 0.5;
  size_t max_message_bytes = 4096;
  // Once a SQUARES client has used newlines, how long an unterminated message
  // waits for more bytes before the client is taken to be waiting for its
  // answer. Clients that never send newlines (the original) never wait.
  std::chrono::milliseconds line_pause{10};
  size_t max_pending_replies = 128;
  std::chrono::milliseconds handshake_timeout{60'000};
  std::chrono::milliseconds idle_timeout{300'000};
  size_t max_connections = 15'000;
  // The fair share (fair_share_policy.h): connections one IPv4 address or
  // IPv6 /64 may hold, the occupancy (percent of max_connections) from which
  // newcomers evict sessions of bigger addresses, and from which the
  // handshake and idle timeouts shrink, down to min_timeout_percent.
  size_t max_connections_per_address = 1'000;
  int evict_above_percent = 90;
  int shrink_timeouts_above_percent = 80;
  int min_timeout_percent = 10;
  size_t threads = 0;  // 0: one per core
  // The longest the event loops and the completion thread keep polling after
  // an event before they sleep (common/busy_poll.h); zero on a single CPU.
  std::chrono::microseconds busy_poll{200};
  // SquareBatchStream calls the SQUARES sessions share, and how long each serves
  // before a fresh one takes over (so load rebalances over replicas).
  size_t core_streams = 8;
  std::chrono::milliseconds core_stream_max_age{10'000};
  // The least time between two DNS resolutions of --target.
  std::chrono::milliseconds min_resolution_interval{10'000};
  // While calls are open to the core, an HTTP/2 PING this often; a connection
  // whose PING is not answered within the timeout is dropped, and its calls
  // move to a new one (a silently dead link costs about interval + timeout).
  std::chrono::milliseconds core_ping_interval{1000};
  std::chrono::milliseconds core_ping_timeout{1000};
  bool verbose = false;
  // How long a closing connection waits for the client to close before the
  // socket is closed regardless.
  std::chrono::milliseconds close_linger{2000};
};

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_BRIDGE_OPTIONS_H_
