// How many CPUs this process may run on: its affinity mask (taskset, cgroup
// cpusets), not the machine's core count; and the threads sized from it.
#ifndef SOCKRPC_COMMON_USABLE_CPUS_H_
#define SOCKRPC_COMMON_USABLE_CPUS_H_

#include <cstddef>
#include <thread>

#include "absl/strings/string_view.h"

namespace sockrpc {

// The CPUs in the calling thread's affinity mask (sched_getaffinity); the
// online core count if the mask cannot be read; at least 1.
size_t UsableCpuCount();

// What a --threads flag asks for: `requested`, or one thread per usable CPU
// when it is 0.
inline size_t ThreadsFor(size_t requested) {
  return requested > 0 ? requested : UsableCpuCount();
}

// Names `thread` "<prefix><index>" for top -H and /proc/PID/task/*/comm
// (cut to the 15 characters Linux keeps).
void NameThread(std::thread& thread, absl::string_view prefix, size_t index);

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_USABLE_CPUS_H_
