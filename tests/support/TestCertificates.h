#pragma once

#include "TestEnv.h"
#include "sipbridge/tls/TlsClient.h"

#include <string>
#include <vector>

namespace sipbridge::test {

/// A certificate and its key as files and as PEM text.
struct IssuedCertificate {
  std::string certFile;
  std::string keyFile;
  std::string certPem;
  std::string keyPem;
};

/// A private certificate authority made at test time with the openssl command line (P-256
/// keys), and the certificates it signs. Everything lives in a temporary directory.
class TestCa {
 public:
  /// Makes the CA; `name` is its common name.
  explicit TestCa(const std::string& name = "sipbridge test CA");
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  /// The CA certificate (PEM), to trust.
  const std::string& caFile() const { return caFile_; }
  std::string caPem() const;

  /// A server certificate for `altNames` ("DNS:localhost", "IP:127.0.0.1"), valid from now
  /// for a day, or valid only during a day long past when `expired`.
  IssuedCertificate server(const std::string& commonName, const std::vector<std::string>& altNames,
                           bool expired = false);
  /// A client certificate (extendedKeyUsage clientAuth) for mutual TLS.
  IssuedCertificate client(const std::string& commonName);

 private:
  IssuedCertificate issue(const std::string& commonName, const std::string& extensions,
                          bool expired);

  TempDir dir_;
  std::string caFile_;
  int serial_ = 0;
};

/// One TLS client for the whole test binary that trusts the system CA store only (for
/// suites whose servers are plain http or that need no trust of their own).
tls::TlsClient& systemTls();

/// The whole content of a file.
std::string readText(const std::string& path);

}  // namespace sipbridge::test
