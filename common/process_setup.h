// Process-wide settings the servers, clients and load generators apply first
// thing in main(), before gRPC opens any connection.
#ifndef SOCKRPC_COMMON_PROCESS_SETUP_H_
#define SOCKRPC_COMMON_PROCESS_SETUP_H_

namespace sockrpc {

// Turns off Abseil's mutex deadlock detection. Debian builds Abseil without
// NDEBUG, which leaves the detector on: it records every lock in a global
// graph, and gRPC locks absl::Mutexes on every call, which cost several
// percent of the servers' CPU. Sanitizer builds (ThreadSanitizer) still
// check lock order.
void DisableMutexDeadlockDetection();

// Makes Abseil read the CPU's clock frequency now, on this thread.
//
// Abseil reads it from /sys the first time any absl::Mutex is contended; on
// machines without /sys/devices/system/cpu/cpu0/tsc_freq_khz that leaves
// errno at ENOENT. gRPC 1.51 reads errno after a non-blocking connect() only
// once it has locked a mutex (grpc_fd_create), so when that lock is the
// process's first contended one, the connect "fails" with "No such file or
// directory" and the channel backs off for a second. Reading the frequency
// once up front keeps errno intact from then on.
void ReadCpuFrequencyBeforeGrpcConnects();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_PROCESS_SETUP_H_
