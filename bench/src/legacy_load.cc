// legacy_load: load generator for the legacy byte protocols (SQUARES, TIME).
//
// Event-driven (one epoll loop per thread, non-blocking sockets, no thread per
// connection). Every reply byte is checked: SQUARES answers against the exact
// square (GMP for big numbers), TIME lines against the ctime of the client's
// own clock. Prints one JSON object (see bench_util.h Result) on stdout.
//
// Modes:
//   original  SQUARES like the original client: "Hi there!" without newline,
//             wait for the greeting, then lockstep str(n) without delimiter.
//   lines     the same with "\n"-terminated messages.
//   time      connect, read the line until the server closes, reconnect.
//   idle      open --clients handshaked SQUARES sessions (original style) and
//             hold them, while one extra "original" client runs lockstep: its
//             latency is the figure reported.
//
// Phases: connect/handshake every client (at most --connect_concurrency at
// once), --warmup seconds of load, --duration seconds measured (ops that
// complete inside the window count; server CPU and RSS of --pids are sampled
// at the window's edges), then outstanding requests are drained and checked.
// With --requests=N the load is a fixed count instead of a time: every client
// makes N round trips (TIME: N connections) with no warm-up, and the window
// lasts until the last one is done (--duration then bounds it), so that two
// runs do the same work whatever the speed (bench/profile.sh counts
// instructions per round trip this way).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bench_util.h"

namespace {

using bench::NowNs;

enum class Mode { kOriginal, kLines, kTime, kIdle };

constexpr char kGreetingText[] = "Hello. Nice to see you.";
constexpr std::string_view kShedLine = "ERROR service overloaded; try again\n";

struct Options {
  Mode mode = Mode::kOriginal;
  sockaddr_in address{};
  int clients = 1;
  int threads = 1;
  int digits = 0;
  int connect_concurrency = 256;
  uint64_t requests = 0;  // per client; 0: time-based (--warmup, --duration)
  bool nodelay = false;
  double duration_s = 5;
  double warmup_s = 0.5;
  double op_timeout_s = 10;
  double ramp_timeout_s = 120;
  double drain_timeout_s = 5;
};

// Shared between the controller and the workers.
struct Control {
  std::atomic<int> phase{0};  // 0 connecting, 1 load, 2 drain (no new requests)
  std::atomic<uint64_t> window_start{0};
  std::atomic<uint64_t> window_end{UINT64_MAX};
  std::atomic<int> ready{0};   // clients connected and handshaked
  std::atomic<int> failed{0};  // clients that failed before being ready
  std::atomic<int> finished{0};
  std::atomic<int> clients_done{0};  // --requests: clients that made all theirs
};

struct Conn {
  enum State { kUnstarted, kConnecting, kGreeting, kReady, kWaiting, kHeld, kClosed };
  int fd = -1;
  State state = kUnstarted;
  bool probe = false;  // idle mode: the lockstep client that is measured
  bool held = false;   // idle mode: a session that is only held open
  uint64_t op_start = 0;
  uint64_t counter = 0;
  uint64_t issued = 0;  // requests started (TIME: connections completed)
  std::string expect;  // reply expected to the request in flight
  size_t got = 0;
  std::string out;  // bytes still to write
  size_t out_offset = 0;
  bool watching_out = false;
  std::string time_line;
};

class Worker {
 public:
  Worker(const Options& options, Control& control, int index, int clients, bool with_probe,
         const std::vector<std::pair<std::string, std::string>>& big)
      : options_(options), control_(control), big_(big) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) bench::Die("epoll_create1 failed");
    conns_.resize(static_cast<size_t>(clients) + (with_probe ? 1 : 0));
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      c.counter = (static_cast<uint64_t>(index) * 7919u + i * 104729u) % 100000u;
      if (options_.mode == Mode::kIdle) {
        c.probe = with_probe && i + 1 == conns_.size();
        c.held = !c.probe;
      }
    }
    samples_.reserve(1 << 16);
  }

  void Run() {
    const uint64_t timeout_ns = static_cast<uint64_t>(options_.op_timeout_s * 1e9);
    uint64_t next_scan = NowNs() + 200'000'000;
    uint64_t drain_deadline = 0;
    int last_phase = -1;
    epoll_event events[512];
    while (true) {
      const int phase = control_.phase.load(std::memory_order_acquire);
      if (phase != last_phase) {
        last_phase = phase;
        if (phase == 1) StartLoad();
        if (phase == 2) {
          drain_deadline = NowNs() + static_cast<uint64_t>(options_.drain_timeout_s * 1e9);
        }
      }
      if (phase == 0) StartConnects();
      RetryFailedConnects();
      if (phase == 2 && Outstanding() == 0) break;
      if (phase == 2 && NowNs() > drain_deadline) {
        Error(std::to_string(Outstanding()) + " requests unanswered after --drain_timeout");
        break;
      }

      const int n = epoll_wait(epoll_, events, 512, 20);
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events[i].data.u64];
        const uint32_t ev = events[i].events;
        if (c.state == Conn::kConnecting && options_.mode != Mode::kTime) {
          OnConnected(c, ev);
          continue;
        }
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(c);
        if (c.fd >= 0 && (ev & EPOLLOUT)) Flush(c);
      }
      const uint64_t now = NowNs();
      if (now >= next_scan) {
        next_scan = now + 200'000'000;
        for (Conn& c : conns_) {
          if (c.fd >= 0 && c.state != Conn::kHeld && c.state != Conn::kReady &&
              c.op_start != 0 && now - c.op_start > timeout_ns) {
            Fail(c, std::string(c.state == Conn::kConnecting
                                    ? (IsSquares() ? "connect" : "TIME line")
                                    : (c.state == Conn::kGreeting ? "greeting" : "reply")) +
                        " not complete within --op_timeout");
          }
        }
      }
    }
    // Final check of held sessions: each must still be open.
    for (Conn& c : conns_) {
      if (c.held && c.state == Conn::kHeld) ++held_at_end_;
      if (c.fd >= 0) {
        close(c.fd);
        c.fd = -1;
      }
    }
    close(epoll_);
    control_.finished.fetch_add(1);
  }

  uint64_t ops() const { return ops_; }
  uint64_t errors() const { return errors_; }
  uint64_t shed() const { return shed_; }
  const std::string& first_error() const { return first_error_; }
  std::vector<uint64_t>& samples() { return samples_; }
  int held_at_end() const { return held_at_end_; }
  uint64_t connects() const { return connects_; }

 private:
  bool IsSquares() const { return options_.mode != Mode::kTime; }

  size_t Outstanding() const {
    size_t n = 0;
    for (const Conn& c : conns_) {
      if (c.fd >= 0 && (c.state == Conn::kWaiting || c.state == Conn::kConnecting ||
                        c.state == Conn::kGreeting)) {
        ++n;
      }
    }
    return n;
  }

  void Error(const std::string& what) {
    ++errors_;
    if (first_error_.empty()) first_error_ = what;
  }

  void Fail(Conn& c, const std::string& what) {
    Error(what);
    const bool was_ready = c.state != Conn::kConnecting && c.state != Conn::kGreeting &&
                           c.state != Conn::kUnstarted;
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    if (IsSquares() && !was_ready) {
      control_.failed.fetch_add(1);
      --setting_up_;
    }
    c.state = Conn::kClosed;
    c.op_start = 0;
    // TIME clients start over with a new connection, 10 ms later (never
    // recursively: a refused loopback connect fails inside connect()).
    if (!IsSquares()) retry_.emplace_back(NowNs() + 10'000'000, static_cast<size_t>(&c - conns_.data()));
  }

  void RetryFailedConnects() {
    if (retry_.empty() || control_.phase.load(std::memory_order_relaxed) != 1) return;
    const uint64_t now = NowNs();
    std::vector<std::pair<uint64_t, size_t>> due;
    for (auto it = retry_.begin(); it != retry_.end();) {
      if (it->first <= now) {
        due.push_back(*it);
        it = retry_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [when, index] : due) Connect(conns_[index]);
  }

  void Watch(Conn& c, bool out, bool add) {
    epoll_event ev{};
    ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    if (epoll_ctl(epoll_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &ev) != 0) {
      Error(std::string("epoll_ctl: ") + std::strerror(errno));
    }
    c.watching_out = out;
  }

  void StartConnects() {
    if (!IsSquares()) return;
    while (setting_up_ < options_.connect_concurrency && next_unstarted_ < conns_.size()) {
      Conn& c = conns_[next_unstarted_++];
      // The probe of idle mode connects only once every held session is ready.
      if (c.probe) {
        probe_pending_ = true;
        continue;
      }
      ++setting_up_;
      Connect(c);
    }
  }

  void Connect(Conn& c) {
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      c.state = Conn::kClosed;
      Error(std::string("socket: ") + std::strerror(errno));
      if (IsSquares()) {
        control_.failed.fetch_add(1);
        --setting_up_;
      }
      return;
    }
    if (options_.nodelay) {
      int one = 1;
      setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    c.state = Conn::kConnecting;
    c.op_start = NowNs();
    c.time_line.clear();
    ++connects_;
    const int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&options_.address),
                           sizeof options_.address);
    if (rc != 0 && errno != EINPROGRESS) {
      Fail(c, std::string("connect: ") + std::strerror(errno));
      return;
    }
    // TIME: only wait for the line (errors show up as EPOLLERR/EPOLLHUP).
    Watch(c, IsSquares(), true);
  }

  void OnConnected(Conn& c, uint32_t events) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0 || (events & EPOLLERR)) {
      Fail(c, std::string("connect: ") + std::strerror(error != 0 ? error : ECONNREFUSED));
      return;
    }
    Watch(c, false, false);
    c.state = Conn::kGreeting;
    c.expect = kGreetingText;
    c.got = 0;
    Send(c, options_.mode == Mode::kLines ? "Hi there!\n" : "Hi there!");
  }

  void Send(Conn& c, std::string bytes) {
    c.out = std::move(bytes);
    c.out_offset = 0;
    Flush(c);
  }

  void Flush(Conn& c) {
    while (c.out_offset < c.out.size()) {
      const ssize_t n = write(c.fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset);
      if (n > 0) {
        c.out_offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c.watching_out) Watch(c, true, false);
        return;
      }
      Fail(c, std::string("write: ") + std::strerror(errno));
      return;
    }
    if (c.watching_out) Watch(c, false, false);
  }

  // Starts the next lockstep request on a ready connection.
  void NextRequest(Conn& c) {
    if (control_.phase.load(std::memory_order_relaxed) != 1 || c.held) {
      c.state = c.held ? Conn::kHeld : Conn::kReady;
      c.op_start = 0;
      return;
    }
    if (options_.requests > 0 && c.issued >= options_.requests) {
      c.state = Conn::kReady;
      c.op_start = 0;
      control_.clients_done.fetch_add(1);
      return;
    }
    ++c.issued;
    std::string message;
    if (options_.digits > 0) {
      const auto& entry = big_[c.counter % big_.size()];
      message = entry.first;
      c.expect = entry.second;
    } else {
      message = bench::U64ToString(c.counter);
      c.expect = bench::SmallSquare(c.counter);
    }
    ++c.counter;
    if (options_.mode == Mode::kLines) message.push_back('\n');
    c.got = 0;
    c.state = Conn::kWaiting;
    c.op_start = NowNs();
    Send(c, std::move(message));
  }

  void StartLoad() {
    if (!IsSquares()) {
      for (Conn& c : conns_) Connect(c);
      return;
    }
    for (Conn& c : conns_) {
      if (c.fd >= 0 && c.state == Conn::kReady) NextRequest(c);
    }
    if (probe_pending_) {
      Conn& probe = conns_.back();
      ++setting_up_;
      Connect(probe);
    }
  }

  void CompleteOp(Conn& c) {
    const uint64_t now = NowNs();
    const uint64_t start = control_.window_start.load(std::memory_order_relaxed);
    const uint64_t end = control_.window_end.load(std::memory_order_relaxed);
    const bool counted = (options_.requests > 0 || (start != 0 && now >= start && now <= end)) && !c.held;
    if (counted && (options_.mode != Mode::kIdle || c.probe)) {
      ++ops_;
      samples_.push_back(now - c.op_start);
    }
  }

  void OnReadable(Conn& c) {
    while (c.fd >= 0) {
      const ssize_t n = read(c.fd, buffer_, sizeof buffer_);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        Fail(c, std::string("read: ") + std::strerror(errno) + StateText(c));
        return;
      }
      if (n == 0) {
        OnEof(c);
        return;
      }
      const std::string_view data(buffer_, static_cast<size_t>(n));
      if (!IsSquares()) {
        c.time_line.append(data);
        if (c.time_line.size() > 64) {
          Fail(c, "TIME reply too long: " + bench::Escape(c.time_line));
          return;
        }
        continue;
      }
      OnSquaresBytes(c, data);
      if (static_cast<size_t>(n) < sizeof buffer_) return;
    }
  }

  static std::string StateText(const Conn& c) {
    return " (state " + std::to_string(static_cast<int>(c.state)) + ", counter " +
           std::to_string(c.counter) + ")";
  }

  void OnSquaresBytes(Conn& c, std::string_view data) {
    if (c.state != Conn::kWaiting && c.state != Conn::kGreeting) {
      Fail(c, "unexpected bytes with no request outstanding: " + bench::Escape(data));
      return;
    }
    // A shed message: the bridge says so at once; the client asks the next one.
    if (c.state == Conn::kWaiting && c.got == 0 && data == kShedLine) {
      ++shed_;
      NextRequest(c);
      return;
    }
    const size_t remaining = c.expect.size() - c.got;
    const std::string_view want = std::string_view(c.expect).substr(c.got, data.size());
    if (data.size() > remaining || data.substr(0, want.size()) != want) {
      size_t at = 0;
      while (at < want.size() && at < data.size() && data[at] == want[at]) ++at;
      Fail(c, "reply mismatch at byte " + std::to_string(c.got + at) + ": expected \"" +
                  bench::Escape(std::string_view(c.expect).substr(c.got + at), 40) + "\", got \"" +
                  bench::Escape(data.substr(at), 40) + "\" (reply of " +
                  std::to_string(c.expect.size()) + " bytes expected)");
      return;
    }
    c.got += data.size();
    if (c.got < c.expect.size()) return;
    if (c.state == Conn::kGreeting) {
      --setting_up_;
      control_.ready.fetch_add(1);
      if (c.probe || control_.phase.load() == 1) {
        NextRequest(c);
      } else {
        c.state = c.held ? Conn::kHeld : Conn::kReady;
        c.op_start = 0;
      }
      return;
    }
    CompleteOp(c);
    NextRequest(c);
  }

  void OnEof(Conn& c) {
    if (IsSquares()) {
      Fail(c, "server closed the connection" + StateText(c));
      return;
    }
    // TIME: one line, then the server closed.
    const std::string& line = c.time_line;
    if (line.size() != 25 || line.back() != '\n' ||
        !checker_.Check(std::string_view(line).substr(0, 24))) {
      Fail(c, "bad TIME line: \"" + bench::Escape(line) + "\" (expected the ctime of now + \\n)");
      return;
    }
    CompleteOp(c);
    close(c.fd);
    c.fd = -1;
    c.state = Conn::kClosed;
    c.op_start = 0;
    if (options_.requests > 0 && ++c.issued >= options_.requests) {
      control_.clients_done.fetch_add(1);
      return;
    }
    if (control_.phase.load(std::memory_order_relaxed) == 1) Connect(c);
  }

  const Options& options_;
  Control& control_;
  const std::vector<std::pair<std::string, std::string>>& big_;
  int epoll_ = -1;
  std::vector<Conn> conns_;
  size_t next_unstarted_ = 0;
  int setting_up_ = 0;
  bool probe_pending_ = false;
  std::vector<std::pair<uint64_t, size_t>> retry_;  // TIME: (when, connection) to reconnect
  uint64_t ops_ = 0, errors_ = 0, connects_ = 0;
  uint64_t shed_ = 0;  // "ERROR service overloaded; try again" replies (not errors)
  std::string first_error_;
  std::vector<uint64_t> samples_;
  int held_at_end_ = 0;
  bench::CtimeChecker checker_;
  char buffer_[65536];
};

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(
      argc, argv,
      "usage: legacy_load --target=127.0.0.1:PORT --mode=original|lines|time|idle\n"
      "  [--clients=N] [--duration=S] [--warmup=S] [--digits=D] [--threads=T]\n"
      "  [--connect_concurrency=N] [--nodelay] [--op_timeout=S] [--ramp_timeout=S] [--drain_timeout=S]\n"
      "  [--requests=N (per client, instead of a time; --duration then bounds the run)]\n"
      "  [--pids=PID,PID] [--scenario=NAME] [--system=NAME]");
  Options options;
  const std::string target = flags.Str("target", "127.0.0.1:50007");
  const std::string mode = flags.Str("mode", "original");
  options.clients = static_cast<int>(flags.Int("clients", 1));
  options.duration_s = flags.Double("duration", 5);
  options.warmup_s = flags.Double("warmup", 0.5);
  options.digits = static_cast<int>(flags.Int("digits", 0));
  options.threads = static_cast<int>(flags.Int("threads", 1));
  options.connect_concurrency = static_cast<int>(flags.Int("connect_concurrency", 256));
  options.nodelay = flags.Bool("nodelay", false);
  options.op_timeout_s = flags.Double("op_timeout", 10);
  options.ramp_timeout_s = flags.Double("ramp_timeout", 120);
  options.drain_timeout_s = flags.Double("drain_timeout", 5);
  const int64_t requests = flags.Int("requests", 0);
  const std::vector<int> pids = bench::ParsePids(flags.Str("pids", ""));
  bench::Result result;
  result.tool = "legacy_load";
  result.scenario = flags.Str("scenario", "");
  result.system = flags.Str("system", "");
  flags.Finish();

  if (mode == "original") options.mode = Mode::kOriginal;
  else if (mode == "lines") options.mode = Mode::kLines;
  else if (mode == "time") options.mode = Mode::kTime;
  else if (mode == "idle") options.mode = Mode::kIdle;
  else bench::Die("unknown --mode " + mode);
  result.mode = mode;
  if (options.clients < 1 || options.threads < 1 || options.duration_s <= 0) {
    bench::Die("--clients, --threads and --duration must be positive");
  }
  if (requests < 0 || requests > 1'000'000'000) bench::Die("--requests must be 0..1000000000");
  options.requests = static_cast<uint64_t>(requests);
  if (options.requests > 0 && options.mode == Mode::kIdle) bench::Die("--requests does not apply to --mode=idle");
  if (options.mode == Mode::kIdle) options.threads = 1;
  if (options.threads > options.clients) options.threads = options.clients;

  auto [host, port] = bench::SplitHostPort(target);
  options.address.sin_family = AF_INET;
  options.address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &options.address.sin_addr) != 1) {
    bench::Die("--target must be an IPv4 literal host:port, got " + target);
  }
  bench::RaiseFileLimit();

  std::vector<std::pair<std::string, std::string>> big;
  if (options.digits > 0) big = bench::BigNumbers(options.digits, 64, 12345);

  Control control;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < options.threads; ++t) {
    const int share = options.clients / options.threads + (t < options.clients % options.threads);
    workers.push_back(std::make_unique<Worker>(options, control, t, share,
                                               options.mode == Mode::kIdle && t == 0, big));
  }
  const uint64_t ramp_start = NowNs();
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });

  // 1. Every SQUARES client connected and handshaked (or failed).
  const bool squares = options.mode != Mode::kTime;
  const int idle_clients = options.clients;  // the probe comes on top in idle mode
  const uint64_t ramp_deadline = ramp_start + static_cast<uint64_t>(options.ramp_timeout_s * 1e9);
  while (squares && control.ready.load() + control.failed.load() < idle_clients &&
         NowNs() < ramp_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double ramp_s = static_cast<double>(NowNs() - ramp_start) / 1e9;
  const int ready_after_ramp = control.ready.load();

  // 2. Warm-up, then the measured window with the servers sampled at its edges
  // (--requests: no warm-up; the window ends when every client is done, or at
  // --duration).
  bench::ServerSampler sampler(pids);
  uint64_t window_start = 0;
  if (options.requests > 0) {
    window_start = NowNs();
    sampler.Start();
    control.window_start.store(window_start);
    control.phase.store(1, std::memory_order_release);
    const uint64_t bound = window_start + static_cast<uint64_t>(options.duration_s * 1e9);
    while (control.clients_done.load() < ready_after_ramp + (squares ? 0 : options.clients) &&
           NowNs() < bound) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  } else {
    control.phase.store(1, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::duration<double>(options.warmup_s));
    window_start = NowNs();
    sampler.Start();
    control.window_start.store(window_start);
    std::this_thread::sleep_for(std::chrono::duration<double>(options.duration_s));
  }
  const uint64_t window_end = NowNs();
  control.window_end.store(window_end);
  sampler.Stop();

  // 3. Drain: no new requests; outstanding ones answered and checked.
  control.phase.store(2, std::memory_order_release);
  for (auto& thread : threads) thread.join();

  std::vector<uint64_t> samples;
  int held = 0;
  uint64_t connects = 0;
  uint64_t shed = 0;
  for (auto& worker : workers) {
    result.ops += worker->ops();
    result.errors += worker->errors();
    shed += worker->shed();
    if (result.first_error.empty()) result.first_error = worker->first_error();
    samples.insert(samples.end(), worker->samples().begin(), worker->samples().end());
    held += worker->held_at_end();
    connects += worker->connects();
  }
  result.seconds = static_cast<double>(window_end - window_start) / 1e9;
  result.latency = bench::Summarize(samples);
  result.servers_json = sampler.Json();
  {
    char cpu[160];
    std::snprintf(cpu, sizeof cpu, "%.3f, \"machine_cpu_s\": %.3f, \"other_cpu_s\": %.3f",
                  sampler.self_cpu_s(), sampler.machine_cpu_s(), sampler.other_cpu_s());
    result.extra.emplace_back("load_cpu_s", cpu);
  }
  result.extra.emplace_back("clients", std::to_string(options.clients));
  result.extra.emplace_back("digits", std::to_string(options.digits));
  result.extra.emplace_back("shed", std::to_string(shed));
  result.extra.emplace_back("threads", std::to_string(options.threads));
  if (squares) {
    char ramp[32];
    std::snprintf(ramp, sizeof ramp, "%.3f", ramp_s);
    result.extra.emplace_back("ramp_s", ramp);
    result.extra.emplace_back("ready", std::to_string(ready_after_ramp));
  } else {
    result.extra.emplace_back("connects", std::to_string(connects));
  }
  if (options.mode == Mode::kIdle) {
    result.extra.emplace_back("held_at_end", std::to_string(held));
    if (held != options.clients) {
      result.errors += static_cast<uint64_t>(options.clients - held);
      if (result.first_error.empty()) {
        result.first_error = std::to_string(options.clients - held) + " held sessions lost";
      }
    }
  }
  if (options.requests > 0) {
    result.extra.emplace_back("requests", std::to_string(options.requests));
    const uint64_t expected = options.requests * static_cast<uint64_t>(options.clients);
    if (result.ops < expected && result.first_error.empty()) {
      result.first_error = std::to_string(result.ops) + " of " + std::to_string(expected) +
                           " requests done within --duration";
      ++result.errors;
    }
  }
  if (ready_after_ramp < idle_clients && squares && result.first_error.empty()) {
    result.first_error = "only " + std::to_string(ready_after_ramp) + " of " +
                         std::to_string(idle_clients) + " clients handshaked";
    ++result.errors;
  }
  std::printf("%s\n", result.Json().c_str());
  return result.errors == 0 ? 0 : 1;
}
