// The verbs of the C++ command-line client, one function each. They print
// results on stdout and errors on stderr, and return the exit status:
// 0 success, 1 the call failed, 2 bad usage.
#ifndef SOCKRPC_CLIENTS_CPP_CLIENT_COMMANDS_H_
#define SOCKRPC_CLIENTS_CPP_CLIENT_COMMANDS_H_

#include <chrono>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include <grpcpp/grpcpp.h>

namespace sockrpc {

struct ClientContextOptions {
  std::chrono::milliseconds timeout{10'000};
};

// `now [--zone Z]`: ctime text, RFC 3339 instant and zone, one per line.
int RunNow(const std::shared_ptr<grpc::Channel>& channel, const std::string& zone,
           const ClientContextOptions& options, std::ostream& out, std::ostream& err);

// `square N`: the exact square of N (any size).
int RunSquare(const std::shared_ptr<grpc::Channel>& channel, const std::string& number,
              const ClientContextOptions& options, std::ostream& out, std::ostream& err);

// `stream`: squares every line of `in` over one SquareStream, printing each
// answer as it arrives.
int RunStream(const std::shared_ptr<grpc::Channel>& channel, std::istream& in,
              std::ostream& out, std::ostream& err);

}  // namespace sockrpc

#endif  // SOCKRPC_CLIENTS_CPP_CLIENT_COMMANDS_H_
