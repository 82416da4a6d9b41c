#include "rpc_server/descriptor_catalog.h"

#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/str_cat.h"

namespace sockrpc {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorSet;

DescriptorCatalog::DescriptorCatalog(absl::string_view serialized_set) {
  FileDescriptorSet set;
  if (!set.ParseFromArray(serialized_set.data(), static_cast<int>(serialized_set.size()))) {
    ok_ = false;
    return;
  }
  for (const auto& file : set.file()) {
    if (pool_.BuildFile(file) == nullptr) ok_ = false;
    file.SerializeToString(&serialized_by_name_[file.name()]);
  }
}

void DescriptorCatalog::AddWithDependencies(const FileDescriptor* file,
                                            absl::flat_hash_set<std::string>& sent,
                                            std::vector<std::string>& files) const {
  if (!sent.insert(file->name()).second) return;
  files.push_back(serialized_by_name_.at(file->name()));
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddWithDependencies(file->dependency(i), sent, files);
  }
}

absl::Status DescriptorCatalog::FileByName(absl::string_view name,
                                           absl::flat_hash_set<std::string>& sent,
                                           std::vector<std::string>& files) const {
  const FileDescriptor* file = pool_.FindFileByName(std::string(name));
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("file not found: ", name));
  AddWithDependencies(file, sent, files);
  return absl::OkStatus();
}

absl::Status DescriptorCatalog::FileContainingSymbol(absl::string_view symbol,
                                                     absl::flat_hash_set<std::string>& sent,
                                                     std::vector<std::string>& files) const {
  const FileDescriptor* file = pool_.FindFileContainingSymbol(std::string(symbol));
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("symbol not found: ", symbol));
  AddWithDependencies(file, sent, files);
  return absl::OkStatus();
}

absl::Status DescriptorCatalog::FileContainingExtension(absl::string_view containing_type,
                                                        int number,
                                                        absl::flat_hash_set<std::string>& sent,
                                                        std::vector<std::string>& files) const {
  const Descriptor* type = pool_.FindMessageTypeByName(std::string(containing_type));
  if (type == nullptr) {
    return absl::NotFoundError(absl::StrCat("type not found: ", containing_type));
  }
  const FieldDescriptor* extension = pool_.FindExtensionByNumber(type, number);
  if (extension == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("extension not found: ", containing_type, " ", number));
  }
  AddWithDependencies(extension->file(), sent, files);
  return absl::OkStatus();
}

absl::Status DescriptorCatalog::ExtensionNumbers(absl::string_view type_name,
                                                 std::vector<int>& numbers) const {
  const Descriptor* type = pool_.FindMessageTypeByName(std::string(type_name));
  if (type == nullptr) return absl::NotFoundError(absl::StrCat("type not found: ", type_name));
  std::vector<const FieldDescriptor*> extensions;
  pool_.FindAllExtensions(type, &extensions);
  for (const FieldDescriptor* extension : extensions) numbers.push_back(extension->number());
  return absl::OkStatus();
}

}  // namespace sockrpc
