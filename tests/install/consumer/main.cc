// square_once TARGET NUMBER: calls sockrpc.square.v1.SquareService/Square
// once and prints the square, through the installed sockrpc::proto library.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>

#include "sockrpc/square/v1/square_service.grpc.pb.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: square_once TARGET NUMBER\n";
    return 2;
  }
  auto stub = sockrpc::square::v1::SquareService::NewStub(
      grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));
  sockrpc::square::v1::SquareRequest request;
  request.set_decimal(argv[2]);
  sockrpc::square::v1::SquareResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.set_wait_for_ready(true);
  const grpc::Status status = stub->Square(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "square_once: " << status.error_message() << "\n";
    return 1;
  }
  std::cout << response.square() << "\n";
  return 0;
}
