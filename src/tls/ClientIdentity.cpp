#include "sipbridge/tls/ClientIdentity.h"

#include "OpenSslPtr.h"
#include "sipbridge/tls/TlsErrors.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>
#include <ctime>

namespace sipbridge::tls {
namespace {

std::string name(X509_NAME* value) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || X509_NAME_print_ex(out.get(), value, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string fingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(hex, sizeof hex, i == 0 ? "%02X" : ":%02X", digest[i]);
    out += hex;
  }
  return out;
}

std::int64_t epochMs(const ASN1_TIME* time) {
  struct tm parts {};
  if (!time || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts)) * 1000;
}

/// The first certificate of `pem`, or throws InvalidCertificate.
X509Ptr firstCertificate(const std::string& pem) {
  BioPtr bio = memoryBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!cert) throw InvalidCertificate("not a PEM certificate (\"-----BEGIN CERTIFICATE-----\")");
  return cert;
}

/// Refuses to prompt: an encrypted key fails to load instead of waiting for a passphrase.
int noPassphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

std::string identityDigest(const ClientIdentity& identity) {
  const std::string text = identity.certificatePem + '\0' + identity.keyPem;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

CertificateSummary summarizeCertificate(const std::string& pem) {
  X509Ptr cert = firstCertificate(pem);
  CertificateSummary summary;
  summary.subject = name(X509_get_subject_name(cert.get()));
  summary.issuer = name(X509_get_issuer_name(cert.get()));
  summary.fingerprint = fingerprint(cert.get());
  summary.notAfterMs = epochMs(X509_get0_notAfter(cert.get()));
  return summary;
}

void checkPrivateKey(const std::string& certificatePem, const std::string& keyPem) {
  X509Ptr cert = firstCertificate(certificatePem);
  if (keyPem.find("ENCRYPTED") != std::string::npos)
    throw InvalidPrivateKey("the private key is encrypted; give it without a passphrase");
  BioPtr bio = memoryBio(keyPem);
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  if (!key) throw InvalidPrivateKey("not a PEM private key (\"-----BEGIN PRIVATE KEY-----\")");
  const int matches = X509_check_private_key(cert.get(), key.get());
  ERR_clear_error();
  if (matches != 1) throw InvalidPrivateKey("the private key does not belong to the certificate");
}

}  // namespace sipbridge::tls
