// Tells systemd how the service is doing through sd_notify(3): READY=1 once
// it listens, STOPPING=1 when it starts to drain, and WATCHDOG=1 pings while
// the unit sets WatchdogSec=. Outside systemd (no NOTIFY_SOCKET) every call
// does nothing. The pings come from a thread of their own: they say the
// process is alive and scheduled, not that it serves.
#ifndef SOCKRPC_COMMON_SERVICE_NOTIFIER_H_
#define SOCKRPC_COMMON_SERVICE_NOTIFIER_H_

#include <cstdint>
#include <optional>
#include <thread>

#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace sockrpc {

class ServiceNotifier {
 public:
  // Starts the watchdog pings if systemd asked for them (WATCHDOG_USEC and
  // WATCHDOG_PID naming this process). Construct after
  // BlockTerminationSignals(), so the ping thread never takes a signal.
  ServiceNotifier();
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // READY=1 with a STATUS= line systemctl status shows.
  void Ready(absl::string_view status);
  // STOPPING=1 with a STATUS= line: the service is draining.
  void Stopping(absl::string_view status);

  // How often WATCHDOG=1 is sent; nullopt when the watchdog is off.
  std::optional<absl::Duration> watchdog_period() const { return watchdog_period_; }

 private:
  void PingWatchdog();

  std::optional<absl::Duration> watchdog_period_;
  absl::Notification stop_pings_;
  std::thread pinger_;
};

// Half the watchdog timeout, as sd_watchdog_enabled(3) recommends; nullopt
// for a timeout of 0 (watchdog off).
std::optional<absl::Duration> WatchdogPingPeriod(uint64_t watchdog_usec);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_SERVICE_NOTIFIER_H_
