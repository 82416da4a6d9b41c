#include "common/server_process.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/admin_server.h"
#include "common/flags_usage.h"
#include "common/log.h"
#include "common/process_setup.h"
#include "common/termination_signals.h"

namespace sockrpc {

void StartServerProcess(int argc, char** argv, absl::string_view program,
                        absl::string_view usage, absl::string_view flags_dir) {
  BlockTerminationSignals();
  DisableMutexDeadlockDetection();
  ReadCpuFrequencyBeforeGrpcConnects();
  ParseFlagsOrExit(argc, argv, program, usage, flags_dir);
}

int ServeUntilTerminated(const ServedProcess& process, ServiceNotifier& systemd) {
  absl::StatusOr<std::unique_ptr<AdminServer>> admin =
      StartAdminServerIfRequested(process.admin_listen, process.metrics, process.readiness);
  if (!admin.ok()) {
    LogError(std::string(admin.status().message()));
    return 1;
  }
  LogInfo(process.started_line);
  systemd.Ready(process.ready_status);

  const int signal_number = WaitForTerminationSignal();
  systemd.Stopping(absl::StrCat("signal ", signal_number, ": draining"));
  if (process.drain_delay > absl::ZeroDuration()) {
    LogInfo(absl::StrCat("signal ", signal_number, ": ", process.not_ready_words,
                         ", still serving for ", absl::FormatDuration(process.drain_delay),
                         " (--drain_delay)"));
    process.start_draining();
    absl::SleepFor(process.drain_delay);
  }
  LogInfo(absl::StrCat("signal ", signal_number, ": ", process.draining_words(), " (grace ",
                       absl::FormatDuration(process.grace), ")"));
  process.shutdown(process.grace);
  LogInfo("stopped");
  return 0;
}

}  // namespace sockrpc
