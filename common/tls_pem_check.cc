#include "common/tls_pem_check.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace sockrpc {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> MemoryBio(absl::string_view pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::unique_ptr<X509, X509Free> FirstCertificate(absl::string_view pem) {
  auto bio = MemoryBio(pem);
  std::unique_ptr<X509, X509Free> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  return cert;
}

}  // namespace

absl::Status CheckKeyAndCertificate(absl::string_view key_pem, absl::string_view cert_pem) {
  const std::unique_ptr<X509, X509Free> cert = FirstCertificate(cert_pem);
  if (!cert) return absl::InvalidArgumentError("the certificate file holds no certificate");
  auto bio = MemoryBio(key_pem);
  const std::unique_ptr<EVP_PKEY, KeyFree> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!key) return absl::InvalidArgumentError("the key file holds no private key");
  const bool match = X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (!match) {
    return absl::InvalidArgumentError("the private key does not match the certificate");
  }
  return absl::OkStatus();
}

absl::Status CheckCertificateBundle(absl::string_view pem) {
  if (!FirstCertificate(pem)) {
    return absl::InvalidArgumentError("the CA file holds no certificate");
  }
  return absl::OkStatus();
}

}  // namespace sockrpc
