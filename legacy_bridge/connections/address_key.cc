#include "legacy_bridge/connections/address_key.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sockrpc {

std::string AddressKey(const asio::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  }
  asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return absl::StrCat(asio::ip::address_v6(bytes).to_string(), "/64");
}

}  // namespace sockrpc
