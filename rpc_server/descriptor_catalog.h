// The descriptors rpc_server describes through reflection: every file of the
// embedded descriptor set (proto/descriptor_set.h), comments included, and
// lookups by file name, symbol and extension.
#ifndef SOCKRPC_RPC_SERVER_DESCRIPTOR_CATALOG_H_
#define SOCKRPC_RPC_SERVER_DESCRIPTOR_CATALOG_H_

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sockrpc {

class DescriptorCatalog {
 public:
  // Parses a serialized FileDescriptorSet whose files come in dependency
  // order (protoc --include_imports writes them so).
  explicit DescriptorCatalog(absl::string_view serialized_set);

  // Each lookup appends the serialized FileDescriptorProto of the file found
  // and of every file it imports, transitively, except those in `sent`
  // (which it extends). NOT_FOUND when there is no such file or symbol.
  absl::Status FileByName(absl::string_view name, absl::flat_hash_set<std::string>& sent,
                          std::vector<std::string>& files) const;
  absl::Status FileContainingSymbol(absl::string_view symbol,
                                    absl::flat_hash_set<std::string>& sent,
                                    std::vector<std::string>& files) const;
  absl::Status FileContainingExtension(absl::string_view containing_type, int number,
                                       absl::flat_hash_set<std::string>& sent,
                                       std::vector<std::string>& files) const;
  // The extension numbers known for a message type.
  absl::Status ExtensionNumbers(absl::string_view type, std::vector<int>& numbers) const;

  bool ok() const { return ok_; }

 private:
  void AddWithDependencies(const google::protobuf::FileDescriptor* file,
                           absl::flat_hash_set<std::string>& sent,
                           std::vector<std::string>& files) const;

  google::protobuf::DescriptorPool pool_;
  absl::flat_hash_map<std::string, std::string> serialized_by_name_;
  bool ok_ = true;
};

}  // namespace sockrpc

#endif  // SOCKRPC_RPC_SERVER_DESCRIPTOR_CATALOG_H_
