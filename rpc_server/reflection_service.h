// gRPC server reflection, under both grpc.reflection.v1 (what current
// grpcurl, buf and Postman try first) and grpc.reflection.v1alpha (what older
// clients use), answered from the DescriptorCatalog so that `describe` shows
// the protos' comments. The two protocols have the same messages under two
// package names, so one template serves both. Served on the async API by the
// serving threads, like every other service (docs/architecture.md, "Why the
// async API").
#ifndef SOCKRPC_RPC_SERVER_REFLECTION_SERVICE_H_
#define SOCKRPC_RPC_SERVER_REFLECTION_SERVICE_H_

#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "common/completion_tag.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "rpc_server/descriptor_catalog.h"
#include "rpc_server/serving_threads.h"

namespace sockrpc {

template <typename Service, typename Request, typename Response>
class ReflectionService {
 public:
  // `services`: the names list_services reports.
  ReflectionService(const DescriptorCatalog& catalog, std::vector<std::string> services)
      : catalog_(catalog), services_(std::move(services)) {}
  ReflectionService(const ReflectionService&) = delete;
  ReflectionService& operator=(const ReflectionService&) = delete;

  // Registers the service (before BuildAndStart).
  void Register(grpc::ServerBuilder& builder) { builder.RegisterService(&service_); }
  // Requests the first call (once the server is started).
  void Prime(ServingThreads& threads) { Call::Await(*this, threads); }

 private:
  // One reflection stream: answers each request in turn, one operation in
  // flight at a time, so one tag and a state say which one completed.
  class Call final : public CompletionTag {
   public:
    static void Await(ReflectionService& owner, ServingThreads& threads) {
      new Call(owner, threads);
    }

    // One operation is outstanding at a time, so completions never
    // overlap; nothing touches the object after starting the next one.
    void Complete(bool ok) override {
      if (!Step(ok)) delete this;
    }

   private:
    enum class State { kWaiting, kReading, kWriting, kFinishing };

    Call(ReflectionService& owner, ServingThreads& threads)
        : live_(threads), owner_(owner), threads_(threads), stream_(&context_) {
      owner_.service_.RequestServerReflectionInfo(&context_, &stream_, threads_.queue(),
                                                  threads_.queue(), HandOff(this));
    }

    // Starts the next operation; false once the call is over.
    bool Step(bool ok) {
      switch (state_) {
        case State::kWaiting:
          if (!ok) return false;  // the server is shutting down: no call will come
          Await(owner_, threads_);
          Read();
          return true;
        case State::kReading:
          if (!ok) {
            Finish(grpc::Status::OK);  // the client half-closed
            return true;
          }
          response_.Clear();
          owner_.Answer(request_, response_);
          state_ = State::kWriting;
          stream_.Write(response_, HandOff(this));
          return true;
        case State::kWriting:
          if (!ok) {
            Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
            return true;
          }
          Read();
          return true;
        case State::kFinishing:
          return false;
      }
      return false;
    }
    void Read() {
      state_ = State::kReading;
      stream_.Read(&request_, HandOff(this));
    }
    void Finish(const grpc::Status& status) {
      state_ = State::kFinishing;
      stream_.Finish(status, HandOff(this));
    }

    ServingThreads::LiveCall live_;
    ReflectionService& owner_;
    ServingThreads& threads_;
    grpc::ServerContext context_;
    grpc::ServerAsyncReaderWriter<Response, Request> stream_;
    Request request_;
    Response response_;
    State state_ = State::kWaiting;
  };

  void Answer(const Request& request, Response& response) const {
    response.set_valid_host(request.host());
    *response.mutable_original_request() = request;
    absl::flat_hash_set<std::string> sent;
    std::vector<std::string> files;
    absl::Status status;
    switch (request.message_request_case()) {
      case Request::kFileByFilename:
        status = catalog_.FileByName(request.file_by_filename(), sent, files);
        break;
      case Request::kFileContainingSymbol:
        status = catalog_.FileContainingSymbol(request.file_containing_symbol(), sent, files);
        break;
      case Request::kFileContainingExtension:
        status = catalog_.FileContainingExtension(
            request.file_containing_extension().containing_type(),
            request.file_containing_extension().extension_number(), sent, files);
        break;
      case Request::kAllExtensionNumbersOfType: {
        std::vector<int> numbers;
        status = catalog_.ExtensionNumbers(request.all_extension_numbers_of_type(), numbers);
        if (status.ok()) {
          auto* extensions = response.mutable_all_extension_numbers_response();
          extensions->set_base_type_name(request.all_extension_numbers_of_type());
          for (const int number : numbers) extensions->add_extension_number(number);
        }
        break;
      }
      case Request::kListServices:
        for (const std::string& name : services_) {
          response.mutable_list_services_response()->add_service()->set_name(name);
        }
        break;
      default:
        status = absl::UnimplementedError("unknown reflection request");
    }
    if (!status.ok()) {
      response.mutable_error_response()->set_error_code(static_cast<int>(status.code()));
      response.mutable_error_response()->set_error_message(std::string(status.message()));
    } else if (!files.empty()) {
      for (std::string& file : files) {
        response.mutable_file_descriptor_response()->add_file_descriptor_proto(std::move(file));
      }
    }
  }

  typename Service::AsyncService service_;
  const DescriptorCatalog& catalog_;
  const std::vector<std::string> services_;
};

using ReflectionV1Service =
    ReflectionService<grpc::reflection::v1::ServerReflection,
                      grpc::reflection::v1::ServerReflectionRequest,
                      grpc::reflection::v1::ServerReflectionResponse>;
using ReflectionV1AlphaService =
    ReflectionService<grpc::reflection::v1alpha::ServerReflection,
                      grpc::reflection::v1alpha::ServerReflectionRequest,
                      grpc::reflection::v1alpha::ServerReflectionResponse>;

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_REFLECTION_SERVICE_H_
