// The metrics hot path, hand-written registry (common/metrics.h) against
// prometheus-cpp: a counter increment and a histogram observation, from one
// thread and from two threads sharing the metric (as the serving threads do).
// And what the grpc_server_* interceptor costs a real call: Health/Check on
// loopback, on a server without and with it.
//
//   build/default/bench/metrics_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/grpc_call_metrics.h"
#include "common/grpc_server_metrics_interceptor.h"
#include "common/metrics.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

sockrpc::MetricsRegistry& OwnRegistry() {
  static auto* registry = new sockrpc::MetricsRegistry();
  return *registry;
}

prometheus::Registry& PrometheusRegistry() {
  static auto* registry = new prometheus::Registry();
  return *registry;
}

prometheus::Histogram::BucketBoundaries Bounds() {
  const std::vector<double> bounds = sockrpc::LatencyBuckets();
  return prometheus::Histogram::BucketBoundaries(bounds.begin(), bounds.end());
}

void BM_OwnCounterIncrement(benchmark::State& state) {
  static sockrpc::Counter& counter = OwnRegistry().AddCounter("c_total", "C.");
  for (auto _ : state) counter.Increment();
}

void BM_PrometheusCppCounterIncrement(benchmark::State& state) {
  static prometheus::Counter& counter =
      prometheus::BuildCounter().Name("c_total").Help("C.").Register(PrometheusRegistry()).Add({});
  for (auto _ : state) counter.Increment();
}

void BM_OwnHistogramObserve(benchmark::State& state) {
  static sockrpc::Histogram& histogram = OwnRegistry().AddHistogram("h_seconds", "H.");
  double value = 0.0001;
  for (auto _ : state) {
    histogram.Observe(value);
    value = value < 1 ? value * 1.5 : 0.0001;  // walks the buckets
  }
}

void BM_PrometheusCppHistogramObserve(benchmark::State& state) {
  static prometheus::Histogram& histogram = prometheus::BuildHistogram()
                                                .Name("h_seconds")
                                                .Help("H.")
                                                .Register(PrometheusRegistry())
                                                .Add({}, Bounds());
  double value = 0.0001;
  for (auto _ : state) {
    histogram.Observe(value);
    value = value < 1 ? value * 1.5 : 0.0001;
  }
}

BENCHMARK(BM_OwnCounterIncrement)->Threads(1)->Threads(2);
BENCHMARK(BM_PrometheusCppCounterIncrement)->Threads(1)->Threads(2);
BENCHMARK(BM_OwnHistogramObserve)->Threads(1)->Threads(2);
BENCHMARK(BM_PrometheusCppHistogramObserve)->Threads(1)->Threads(2);

// A synchronous Health service that always answers SERVING.
class ServingHealth final : public grpc::health::v1::Health::Service {
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* response) override {
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
};

// state.range(0): 1 with the metrics interceptor, 0 without.
void BM_HealthCheckCall(benchmark::State& state) {
  ServingHealth health;
  sockrpc::MetricsRegistry registry;
  sockrpc::GrpcCallMetrics metrics(registry, sockrpc::GrpcSide::kServer,
                                   {"grpc.health.v1.Health"});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&health);
  if (state.range(0) != 0) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<sockrpc::GrpcServerMetricsInterceptorFactory>(metrics));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  for (auto _ : state) {
    grpc::ClientContext context;
    if (!stub->Check(&context, request, &response).ok()) state.SkipWithError("call failed");
  }
  server->Shutdown();
}

// CPU: the whole process (client and server threads), per call.
BENCHMARK(BM_HealthCheckCall)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
