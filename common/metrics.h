// Prometheus metrics in text format: counters, gauges and histograms with
// fixed labels, updated with atomics on the hot path and rendered on scrape.
//
//   MetricsRegistry registry;
//   Counter& served = registry.AddCounter("sockrpc_requests_total", "Requests.",
//                                         {{"method", "Square"}});
//   served.Increment();
//   std::string text = registry.Render();
#ifndef SOCKRPC_COMMON_METRICS_H_
#define SOCKRPC_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sockrpc {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Add(int64_t by) { value_.fetch_add(by, std::memory_order_relaxed); }
  void Set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations in seconds; bucket bounds fixed at creation.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double seconds);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then +Inf; the sum; the count.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // one per bound, plus +Inf
  std::atomic<uint64_t> sum_nanos_{0};
};

// Latency buckets from 10 us to 10 s.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  // Metrics live as long as the registry; references stay valid.
  Counter& AddCounter(const std::string& name, const std::string& help, MetricLabels labels = {});
  Gauge& AddGauge(const std::string& name, const std::string& help, MetricLabels labels = {});
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          MetricLabels labels = {}, std::vector<double> bounds = LatencyBuckets());
  // A gauge read when scraped (e.g. a channel's connectivity state).
  void AddCallbackGauge(const std::string& name, const std::string& help, MetricLabels labels,
                        std::function<double()> read);
  // A counter kept elsewhere and read when scraped (e.g. the process's CPU time).
  void AddCallbackCounter(const std::string& name, const std::string& help, MetricLabels labels,
                          std::function<double()> read);

  // Every metric in Prometheus text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Entry {
    std::string name, help, type;
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  Entry& Add(const std::string& name, const std::string& help, const char* type,
             MetricLabels labels);
  static void RenderEntry(const Entry& entry, std::string& out);

  mutable std::mutex mu_;  // guards entries_ (not the values)
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_METRICS_H_
