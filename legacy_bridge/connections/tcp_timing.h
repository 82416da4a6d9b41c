// What the bridge asks of the kernel's TCP so that a line a client wrote in
// pieces is read as one message, whatever the client's Nagle setting.
//
// A client with Nagle's algorithm on (every socket's default) holds back the
// next piece of a line until its previous piece is acknowledged, and Linux
// delays that acknowledgement by up to 40 ms on an interactive connection:
// longer than the bridge's line pause. So when a read leaves a message
// unfinished, the bridge acknowledges at once (AcknowledgeNow), and it waits
// for the rest at least one round trip of the connection (SmoothedRoundTrip),
// the time the held piece needs to come once the acknowledgement leaves.
// docs/legacy-protocol.md has the whole story and the measurements.
#ifndef SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_TCP_TIMING_H_
#define SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_TCP_TIMING_H_

#include <chrono>

namespace sockrpc {

// Sends the acknowledgement of what `fd` has received now rather than after
// the delayed-ACK timer (re-arms TCP_QUICKACK, which the kernel clears by
// itself). Best effort: errors are ignored.
void AcknowledgeNow(int fd);

// The kernel's smoothed round-trip time of the TCP connection `fd` (TCP_INFO);
// zero if it cannot be read.
std::chrono::microseconds SmoothedRoundTrip(int fd);

// How long an unfinished line waits for more bytes before the bridge takes
// the client to be waiting: the configured pause, plus one round trip for a
// piece held back by Nagle's algorithm to arrive after the acknowledgement.
std::chrono::microseconds LinePause(std::chrono::milliseconds configured,
                                    std::chrono::microseconds round_trip);

}  // namespace sockrpc

#endif  // SOCKRPC_LEGACY_BRIDGE_CONNECTIONS_TCP_TIMING_H_
