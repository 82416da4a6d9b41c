#include "common/usable_cpus.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"

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

void NameThread(std::thread& thread, absl::string_view prefix, size_t index) {
  const std::string name = absl::StrCat(prefix, index).substr(0, 15);
  ::pthread_setname_np(thread.native_handle(), name.c_str());
}

}  // namespace sockrpc
