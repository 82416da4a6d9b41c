#include "clients/cpp/client_commands.h"

#include <cstdint>
#include <thread>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sockrpc/square/v1/square_service.grpc.pb.h"
#include "sockrpc/time/v1/time_service.grpc.pb.h"

namespace sockrpc {
namespace {

using sockrpc::square::v1::SquareRequest;
using sockrpc::square::v1::SquareResponse;
using sockrpc::square::v1::SquareService;
using sockrpc::square::v1::SquareStreamRequest;
using sockrpc::square::v1::SquareStreamResponse;
using sockrpc::time::v1::NowRequest;
using sockrpc::time::v1::NowResponse;
using sockrpc::time::v1::TimeService;

// gRPC's names for status codes, as grpcurl prints them.
const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",    "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",       "DATA_LOSS",
      "UNAUTHENTICATED"};
  const auto index = static_cast<size_t>(code);
  return index < std::size(kNames) ? kNames[index] : "UNKNOWN";
}

int Fail(const grpc::Status& status, std::ostream& err) {
  err << "error: " << CodeName(status.error_code()) << ": " << status.error_message() << "\n";
  return 1;
}

void SetDeadline(grpc::ClientContext& context, const ClientContextOptions& options) {
  context.set_deadline(std::chrono::system_clock::now() + options.timeout);
}

// Puts `text` into a request's number: int64 when it fits, else decimal.
template <typename Request>
void SetNumber(const std::string& text, Request& request) {
  int64_t value = 0;
  const bool plain = !text.empty() && text.find_first_of(" _\t") == std::string::npos;
  if (plain && absl::SimpleAtoi(text, &value)) {
    request.set_value(value);
  } else {
    request.set_decimal(text);
  }
}

}  // namespace

int RunNow(const std::shared_ptr<grpc::Channel>& channel, const std::string& zone,
           const ClientContextOptions& options, std::ostream& out, std::ostream& err) {
  auto stub = TimeService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context, options);
  NowRequest request;
  request.set_time_zone(zone);
  NowResponse response;
  const grpc::Status status = stub->Now(&context, request, &response);
  if (!status.ok()) return Fail(status, err);
  out << response.ctime() << "\n"
      << google::protobuf::util::TimeUtil::ToString(response.time()) << "\n"
      << response.time_zone() << "\n";
  return 0;
}

int RunSquare(const std::shared_ptr<grpc::Channel>& channel, const std::string& number,
              const ClientContextOptions& options, std::ostream& out, std::ostream& err) {
  auto stub = SquareService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(context, options);
  SquareRequest request;
  SetNumber(number, request);
  SquareResponse response;
  const grpc::Status status = stub->Square(&context, request, &response);
  if (!status.ok()) return Fail(status, err);
  out << response.square() << "\n";
  return 0;
}

int RunStream(const std::shared_ptr<grpc::Channel>& channel, std::istream& in, std::ostream& out,
              std::ostream& err) {
  auto stub = SquareService::NewStub(channel);
  grpc::ClientContext context;  // no deadline: the stream lasts as long as stdin
  auto stream = stub->SquareStream(&context);
  // Writes happen on their own thread so answers print as soon as they come.
  std::thread writer([&] {
    std::string line;
    uint64_t sequence = 0;
    while (std::getline(in, line)) {
      const std::string number(absl::StripAsciiWhitespace(line));
      if (number.empty()) continue;
      SquareStreamRequest request;
      request.set_sequence(++sequence);
      SetNumber(number, request);
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  SquareStreamResponse response;
  while (stream->Read(&response)) out << response.square() << std::endl;
  writer.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) return Fail(status, err);
  return 0;
}

}  // namespace sockrpc
