// direct_squares_server: the "raw epoll server" / "no RPC hop" baseline.
//
// Serves SQUARES and TIME itself, answering locally (no gRPC): one epoll loop
// per thread (default one per core), each with its own SO_REUSEPORT listeners,
// non-blocking sockets, no thread per connection. Framing as the bridge does
// it for the benchmark's clients: a message ends at "\n"; a client that has
// never sent a newline (the original client) has each drained read taken as
// one message, like the original server's recv(). The first message gets the
// greeting; later ones str(int(m)**2) with no newline (int() as Python parses
// bytes: whitespace, sign, digits with single underscores; an invalid message
// gets an ERROR line). TIME: the ctime line of now, then close.
//
//   direct_squares_server [--square_listen=127.0.0.1:0] [--time_listen=127.0.0.1:0]
//                         [--threads=0] [--max_message_bytes=4096]
// logs "SQUARES listening on H:P, TIME listening on H:P" on stderr when ready.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <memory>
#include <thread>

#include "bench_util.h"

namespace {

constexpr std::string_view kGreeting = "Hello. Nice to see you.";
constexpr size_t kMaxPendingOut = 1 << 20;

__extension__ typedef unsigned __int128 U128;

std::string U128ToString(U128 value) {
  char buffer[48];
  char* end = buffer + sizeof buffer;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  return std::string(p, end);
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Python's int(bytes) in base 10 -> the digits of |n| without leading zeros.
bool ParsePythonInt(std::string_view m, std::string& digits) {
  size_t begin = 0, end = m.size();
  while (begin < end && IsSpace(m[begin])) ++begin;
  while (end > begin && IsSpace(m[end - 1])) --end;
  if (begin < end && (m[begin] == '+' || m[begin] == '-')) ++begin;
  if (begin == end) return false;
  digits.clear();
  bool previous_digit = false;
  for (size_t i = begin; i < end; ++i) {
    const char c = m[i];
    if (c >= '0' && c <= '9') {
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      previous_digit = true;
    } else if (c == '_' && previous_digit && i + 1 < end && m[i + 1] >= '0' && m[i + 1] <= '9') {
      previous_digit = false;
    } else {
      return false;
    }
  }
  if (digits.empty()) digits.push_back('0');
  return true;
}

std::string SquareOfDigits(const std::string& digits) {
  if (digits.size() <= 19) {
    uint64_t value = 0;
    for (char c : digits) value = value * 10 + static_cast<uint64_t>(c - '0');
    return U128ToString(static_cast<U128>(value) * value);
  }
  return bench::GmpSquare(digits);
}

int Listen(const sockaddr_in& address) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) bench::Die("socket failed");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    bench::Die(std::string("bind: ") + std::strerror(errno));
  }
  if (listen(fd, SOMAXCONN) != 0) bench::Die(std::string("listen: ") + std::strerror(errno));
  return fd;
}

sockaddr_in Resolve(const std::string& text) {
  auto [host, port] = bench::SplitHostPort(text);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    bench::Die("listen address must be an IPv4 literal host:port: " + text);
  }
  return address;
}

uint16_t BoundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

struct Conn {
  std::string in;
  std::string out;
  size_t out_offset = 0;
  bool greeted = false;
  bool line_client = false;
  bool closing = false;  // close once `out` is written
  bool watching_out = false;
};

class Loop {
 public:
  Loop(int square_fd, int time_fd, size_t max_message)
      : square_fd_(square_fd), time_fd_(time_fd), max_message_(max_message) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    Add(square_fd_, EPOLLIN);
    Add(time_fd_, EPOLLIN);
  }

  void Run() {
    epoll_event events[256];
    while (true) {
      const int n = epoll_wait(epoll_, events, 256, -1);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == square_fd_) {
          AcceptSquares();
        } else if (fd == time_fd_) {
          AcceptTime();
        } else {
          Conn* c = Find(fd);
          if (c == nullptr) continue;
          if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(fd, *c);
          c = Find(fd);
          if (c != nullptr && (events[i].events & EPOLLOUT)) Flush(fd, *c);
        }
      }
    }
  }

 private:
  void Add(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }
  void Modify(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &ev);
  }

  Conn* Find(int fd) {
    const size_t index = static_cast<size_t>(fd);
    return index < conns_.size() ? conns_[index].get() : nullptr;
  }

  void Close(int fd) {
    conns_[static_cast<size_t>(fd)].reset();
    close(fd);
  }

  void AcceptSquares() {
    while (true) {
      const int fd = accept4(square_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const size_t index = static_cast<size_t>(fd);
      if (conns_.size() <= index) conns_.resize(index + 1024);
      conns_[index] = std::make_unique<Conn>();
      Add(fd, EPOLLIN);
    }
  }

  void AcceptTime() {
    while (true) {
      const int fd = accept4(time_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      const time_t now = time(nullptr);
      if (now != time_cached_) {
        time_cached_ = now;
        time_line_ = bench::CtimeText(now) + "\n";
      }
      // Fits any socket buffer: one write, then close (like the original).
      const ssize_t written = write(fd, time_line_.data(), time_line_.size());
      (void)written;
      close(fd);
    }
  }

  void Answer(Conn& c, std::string_view message) {
    if (!c.greeted) {
      c.greeted = true;
      c.out.append(kGreeting);
      return;
    }
    if (ParsePythonInt(message, digits_)) {
      c.out += SquareOfDigits(digits_);
    } else {
      c.out += "ERROR invalid literal for int() with base 10: b'" + bench::Escape(message, 4096) +
               "'\n";
    }
  }

  void OnReadable(int fd, Conn& c) {
    bool eof = false;
    while (true) {
      const ssize_t n = read(fd, buffer_, sizeof buffer_);
      if (n > 0) {
        c.in.append(buffer_, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof buffer_) break;
        continue;
      }
      if (n == 0) {
        eof = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Close(fd);
      return;
    }
    size_t start = 0;
    for (size_t newline; (newline = c.in.find('\n', start)) != std::string::npos;) {
      c.line_client = true;
      Answer(c, std::string_view(c.in).substr(start, newline - start));
      start = newline + 1;
    }
    c.in.erase(0, start);
    if (!c.in.empty() && (eof || !c.line_client)) {
      Answer(c, c.in);  // drained: the unterminated rest is one message
      c.in.clear();
    } else if (c.in.size() > max_message_) {
      c.out += "ERROR message longer than " + std::to_string(max_message_) + " bytes; closing\n";
      c.closing = true;
    }
    if (eof) c.closing = true;
    Flush(fd, c);
  }

  void Flush(int fd, Conn& c) {
    while (c.out_offset < c.out.size()) {
      const ssize_t n = write(fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset);
      if (n > 0) {
        c.out_offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // Stop reading while too much is unsent: memory stays bounded.
        const bool full = c.out.size() - c.out_offset > kMaxPendingOut || c.closing;
        Modify(fd, full ? EPOLLOUT : (EPOLLIN | EPOLLOUT));
        c.watching_out = true;
        return;
      }
      Close(fd);
      return;
    }
    c.out.clear();
    c.out_offset = 0;
    if (c.closing) {
      shutdown(fd, SHUT_WR);
      Close(fd);
      return;
    }
    if (c.watching_out) {
      Modify(fd, EPOLLIN);
      c.watching_out = false;
    }
  }

  int square_fd_, time_fd_;
  size_t max_message_;
  int epoll_ = -1;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::string digits_;
  time_t time_cached_ = 0;
  std::string time_line_;
  char buffer_[65536];
};

}  // namespace

int main(int argc, char** argv) {
  bench::Flags flags(argc, argv,
                     "usage: direct_squares_server [--square_listen=127.0.0.1:0] "
                     "[--time_listen=127.0.0.1:0] [--threads=0] [--max_message_bytes=4096]");
  sockaddr_in square_address = Resolve(flags.Str("square_listen", "127.0.0.1:0"));
  sockaddr_in time_address = Resolve(flags.Str("time_listen", "127.0.0.1:0"));
  int64_t threads = flags.Int("threads", 0);
  const int64_t max_message = flags.Int("max_message_bytes", 4096);
  flags.Finish();
  if (threads <= 0) threads = static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  if (max_message < 1) bench::Die("--max_message_bytes must be positive");
  signal(SIGPIPE, SIG_IGN);
  bench::RaiseFileLimit();

  // The first listener picks the port (port 0); the others share it (SO_REUSEPORT).
  std::vector<std::unique_ptr<Loop>> loops;
  for (int64_t t = 0; t < threads; ++t) {
    const int square_fd = Listen(square_address);
    const int time_fd = Listen(time_address);
    square_address.sin_port = htons(BoundPort(square_fd));
    time_address.sin_port = htons(BoundPort(time_fd));
    loops.push_back(std::make_unique<Loop>(square_fd, time_fd, static_cast<size_t>(max_message)));
  }
  char host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &square_address.sin_addr, host, sizeof host);
  char time_host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &time_address.sin_addr, time_host, sizeof time_host);
  std::fprintf(stderr, "SQUARES listening on %s:%u, TIME listening on %s:%u (%lld threads)\n", host,
               ntohs(square_address.sin_port), time_host, ntohs(time_address.sin_port),
               static_cast<long long>(threads));
  std::fflush(stderr);
  std::vector<std::thread> running;
  for (auto& loop : loops) running.emplace_back([&loop] { loop->Run(); });
  for (auto& thread : running) thread.join();  // runs until killed (SIGTERM/SIGINT)
  return 0;
}
