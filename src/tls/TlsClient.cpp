#include "sipbridge/tls/TlsClient.h"

#include "OpenSslPtr.h"
#include "sipbridge/tls/TlsErrors.h"

#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace sipbridge::tls {
namespace {

constexpr std::size_t kMaxContexts = 256;
/// Ciphers offered up to TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults): forward-secret,
/// authenticated encryption only.
constexpr const char* kCiphers =
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL";

std::string subjectOf(X509* cert) {
  char line[256] = "";
  if (cert) X509_NAME_oneline(X509_get_subject_name(cert), line, sizeof line);
  return line;
}

/// The host name the handshake was started for (SNI, set from the URL's host).
std::string expectedHost(SSL* ssl) {
  const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return host ? host : "";
}

/// OpenSSL's verify callback for verified contexts: keeps the chain verdict, adds the host
/// name check on the server's own certificate, and reports why a certificate is refused to
/// the TlsClient that owns the context.
int verifyCertificate(int ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* client =
      ssl ? static_cast<TlsClient*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl))) : nullptr;
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (!ok) {
    const int error = X509_STORE_CTX_get_error(store);
    if (client)
      client->refused(std::string("certificate refused: ") + X509_verify_cert_error_string(error) +
                      " (" + subjectOf(cert) + ")");
    return 0;
  }
  if (X509_STORE_CTX_get_error_depth(store) != 0 || !ssl) return 1;
  const std::string host = expectedHost(ssl);
  Poco::Net::IPAddress literal;
  int matches = 0;
  if (host.empty())
    matches = 0;
  else if (Poco::Net::IPAddress::tryParse(host, literal))
    matches = X509_check_ip_asc(cert, host.c_str(), 0);
  else
    matches = X509_check_host(cert, host.c_str(), host.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                              nullptr);
  if (matches == 1) return 1;
  X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
  if (client)
    client->refused("certificate refused: it is not valid for host '" + host + "' (" +
                    subjectOf(cert) + ")");
  return 0;
}

int noPassphrase(char*, int, int, void*) {
  return -1;
}

/// Installs `identity` (certificate, chain, key) on `ctx`.
void useIdentity(SSL_CTX* ctx, const ClientIdentity& identity) {
  checkPrivateKey(identity.certificatePem, identity.keyPem);
  BioPtr certs = memoryBio(identity.certificatePem);
  X509Ptr leaf(PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr));
  if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
    throw InvalidCertificate("the client certificate cannot be used");
  while (X509Ptr chain{PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)}) {
    if (SSL_CTX_add1_chain_cert(ctx, chain.get()) != 1)
      throw InvalidCertificate("a chain certificate of the client certificate cannot be used");
  }
  ERR_clear_error();  // the loop ends on "no start line"
  BioPtr keyBio = memoryBio(identity.keyPem);
  KeyPtr key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, noPassphrase, nullptr));
  if (!key || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    throw InvalidPrivateKey("the client certificate's private key cannot be used");
  }
}

}  // namespace

TlsClient::TlsClient(TlsConfig config) : config_(std::move(config)) {
  if (config_.minVersion != "1.2" && config_.minVersion != "1.3")
    throw Poco::InvalidArgumentException("tls.minVersion must be 1.2 or 1.3");
  if (!config_.systemCAs && config_.caFile.empty() && config_.caDirectory.empty())
    throw Poco::InvalidArgumentException(
        "tls.systemCAs is false and neither tls.caFile nor tls.caDirectory is set: no server "
        "certificate could ever be trusted");
  makeContext({}, true);  // loads the trust now: a bad file stops the start, not a delivery
}

TlsClient::~TlsClient() = default;

Poco::Net::Context::Ptr TlsClient::makeContext(const ClientIdentity& identity, bool verify) const {
  Poco::Net::Context::Params params;
  params.verificationMode =
      verify ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE;
  params.loadDefaultCAs = false;
  params.cipherList = kCiphers;
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  context->requireMinimumProtocol(config_.minVersion == "1.3" ? Poco::Net::Context::PROTO_TLSV1_3
                                                              : Poco::Net::Context::PROTO_TLSV1_2);
  // The host name check is verifyCertificate's, made during the handshake; POCO's own would
  // look the name up in DNS again.
  context->enableExtendedCertificateVerification(false);
  SSL_CTX* ctx = context->sslContext();
  SSL_CTX_set_app_data(ctx, const_cast<TlsClient*>(this));
  if (verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verifyCertificate);
    if (config_.systemCAs && SSL_CTX_set_default_verify_paths(ctx) != 1) {
      ERR_clear_error();
      throw Poco::InvalidArgumentException("tls.systemCAs: the system CA store cannot be loaded");
    }
    if (!config_.caFile.empty() &&
        SSL_CTX_load_verify_locations(ctx, config_.caFile.c_str(), nullptr) != 1) {
      ERR_clear_error();
      throw Poco::InvalidArgumentException("tls.caFile: cannot load CA certificates from '" +
                                           config_.caFile + "'");
    }
    if (!config_.caDirectory.empty() &&
        SSL_CTX_load_verify_locations(ctx, nullptr, config_.caDirectory.c_str()) != 1) {
      ERR_clear_error();
      throw Poco::InvalidArgumentException("tls.caDirectory: cannot use '" + config_.caDirectory +
                                           "'");
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!identity.empty()) useIdentity(ctx, identity);
  return context;
}

Poco::Net::Context::Ptr TlsClient::context(const ClientIdentity& identity, bool verify) {
  const std::string key =
      (verify ? "v:" : "u:") + (identity.empty() ? std::string() : identityDigest(identity));
  {
    std::lock_guard lock(mutex_);
    for (auto it = contexts_.begin(); it != contexts_.end(); ++it) {
      if (it->first != key) continue;
      contexts_.splice(contexts_.begin(), contexts_, it);
      return it->second;
    }
  }
  Poco::Net::Context::Ptr made = makeContext(identity, verify);
  std::lock_guard lock(mutex_);
  contexts_.emplace_front(key, made);
  if (contexts_.size() > kMaxContexts) contexts_.pop_back();
  return made;
}

std::unique_ptr<Poco::Net::HTTPClientSession> TlsClient::session(
    const Poco::Net::SocketAddress& address, const std::string& host,
    const ClientIdentity& identity, bool verify) {
  Poco::Net::SecureStreamSocket socket(context(identity, verify));
  socket.setPeerHostName(host);
  auto session = std::make_unique<Poco::Net::HTTPSClientSession>(socket);
  // Every (re)connection goes to the checked address, never to a new lookup of `host`.
  session->setHost(address.host().toString());
  session->setPort(address.port());
  return session;
}

std::string TlsClient::takeRefusal() {
  std::lock_guard lock(mutex_);
  auto it = refusals_.find(std::this_thread::get_id());
  if (it == refusals_.end()) return {};
  std::string why = std::move(it->second);
  refusals_.erase(it);
  return why;
}

void TlsClient::refused(std::string why) {
  std::lock_guard lock(mutex_);
  auto& slot = refusals_[std::this_thread::get_id()];
  if (slot.empty()) slot = std::move(why);  // the first refusal of a handshake says most
}

}  // namespace sipbridge::tls
