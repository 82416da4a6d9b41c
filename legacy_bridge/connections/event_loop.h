// How the bridge's event-loop threads run their io_context.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_EVENT_LOOP_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_EVENT_LOOP_H_

#include <asio/io_context.hpp>

#include "common/busy_poll.h"

namespace sockrpc {

// Runs `context` until it is stopped or out of work. After each handler it
// keeps polling, without sleeping in epoll, for up to `busy_poll`, as long
// as the gaps between its events need (common/busy_poll.h): a lockstep
// client's next message usually comes within that time.
void RunEventLoop(asio::io_context& context, BusyPoll::Clock::duration busy_poll);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_EVENT_LOOP_H_
