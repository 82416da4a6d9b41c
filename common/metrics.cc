#include "common/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sockrpc {
namespace {

std::string FormatLabels(const MetricLabels& labels, const std::string& extra_key = "",
                         const std::string& extra_value = "") {
  std::vector<std::string> parts;
  for (const auto& [key, value] : labels) parts.push_back(absl::StrCat(key, "=\"", value, "\""));
  if (!extra_key.empty()) parts.push_back(absl::StrCat(extra_key, "=\"", extra_value, "\""));
  if (parts.empty()) return "";
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string FormatDouble(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  // Whole numbers (byte counts, timestamps) in full; StrCat would round them
  // to six significant digits.
  if (std::abs(value) < 1e15 && value == std::floor(value)) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.15g", value);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double seconds) {
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<uint64_t>(std::max(0.0, seconds) * 1e9),
                       std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> cumulative(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    cumulative[i] = running;
  }
  return cumulative;
}

double Histogram::sum() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

std::vector<double> LatencyBuckets() {
  return {10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3,
          5e-3,  10e-3, 25e-3, 50e-3,  100e-3, 250e-3, 1.0,  10.0};
}

MetricsRegistry::Entry& MetricsRegistry::Add(const std::string& name, const std::string& help,
                                             const char* type, MetricLabels labels) {
  std::lock_guard lock(mu_);
  auto entry = std::make_unique<Entry>();
  entry->name = name;
  entry->help = help;
  entry->type = type;
  entry->labels = std::move(labels);
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     MetricLabels labels) {
  Entry& entry = Add(name, help, "counter", std::move(labels));
  entry.counter = std::make_unique<Counter>();
  return *entry.counter;
}

Gauge& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                 MetricLabels labels) {
  Entry& entry = Add(name, help, "gauge", std::move(labels));
  entry.gauge = std::make_unique<Gauge>();
  return *entry.gauge;
}

Histogram& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         MetricLabels labels, std::vector<double> bounds) {
  Entry& entry = Add(name, help, "histogram", std::move(labels));
  entry.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *entry.histogram;
}

void MetricsRegistry::AddCallbackCounter(const std::string& name, const std::string& help,
                                         MetricLabels labels, std::function<double()> read) {
  Entry& entry = Add(name, help, "counter", std::move(labels));
  entry.read = std::move(read);
}

void MetricsRegistry::AddCallbackGauge(const std::string& name, const std::string& help,
                                       MetricLabels labels, std::function<double()> read) {
  Entry& entry = Add(name, help, "gauge", std::move(labels));
  entry.read = std::move(read);
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  // Prometheus wants each family's samples together under one HELP/TYPE.
  std::vector<const std::string*> families;
  for (const auto& entry : entries_) {
    const bool seen = std::any_of(families.begin(), families.end(),
                                  [&](const std::string* name) { return *name == entry->name; });
    if (!seen) families.push_back(&entry->name);
  }
  std::string out;
  for (const std::string* family : families) {
    bool header = false;
    for (const auto& entry : entries_) {
      if (entry->name != *family) continue;
      if (!header) {
        absl::StrAppend(&out, "# HELP ", entry->name, " ", entry->help, "\n# TYPE ",
                        entry->name, " ", entry->type, "\n");
        header = true;
      }
      RenderEntry(*entry, out);
    }
  }
  return out;
}

void MetricsRegistry::RenderEntry(const Entry& entry, std::string& out) {
  const std::string labels = FormatLabels(entry.labels);
  if (entry.counter) {
    absl::StrAppend(&out, entry.name, labels, " ", entry.counter->value(), "\n");
  } else if (entry.gauge) {
    absl::StrAppend(&out, entry.name, labels, " ", entry.gauge->value(), "\n");
  } else if (entry.read) {
    absl::StrAppend(&out, entry.name, labels, " ", FormatDouble(entry.read()), "\n");
  } else if (entry.histogram) {
    const std::vector<uint64_t> counts = entry.histogram->CumulativeCounts();
    const auto& bounds = entry.histogram->bounds();
    for (size_t i = 0; i <= bounds.size(); ++i) {
      const double bound = i < bounds.size() ? bounds[i] : INFINITY;
      absl::StrAppend(&out, entry.name, "_bucket",
                      FormatLabels(entry.labels, "le", FormatDouble(bound)), " ", counts[i], "\n");
    }
    absl::StrAppend(&out, entry.name, "_sum", labels, " ", FormatDouble(entry.histogram->sum()),
                    "\n", entry.name, "_count", labels, " ", counts.back(), "\n");
  }
}

}  // namespace sockrpc
