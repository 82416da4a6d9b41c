// The serialized google.protobuf.FileDescriptorSet of every file rpc_server
// describes through reflection, comments included (built from proto/ by
// protoc --include_source_info --include_imports).
#ifndef SOCKRPC_PROTO_DESCRIPTOR_SET_H_
#define SOCKRPC_PROTO_DESCRIPTOR_SET_H_

#include <string_view>

namespace sockrpc {

std::string_view DescriptorSetBytes();

}  // namespace sockrpc

#endif  // SOCKRPC_PROTO_DESCRIPTOR_SET_H_
