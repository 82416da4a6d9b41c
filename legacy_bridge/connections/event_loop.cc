#include "legacy_bridge/connections/event_loop.h"

#include <thread>

namespace sockrpc {

void RunEventLoop(asio::io_context& context, BusyPoll::Clock::duration busy_poll) {
  if (busy_poll <= BusyPoll::Clock::duration::zero()) {
    context.run();
    return;
  }
  BusyPoll poll(busy_poll);
  while (!context.stopped()) {
    // poll() runs what is ready without waiting; run_one() sleeps in epoll
    // until something is. Either stops the context once it is out of work.
    const size_t handled = poll.KeepPolling(BusyPoll::Clock::now()) ? context.poll()
                                                                     : context.run_one();
    if (handled > 0) {
      poll.OnEvent(BusyPoll::Clock::now());
    } else {
      std::this_thread::yield();
    }
  }
}

}  // namespace sockrpc
