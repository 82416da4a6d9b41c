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
    if (poll.KeepPolling(BusyPoll::Clock::now())) {
      if (context.poll() > 0) {
        poll.OnEvent(BusyPoll::Clock::now());
      } else {
        std::this_thread::yield();
      }
    } else if (context.run_one() > 0) {
      // run_one() also ran the handler, so the time slept reads a few
      // microseconds long: the window errs on the short side.
      const BusyPoll::Clock::time_point now = BusyPoll::Clock::now();
      poll.OnWokenUp(now);
      poll.OnEvent(now);
    }
  }
}

}  // namespace sockrpc
