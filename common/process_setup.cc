#include "common/process_setup.h"

#include "absl/synchronization/mutex.h"

namespace sockrpc {

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace sockrpc
