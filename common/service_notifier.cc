#include "common/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace sockrpc {
namespace {

void Notify(const std::string& state) {
  // unset_environment=0: the environment stays as it was, so a second
  // message (STOPPING=1 after READY=1) still finds NOTIFY_SOCKET.
  const int sent = sd_notify(0, state.c_str());
  if (sent < 0) LogError(absl::StrCat("sd_notify failed: error ", -sent));
}

}  // namespace

std::optional<absl::Duration> WatchdogPingPeriod(uint64_t watchdog_usec) {
  if (watchdog_usec == 0) return std::nullopt;
  return absl::Microseconds(static_cast<int64_t>(watchdog_usec / 2));
}

ServiceNotifier::ServiceNotifier() {
  uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
    watchdog_period_ = WatchdogPingPeriod(watchdog_usec);
  }
  if (watchdog_period_.has_value()) pinger_ = std::thread([this] { PingWatchdog(); });
}

ServiceNotifier::~ServiceNotifier() {
  stop_pings_.Notify();
  if (pinger_.joinable()) pinger_.join();
}

void ServiceNotifier::Ready(absl::string_view status) {
  Notify(absl::StrCat("READY=1\nSTATUS=", status));
}

void ServiceNotifier::Stopping(absl::string_view status) {
  Notify(absl::StrCat("STOPPING=1\nSTATUS=", status));
}

void ServiceNotifier::PingWatchdog() {
  // Pings until destruction, through the drain too: systemd then still
  // sees a live process while calls in flight finish.
  do {
    Notify("WATCHDOG=1");
  } while (!stop_pings_.WaitForNotificationWithTimeout(*watchdog_period_));
}

}  // namespace sockrpc
