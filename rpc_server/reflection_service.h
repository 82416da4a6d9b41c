// gRPC server reflection, under both grpc.reflection.v1 (what current
// grpcurl, buf and Postman try first) and grpc.reflection.v1alpha (what older
// clients use), answered from the DescriptorCatalog so that `describe` shows
// the protos' comments. The two protocols have the same messages under two
// package names, so one template serves both.
#ifndef SOCKRPC_RPC_SERVER_REFLECTION_SERVICE_H_
#define SOCKRPC_RPC_SERVER_REFLECTION_SERVICE_H_

#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "rpc_server/descriptor_catalog.h"

namespace sockrpc {

template <typename Service, typename Request, typename Response>
class ReflectionService final : public Service::CallbackService {
 public:
  // `services`: the names list_services reports.
  ReflectionService(const DescriptorCatalog& catalog, std::vector<std::string> services)
      : catalog_(catalog), services_(std::move(services)) {}

  grpc::ServerBidiReactor<Request, Response>* ServerReflectionInfo(
      grpc::CallbackServerContext* /*context*/) override {
    return new Reactor(*this);
  }

 private:
  // One reflection stream: answers each request in turn.
  class Reactor final : public grpc::ServerBidiReactor<Request, Response> {
   public:
    explicit Reactor(const ReflectionService& service) : service_(service) {
      this->StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return this->Finish(grpc::Status::OK);
      response_.Clear();
      service_.Answer(request_, response_);
      this->StartWrite(&response_);
    }
    void OnWriteDone(bool ok) override {
      if (!ok) return this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      this->StartRead(&request_);
    }
    void OnDone() override { delete this; }

   private:
    const ReflectionService& service_;
    Request request_;
    Response response_;
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
