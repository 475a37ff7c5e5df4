#pragma once

#include <cstdint>
#include <string>

namespace sipbridge::tls {

/// A client certificate for mutual TLS, as stored with an application: PEM text.
struct ClientIdentity {
  std::string certificatePem;  ///< the certificate, optionally followed by its chain
  std::string keyPem;          ///< its unencrypted private key; never logged nor shown

  bool empty() const { return certificatePem.empty(); }
};

/// What may be shown of a certificate.
struct CertificateSummary {
  std::string subject;          ///< one line, RFC 2253 style ("CN=backend,O=Example")
  std::string issuer;           ///< same form
  std::string fingerprint;      ///< SHA-256 of the DER form: upper-case hex pairs joined by ':'
  std::int64_t notAfterMs = 0;  ///< end of validity, Unix milliseconds
};

/// A digest (SHA-256, hex) of the whole identity, key included: equal identities, equal
/// digests. For keying caches; not secret-revealing, but not to be shown either.
std::string identityDigest(const ClientIdentity& identity);

/// The summary of the first certificate in `pem`. Throws InvalidCertificate when `pem` holds
/// no readable PEM certificate.
CertificateSummary summarizeCertificate(const std::string& pem);

/// Checks that `keyPem` is an unencrypted PEM private key belonging to the first certificate
/// of `certificatePem`. Throws InvalidPrivateKey (or InvalidCertificate for the certificate)
/// with a message that never holds key material.
void checkPrivateKey(const std::string& certificatePem, const std::string& keyPem);

}  // namespace sipbridge::tls
