#include "legacy_bridge/connections/address_key.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sockrpc {
namespace {

// Asio's to_string() goes through inet_ntop and its sprintf, on every
// connection accepted; this is several times cheaper (docs/performance.md,
// "TIME: the client's address formatted once").
std::string DottedQuad(const asio::ip::address_v4& address) {
  const asio::ip::address_v4::bytes_type bytes = address.to_bytes();
  return absl::StrCat(static_cast<int>(bytes[0]), ".", static_cast<int>(bytes[1]), ".",
                      static_cast<int>(bytes[2]), ".", static_cast<int>(bytes[3]));
}

}  // namespace

std::string AddressKey(const asio::ip::address& address) {
  if (address.is_v4()) return DottedQuad(address.to_v4());
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return DottedQuad(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
  asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return absl::StrCat(asio::ip::address_v6(bytes).to_string(), "/64");
}

}  // namespace sockrpc
