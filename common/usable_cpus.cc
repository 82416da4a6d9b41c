#include "common/usable_cpus.h"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace sockrpc {

size_t UsableCpuCount() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (::sched_getaffinity(0, sizeof(mask), &mask) == 0) {
    const int count = CPU_COUNT(&mask);
    if (count > 0) return static_cast<size_t>(count);
  }
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

}  // namespace sockrpc
