// The start-up and shutdown both servers share, so that each main() only says
// what it serves:
//
//   int main(int argc, char** argv) {
//     StartServerProcess(argc, argv, "rpc_server", kUsage, "rpc_server/");
//     Options options = OptionsFromFlags();
//     ServiceNotifier systemd;
//     auto server = Server::Start(options);          // exit 1 on failure
//     return ServeUntilTerminated({...server...}, systemd);
//   }
#ifndef SOCKRPC_COMMON_SERVER_PROCESS_H_
#define SOCKRPC_COMMON_SERVER_PROCESS_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "common/service_notifier.h"

namespace sockrpc {

// First thing in main(), before any thread exists: blocks SIGINT/SIGTERM
// (every later thread inherits the mask; WaitForTerminationSignal takes
// them), applies the process-wide settings of process_setup.h, and parses the
// flags (a usage error exits with status 2).
void StartServerProcess(int argc, char** argv, absl::string_view program,
                        absl::string_view usage, absl::string_view flags_dir);

// A started server, and what its operators are told while it serves and drains.
struct ServedProcess {
  const MetricsRegistry& metrics;
  std::function<absl::Status()> readiness;  // /readyz
  std::function<void()> start_draining;     // not ready any more, still serving
  std::function<void(absl::Duration grace)> shutdown;
  std::string admin_listen;  // --admin_listen; empty: no admin port
  absl::Duration drain_delay;
  absl::Duration grace;
  std::string started_line;     // logged once the admin port is up
  std::string ready_status;     // systemd's STATUS= while serving
  std::string not_ready_words;  // "NOT_SERVING", "not ready"
  // What the shutdown drains, for the log: "draining", "draining 3 connection(s)".
  std::function<std::string()> draining_words;
};

// Starts the admin port, tells systemd the process is ready, waits for
// SIGINT/SIGTERM, then serves `drain_delay` more while not ready and shuts
// down with `grace`. Returns the exit status: 1 when the admin port cannot
// start, else 0 once stopped.
int ServeUntilTerminated(const ServedProcess& process, ServiceNotifier& systemd);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_SERVER_PROCESS_H_
