#pragma once

#include "sipbridge/tls/ClientIdentity.h"
#include "sipbridge/tls/TlsConfig.h"

#include <Poco/Crypto/OpenSSLInitializer.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/SocketAddress.h>

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace sipbridge::tls {

/// Outgoing TLS for hooks and XCAP, over POCO NetSSL with contexts of its own (never POCO's
/// process-wide SSLManager defaults). Every connection offers TLS 1.2 at least
/// (TlsConfig::minVersion), verifies the server's chain against the configured trust (the
/// system CA store, a CA file, a CA directory) and checks that the certificate names the
/// host of the URL (DNS name, wildcard in the leftmost label only, or IP address), before a
/// single byte of the request is sent. The connection goes to the address given (the one an
/// address policy accepted): the host name is used for SNI and the certificate check only,
/// never looked up again. A client certificate is presented when the caller gives one
/// (mutual TLS); one context per distinct identity is kept (at most 256, least recently
/// used dropped). Unverified contexts exist only for the callers' loud development
/// exception.
///
/// Owns OpenSSL's initialisation while it lives. Thread-safe; sessions are used by one
/// thread at a time.
class TlsClient {
 public:
  /// Throws Poco::InvalidArgumentException naming the key (tls.caFile, tls.caDirectory,
  /// tls.minVersion) when the trust cannot be loaded or the version is not 1.2 or 1.3.
  explicit TlsClient(TlsConfig config);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  /// A new, unconnected HTTPS session to `host` whose connection (and every reconnection)
  /// goes to `address`; the Host header is the caller's to set. `identity` (may be empty) is
  /// presented when the server asks for a client certificate. `verify` false accepts any
  /// certificate: only for an application marked development. Throws InvalidCertificate or
  /// InvalidPrivateKey for an identity that cannot be used.
  std::unique_ptr<Poco::Net::HTTPClientSession> session(const Poco::Net::SocketAddress& address,
                                                        const std::string& host,
                                                        const ClientIdentity& identity,
                                                        bool verify);

  /// Why the last TLS handshake made by the calling thread failed its certificate check
  /// ("certificate has expired (CN=...)", "certificate is not valid for host ..."), or ""
  /// when it did not; clears it. Call it before an exchange (to forget an older one) and
  /// after one that failed.
  std::string takeRefusal();

  /// The verify callback's report (called on the handshaking thread).
  void refused(std::string why);

 private:
  Poco::Net::Context::Ptr context(const ClientIdentity& identity, bool verify);
  Poco::Net::Context::Ptr makeContext(const ClientIdentity& identity, bool verify) const;

  const TlsConfig config_;
  Poco::Crypto::OpenSSLInitializer openSsl_;
  std::mutex mutex_;
  /// Contexts by identity and verification, most recently used first.
  std::list<std::pair<std::string, Poco::Net::Context::Ptr>> contexts_;
  std::map<std::thread::id, std::string> refusals_;
};

}  // namespace sipbridge::tls
