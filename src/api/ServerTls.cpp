#include "ServerTls.h"

#include "HttpConnection.h"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <Poco/Exception.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace sipbridge::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// One handshake in progress; hands the stream to an HTTP connection when it succeeds.
class Handshake : public std::enable_shared_from_this<Handshake> {
 public:
  Handshake(EdgeServer& server, tcp::socket socket, ConnectionSlot slot,
            std::shared_ptr<ssl::context> context)
      : server_(server),
        // The stream's SSL object holds a reference of the context: a reload may drop ours.
        stream_(beast::tcp_stream(std::move(socket)), *context),
        slot_(std::move(slot)) {}

  void start() {
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(server_.config().headerTimeoutSeconds));
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->done(ec); });
  }

 private:
  void done(beast::error_code ec) {
    if (!ec) return startHttpConnection(server_, std::move(stream_), std::move(slot_));
    auto& tcpStream = beast::get_lowest_layer(stream_);
    if (ec == beast::error::timeout) {
      server_.countTimeout("header");
      server_.countTlsFailure("timeout");
      return tcpStream.close();
    }
    if (ec.category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST) {
      server_.countTlsFailure("plain_http");
      tcpStream.expires_never();
      return server_.answerAndClose(
          tcpStream.release_socket(),
          closingAnswer("400 Bad Request", "tls_required",
                        "this port speaks HTTPS only: use https:// (or wss://)"));
    }
    server_.countTlsFailure("handshake");
    tcpStream.close();
  }

  EdgeServer& server_;
  TlsStream stream_;
  ConnectionSlot slot_;
};

}  // namespace

ServerTls::ServerTls(const ApiConfig& config)
    : certificateFile_(config.tlsCertificateFile),
      keyFile_(config.tlsKeyFile),
      minVersion_(config.tlsMinVersion) {
  if (minVersion_ != "1.2" && minVersion_ != "1.3")
    throw Poco::InvalidArgumentException("https.minVersion must be 1.2 or 1.3", minVersion_);
  current_ = make();
}

std::shared_ptr<ssl::context> ServerTls::make() const {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX* handle = context->native_handle();
  SSL_CTX_set_options(handle, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(handle,
                                    minVersion_ == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION) != 1)
    throw Poco::InvalidArgumentException("https.minVersion cannot be applied", minVersion_);
  boost::system::error_code ec;
  context->use_certificate_chain_file(certificateFile_, ec);
  if (ec)
    throw Poco::InvalidArgumentException(
        "https.certificateFile " + certificateFile_ + " is not a usable PEM certificate chain",
        ec.message());
  context->use_private_key_file(keyFile_, ssl::context::pem, ec);
  if (ec)
    throw Poco::InvalidArgumentException(
        "https.keyFile " + keyFile_ + " is not a usable PEM private key", ec.message());
  if (SSL_CTX_check_private_key(handle) != 1) {
    ERR_clear_error();
    throw Poco::InvalidArgumentException("https.keyFile " + keyFile_ +
                                         " does not belong to https.certificateFile " +
                                         certificateFile_);
  }
  return context;
}

std::string ServerTls::reload() {
  try {
    auto fresh = make();
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
    return {};
  } catch (const Poco::Exception& e) {
    return e.displayText();
  }
}

std::shared_ptr<ssl::context> ServerTls::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void startTlsConnection(EdgeServer& server, tcp::socket socket, ConnectionSlot slot,
                        ServerTls& tls) {
  std::make_shared<Handshake>(server, std::move(socket), std::move(slot), tls.current())->start();
}

}  // namespace sipbridge::api
