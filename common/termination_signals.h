// SIGINT/SIGTERM handling without signal handlers: the signals are blocked in
// every thread, and one ordinary thread waits for them with sigwait(2). That
// thread can then drain and shut down servers, which a handler never may.
#ifndef SOCKRPC_COMMON_TERMINATION_SIGNALS_H_
#define SOCKRPC_COMMON_TERMINATION_SIGNALS_H_

namespace sockrpc {

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it
// starts afterwards. Call first thing in main(), before any thread exists.
void BlockTerminationSignals();

// Waits until SIGINT or SIGTERM arrives and returns its number.
int WaitForTerminationSignal();

}  // namespace sockrpc

#endif  // SOCKRPC_COMMON_TERMINATION_SIGNALS_H_
