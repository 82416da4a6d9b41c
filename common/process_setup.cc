#include "common/process_setup.h"

#include "absl/base/internal/sysinfo.h"
#include "absl/synchronization/mutex.h"

namespace sockrpc {

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

void ReadCpuFrequencyBeforeGrpcConnects() {
  // Cached by Abseil after the first call (absl::base_internal has no public
  // equivalent; absl::Mutex calls exactly this).
  static_cast<void>(absl::base_internal::NominalCPUFrequency());
}

}  // namespace sockrpc
