#include "common/metrics.h"

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

TEST(MetricsRegistryTest, RendersEachFamilyOnceWithItsSamples) {
  MetricsRegistry registry;
  Counter& a = registry.AddCounter("requests_total", "Requests.", {{"method", "A"}});
  Gauge& open = registry.AddGauge("open", "Open things.");
  Counter& b = registry.AddCounter("requests_total", "Requests.", {{"method", "B"}});
  a.Increment(3);
  b.Increment();
  open.Add(2);
  open.Add(-1);
  EXPECT_EQ(registry.Render(),
            "# HELP requests_total Requests.\n# TYPE requests_total counter\n"
            "requests_total{method=\"A\"} 3\nrequests_total{method=\"B\"} 1\n"
            "# HELP open Open things.\n# TYPE open gauge\nopen 1\n");
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram& latency = registry.AddHistogram("latency_seconds", "Latency.", {}, {0.1, 1.0});
  latency.Observe(0.05);
  latency.Observe(0.5);
  latency.Observe(5);
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds Latency.\n# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 1\nlatency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 3\nlatency_seconds_sum 5.55\n"
            "latency_seconds_count 3\n");
}

TEST(MetricsRegistryTest, CallbackGaugesAreReadWhenRendered) {
  MetricsRegistry registry;
  double state = 2;
  registry.AddCallbackGauge("state", "State.", {{"target", "x"}}, [&] { return state; });
  state = 4;
  EXPECT_EQ(registry.Render(), "# HELP state State.\n# TYPE state gauge\nstate{target=\"x\"} 4\n");
}

}  // namespace
}  // namespace sockrpc
