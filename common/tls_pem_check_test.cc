#include "common/tls_pem_check.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ec.h>
#include <openssl/x509.h>

#include <string>

#include <gtest/gtest.h>

namespace sockrpc {
namespace {

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<size_t>(size));
  BIO_free(bio);
  return text;
}

// A throwaway self-signed certificate and its key, as PEM.
struct Identity {
  std::string cert;
  std::string key;
};

Identity MakeIdentity() {
  EVP_PKEY* key = EVP_EC_gen("P-256");  // quicker to make than RSA
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  X509_free(cert);
  EVP_PKEY_free(key);
  return {BioText(cert_bio), BioText(key_bio)};
}

TEST(TlsPemCheckTest, AcceptsAKeyWithItsCertificate) {
  const Identity identity = MakeIdentity();
  EXPECT_TRUE(CheckKeyAndCertificate(identity.key, identity.cert).ok());
  EXPECT_TRUE(CheckCertificateBundle(identity.cert).ok());
  // One file holding both, as the staged copy for gRPC does.
  EXPECT_TRUE(CheckKeyAndCertificate(identity.cert + identity.key, identity.cert + identity.key).ok());
}

TEST(TlsPemCheckTest, SaysWhatIsWrong) {
  const Identity one = MakeIdentity();
  const Identity other = MakeIdentity();
  EXPECT_EQ(CheckKeyAndCertificate(other.key, one.cert).message(),
            "the private key does not match the certificate");
  EXPECT_EQ(CheckKeyAndCertificate(one.key, one.cert.substr(0, one.cert.size() / 2)).message(),
            "the certificate file holds no certificate");
  EXPECT_EQ(CheckKeyAndCertificate("", one.cert).message(), "the key file holds no private key");
  EXPECT_EQ(CheckCertificateBundle(one.key).message(), "the CA file holds no certificate");
}

}  // namespace
}  // namespace sockrpc
