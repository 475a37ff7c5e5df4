#pragma once

#include "EdgeServer.h"
#include "sipbridge/api/ApiConfig.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace sipbridge::api {

/// The certificate, key and protocol policy of the HTTPS listener: an OpenSSL server context
/// made from https.certificateFile (PEM, the server's certificate then its intermediates),
/// https.keyFile and https.minVersion (TLS 1.2 or 1.3 at least; SSLv3, TLS 1.0 and 1.1,
/// compression and renegotiation off; the cipher suites are OpenSSL's defaults, which on
/// Debian 12 mean security level 2: forward-secret AEAD suites first, nothing under 112-bit).
/// reload() makes a new context from the same files; handshakes that start afterwards use it,
/// connections already made keep theirs (OpenSSL counts the references of a context).
/// Thread-safe.
class ServerTls {
 public:
  /// Loads the files. Throws Poco::InvalidArgumentException naming the key and the file when
  /// the certificate or the key cannot be used or do not belong together.
  explicit ServerTls(const ApiConfig& config);

  /// Rereads the files. On failure keeps the current context and returns why; "" on success.
  std::string reload();
  /// The context new handshakes use.
  std::shared_ptr<boost::asio::ssl::context> current() const;

 private:
  std::shared_ptr<boost::asio::ssl::context> make() const;

  const std::string certificateFile_;
  const std::string keyFile_;
  const std::string minVersion_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

/// Serves one accepted connection of the HTTPS listener: the TLS handshake must finish within
/// http.headerTimeoutSeconds, and the first request's header within the same deadline; then
/// the connection is served as plain ones are (same routes, limits, WebSockets, long-polls).
/// A client that speaks plain HTTP to this port gets a 400 in plain text and is closed.
/// Runs on the loop.
void startTlsConnection(EdgeServer& server, boost::asio::ip::tcp::socket socket,
                        ConnectionSlot slot, ServerTls& tls);

}  // namespace sipbridge::api
