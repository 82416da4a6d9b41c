// SquareStreamRequests as the stream tests build them.
#ifndef SOCKRPC_TESTS_RPC_SERVER_STREAM_REQUESTS_H_
#define SOCKRPC_TESTS_RPC_SERVER_STREAM_REQUESTS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "sockrpc/square/v1/square_service.pb.h"

namespace sockrpc {

inline sockrpc::square::v1::SquareStreamRequest ValueRequest(uint64_t sequence, int64_t value) {
  sockrpc::square::v1::SquareStreamRequest request;
  request.set_sequence(sequence);
  request.set_value(value);
  return request;
}

inline sockrpc::square::v1::SquareStreamRequest DecimalRequest(uint64_t sequence,
                                                               std::string decimal) {
  sockrpc::square::v1::SquareStreamRequest request;
  request.set_sequence(sequence);
  request.set_decimal(std::move(decimal));
  return request;
}

}  // namespace sockrpc

#endif  // SOCKRPC_TESTS_RPC_SERVER_STREAM_REQUESTS_H_
