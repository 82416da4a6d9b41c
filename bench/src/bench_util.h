// Shared pieces of the benchmark tools: flags, clocks, latency statistics,
// /proc sampling of the servers under test, GMP squares and JSON output.
#pragma once

#include <gmp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

[[noreturn]] inline void Die(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(2);
}

inline uint64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// --name=value or --name value; --flag alone means "true". Every flag must be
// declared by a Get call before Finish(), which rejects unknown ones.
class Flags {
 public:
  Flags(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::printf("%s\n", usage_.c_str());
        std::exit(0);
      }
      if (arg.rfind("--", 0) != 0) Die("unexpected argument " + arg + "\n" + usage_);
      arg = arg.substr(2);
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        values_[arg.substr(0, eq)] = arg.substr(eq + 1);
      } else if (i + 1 < argc && std::string_view(argv[i + 1]).rfind("--", 0) != 0) {
        values_[arg] = argv[++i];
      } else {
        values_[arg] = "true";
      }
    }
  }

  std::string Str(const std::string& name, const std::string& fallback) {
    known_.push_back(name);
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

  int64_t Int(const std::string& name, int64_t fallback) {
    const std::string text = Str(name, "");
    if (text.empty()) return fallback;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      Die("--" + name + " wants an integer, got " + text);
    }
    return value;
  }

  double Double(const std::string& name, double fallback) {
    const std::string text = Str(name, "");
    if (text.empty()) return fallback;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == nullptr || *end != '\0') Die("--" + name + " wants a number, got " + text);
    return value;
  }

  bool Bool(const std::string& name, bool fallback) {
    const std::string text = Str(name, "");
    if (text.empty()) return fallback;
    return text == "true" || text == "1" || text == "yes";
  }

  void Finish() const {
    for (const auto& [name, value] : values_) {
      if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
        Die("unknown flag --" + name + "\n" + usage_);
      }
    }
  }

 private:
  std::string usage_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> known_;
};

// "host:port" (IPv4 literal) -> pieces.
inline std::pair<std::string, uint16_t> SplitHostPort(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) Die("address " + address + " is not host:port");
  const int port = std::atoi(address.c_str() + colon + 1);
  if (port < 0 || port > 65535) Die("bad port in " + address);
  return {address.substr(0, colon), static_cast<uint16_t>(port)};
}

inline void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Latency samples in nanoseconds; summarized once at the end.
struct LatencySummary {
  uint64_t count = 0;
  double mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

inline LatencySummary Summarize(std::vector<uint64_t>& samples) {
  LatencySummary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    size_t index = static_cast<size_t>(q * static_cast<double>(samples.size()));
    if (index >= samples.size()) index = samples.size() - 1;
    return static_cast<double>(samples[index]) / 1000.0;
  };
  long double sum = 0;
  for (uint64_t v : samples) sum += static_cast<long double>(v);
  s.mean_us = static_cast<double>(sum / static_cast<long double>(samples.size())) / 1000.0;
  s.p50_us = at(0.50);
  s.p90_us = at(0.90);
  s.p99_us = at(0.99);
  s.p999_us = at(0.999);
  s.max_us = static_cast<double>(samples.back()) / 1000.0;
  return s;
}

// --- /proc sampling of the servers under test -------------------------------

// utime + stime of every thread of the process, in seconds (clock ticks).
inline double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(line.substr(paren + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  // Fields after "(comm)": state is field 3; utime is 14, stime 15.
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (index == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A "Vm...:  1234 kB" line of /proc/PID/status, in KiB (-1 if absent).
inline int64_t ProcessStatusKib(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10);
  }
  return -1;
}

// CPU seconds the whole machine spent busy (all cores, /proc/stat "cpu" line).
inline double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string label;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

inline std::vector<int> ParsePids(const std::string& text) {
  std::vector<int> pids;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    if (!item.empty()) pids.push_back(std::atoi(item.c_str()));
  }
  return pids;
}

// CPU of each server process over the measured window, and its RSS at the end.
class ServerSampler {
 public:
  explicit ServerSampler(std::vector<int> pids) : pids_(std::move(pids)) {}
  void Start() {
    start_.clear();
    for (int pid : pids_) start_.push_back(ProcessCpuSeconds(pid));
    self_start_ = ProcessCpuSeconds(getpid());
    machine_start_ = MachineBusySeconds();
  }
  void Stop() {
    machine_stop_ = MachineBusySeconds();
    self_stop_ = ProcessCpuSeconds(getpid());
    stop_.clear();
    rss_kib_.clear();
    hwm_kib_.clear();
    for (int pid : pids_) {
      stop_.push_back(ProcessCpuSeconds(pid));
      rss_kib_.push_back(ProcessStatusKib(pid, "VmRSS"));
      hwm_kib_.push_back(ProcessStatusKib(pid, "VmHWM"));
    }
  }
  // JSON array: [{"pid":..,"cpu_s":..,"rss_kib":..,"hwm_kib":..}, ...]
  std::string Json() const {
    std::string out = "[";
    for (size_t i = 0; i < pids_.size() && i < stop_.size() && i < start_.size(); ++i) {
      char buffer[256];
      std::snprintf(buffer, sizeof buffer,
                    "%s{\"pid\": %d, \"cpu_s\": %.3f, \"rss_kib\": %" PRId64
                    ", \"hwm_kib\": %" PRId64 "}",
                    i == 0 ? "" : ", ", pids_[i], stop_[i] - start_[i], rss_kib_[i], hwm_kib_[i]);
      out += buffer;
    }
    return out + "]";
  }

  // CPU seconds of the load generator itself, and of the whole machine, over the window.
  double self_cpu_s() const { return self_stop_ - self_start_; }
  double machine_cpu_s() const { return machine_stop_ - machine_start_; }
  // Busy CPU seconds of everything else on the machine (neither the servers nor
  // this load generator): other people's work that disturbs the measurement.
  double other_cpu_s() const {
    double ours = self_cpu_s();
    for (size_t i = 0; i < start_.size() && i < stop_.size(); ++i) ours += stop_[i] - start_[i];
    return std::max(0.0, machine_cpu_s() - ours);
  }

 private:
  std::vector<int> pids_;
  double self_start_ = 0, self_stop_ = 0, machine_start_ = 0, machine_stop_ = 0;
  std::vector<double> start_, stop_;
  std::vector<int64_t> rss_kib_, hwm_kib_;
};

// --- Numbers and their squares ----------------------------------------------

inline std::string U64ToString(uint64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)ec;
  return std::string(buffer, end);
}

// Square of |value| < 2^32 in decimal.
inline std::string SmallSquare(uint64_t value) { return U64ToString(value * value); }

inline std::string GmpSquare(const std::string& decimal) {
  mpz_t n;
  mpz_init(n);
  if (mpz_set_str(n, decimal.c_str(), 10) != 0) Die("not a decimal: " + decimal);
  mpz_mul(n, n, n);
  std::string out(mpz_sizeinbase(n, 10) + 2, '\0');
  mpz_get_str(out.data(), 10, n);
  out.resize(std::strlen(out.c_str()));
  mpz_clear(n);
  return out;
}

// `count` fixed pseudo-random numbers of exactly `digits` digits (no leading
// zero), with their squares computed by GMP.
inline std::vector<std::pair<std::string, std::string>> BigNumbers(int digits, int count,
                                                                   uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> digit(0, 9), first(1, 9);
  std::vector<std::pair<std::string, std::string>> numbers;
  for (int i = 0; i < count; ++i) {
    std::string n;
    n.push_back(static_cast<char>('0' + first(random)));
    for (int d = 1; d < digits; ++d) n.push_back(static_cast<char>('0' + digit(random)));
    numbers.emplace_back(n, GmpSquare(n));
  }
  return numbers;
}

// --- ctime text ---------------------------------------------------------------

// Python's time.ctime(t) in the local zone: "Wed Jan 29 19:14:15 2014".
inline std::string CtimeText(time_t t) {
  char buffer[64];
  tm parts{};
  localtime_r(&t, &parts);
  strftime(buffer, sizeof buffer, "%a %b %e %H:%M:%S %Y", &parts);
  return buffer;
}

// True if `text` is the ctime of a second within [now - slack, now + 1].
class CtimeChecker {
 public:
  bool Check(std::string_view text, int slack_s = 2) {
    const time_t now = time(nullptr);
    if (now != cached_) {
      cached_ = now;
      recent_.clear();
      for (time_t t = now - slack_s; t <= now + 1; ++t) recent_.push_back(CtimeText(t));
    }
    for (const std::string& candidate : recent_) {
      if (text == candidate) return true;
    }
    return false;
  }

 private:
  time_t cached_ = 0;
  std::vector<std::string> recent_;
};

// A printable, JSON-safe excerpt of bytes.
inline std::string Escape(std::string_view bytes, size_t limit = 80) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    }
  }
  if (bytes.size() > limit) out += "...";
  return out;
}

// The common result line every load generator prints (one JSON object).
struct Result {
  std::string tool, scenario, system, mode;
  uint64_t ops = 0, errors = 0;
  double seconds = 0;
  std::string first_error;
  LatencySummary latency;
  std::string servers_json = "[]";
  std::vector<std::pair<std::string, std::string>> extra;  // key -> raw JSON value

  std::string Json() const {
    char buffer[1024];
    std::snprintf(buffer, sizeof buffer,
                  "{\"tool\": \"%s\", \"scenario\": \"%s\", \"system\": \"%s\", \"mode\": \"%s\", "
                  "\"ops\": %" PRIu64 ", \"seconds\": %.3f, \"ops_per_s\": %.1f, "
                  "\"mean_us\": %.1f, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, "
                  "\"p999_us\": %.1f, \"max_us\": %.1f, \"errors\": %" PRIu64 ", ",
                  tool.c_str(), Escape(scenario).c_str(), Escape(system).c_str(), mode.c_str(), ops,
                  seconds, seconds > 0 ? static_cast<double>(ops) / seconds : 0.0, latency.mean_us,
                  latency.p50_us, latency.p90_us, latency.p99_us, latency.p999_us, latency.max_us,
                  errors);
    std::string out = buffer;
    out += "\"first_error\": \"" + Escape(first_error, 300) + "\", \"servers\": " + servers_json;
    for (const auto& [key, value] : extra) out += ", \"" + key + "\": " + value;
    return out + "}";
  }
};

}  // namespace bench
