#pragma once

#include <cstdint>
#include <string>

namespace sipbridge::api {

/// What the admin API shows of an application's client certificate (never its key).
struct CertificateInfo {
  std::string subject;
  std::string issuer;
  std::string fingerprint;  ///< SHA-256, "AB:CD:..."
  std::int64_t notAfterMs = 0;
};

/// Decides whether an application's hook settings given to the admin API may be used: the
/// hook URL (scheme, resolved address against the allow policy) and the client certificate.
/// Implemented by the composition root over hooks::UrlPolicy and the tls module. Called on
/// HTTP threads; check() may block on DNS.
class HookUrlCheck {
 public:
  virtual ~HookUrlCheck() = default;
  /// Returns when `url` is acceptable for an application (`development`: marked development,
  /// which allows plain http); throws Poco::Exception whose message says why not.
  virtual void check(const std::string& url, bool development) = 0;
  /// The shown part of a PEM client certificate; throws Poco::Exception saying why it cannot
  /// be used.
  virtual CertificateInfo describeCertificate(const std::string& certificatePem) = 0;
  /// Returns when `keyPem` is an unencrypted PEM private key of `certificatePem`; throws
  /// Poco::Exception saying why not (never quoting the key).
  virtual void checkKey(const std::string& certificatePem, const std::string& keyPem) = 0;
};

}  // namespace sipbridge::api
