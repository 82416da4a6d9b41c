// Process-wide settings both servers apply first thing in main().
#ifndef SOCKRPC_COMMON_PROCESS_SETUP_H_
#define SOCKRPC_COMMON_PROCESS_SETUP_H_

namespace sockrpc {

// Turns off Abseil's mutex deadlock detection. Debian builds Abseil without
// NDEBUG, which leaves the detector on: it records every lock in a global
// graph, and gRPC locks absl::Mutexes on every call, which cost several
// percent of the servers' CPU. Sanitizer builds (ThreadSanitizer) still
// check lock order.
void DisableMutexDeadlockDetection();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_PROCESS_SETUP_H_
