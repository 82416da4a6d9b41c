// How many CPUs this process may run on: its affinity mask (taskset, cgroup
// cpusets), not the machine's core count.
#ifndef SOCKRPC_COMMON_USABLE_CPUS_H_
#define SOCKRPC_COMMON_USABLE_CPUS_H_

#include <cstddef>

namespace sockrpc {

// The CPUs in the calling thread's affinity mask (sched_getaffinity); the
// online core count if the mask cannot be read; at least 1.
size_t UsableCpuCount();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_USABLE_CPUS_H_
