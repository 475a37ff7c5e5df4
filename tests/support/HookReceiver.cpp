#include "HookReceiver.h"

#include "sipbridge/hooks/Signer.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

namespace sipbridge::test {

std::string ReceivedRequest::header(const std::string& lowerCaseName) const {
  auto it = headers.find(lowerCaseName);
  return it == headers.end() ? std::string() : it->second;
}

class HookReceiver::Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(HookReceiver& owner) : owner_(owner) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    ReceivedRequest received;
    received.at = std::chrono::steady_clock::now();
    received.method = request.getMethod();
    received.path = request.getURI();
    for (const auto& [name, value] : request) received.headers[Poco::toLower(name)] = value;
    if (owner_.tls_) {
      try {
        auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
        Poco::Net::SecureStreamSocket secure(impl.socket());
        if (secure.havePeerCertificate())
          received.clientCommonName = secure.peerCertificate().commonName();
      } catch (const std::exception&) {
      }
    }
    Poco::StreamCopier::copyToString(request.stream(), received.body);

    const std::string path = Poco::URI(received.path).getPath();
    Reply reply;
    {
      std::lock_guard lock(owner_.mutex_);
      const int nthOverall = ++owner_.total_;
      const int nthForPath = ++owner_.perPath_[path];
      reply = owner_.replyFor(path, nthOverall, nthForPath);
    }
    received.answeredStatus = reply.status;
    owner_.record(std::move(received));
    if (reply.delayMs > 0 && !owner_.delay(reply.delayMs)) return;

    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    if (!reply.location.empty()) response.set("Location", reply.location);
    if (!reply.retryAfter.empty()) response.set("Retry-After", reply.retryAfter);
    if (!reply.body.empty()) response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.send() << reply.body;
  }

 private:
  HookReceiver& owner_;
};

class HookReceiver::Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(HookReceiver& owner) : owner_(owner) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(owner_);
  }

 private:
  HookReceiver& owner_;
};

HookReceiver::HookReceiver() : pool_(std::make_unique<Poco::ThreadPool>(2, 64)) {
  start();
}

HookReceiver::HookReceiver(ReceiverTls tls)
    : tls_(std::move(tls)), pool_(std::make_unique<Poco::ThreadPool>(2, 64)) {
  start();
}

HookReceiver::~HookReceiver() {
  stop();
  pool_->joinAll();
}

std::string HookReceiver::url(const std::string& path) const {
  return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

void HookReceiver::start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  Poco::Net::ServerSocket socket;
  if (tls_) {
    const auto mode = tls_->clientCaFile.empty()       ? Poco::Net::Context::VERIFY_NONE
                      : tls_->requireClientCertificate ? Poco::Net::Context::VERIFY_STRICT
                                                       : Poco::Net::Context::VERIFY_RELAXED;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls_->keyFile, tls_->certFile,
                               tls_->clientCaFile, mode);
    context->enableExtendedCertificateVerification(false);
    socket = Poco::Net::SecureServerSocket(context);
  }
  socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port_)), true);
  socket.listen(64);
  port_ = socket.address().port();
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(60);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), *pool_, socket, params);
  server_->start();
  running_ = true;
}

void HookReceiver::stop() {
  std::unique_ptr<Poco::Net::HTTPServer> server;
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
    server = std::move(server_);
  }
  changed_.notify_all();
  server->stopAll(true);
}

bool HookReceiver::delay(int delayMs) {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, std::chrono::milliseconds(delayMs), [this] { return !running_; });
}

void HookReceiver::setDefault(Reply reply) {
  std::lock_guard lock(mutex_);
  default_ = std::move(reply);
}

void HookReceiver::setReply(const std::string& path, Reply reply) {
  std::lock_guard lock(mutex_);
  byPath_[path] = std::move(reply);
}

void HookReceiver::setNth(const std::string& path, int n, Reply reply) {
  std::lock_guard lock(mutex_);
  nth_[{path, n}] = std::move(reply);
}

Reply HookReceiver::replyFor(const std::string& path, int nthOverall, int nthForPath) const {
  if (auto it = nth_.find({path, nthForPath}); it != nth_.end()) return it->second;
  if (auto it = nth_.find({std::string(), nthOverall}); it != nth_.end()) return it->second;
  if (auto it = byPath_.find(path); it != byPath_.end()) return it->second;
  return default_.value_or(Reply::ok());
}

void HookReceiver::record(ReceivedRequest request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  changed_.notify_all();
}

std::vector<ReceivedRequest> HookReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<ReceivedRequest> HookReceiver::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  std::vector<ReceivedRequest> out;
  for (const auto& request : requests_)
    if (Poco::URI(request.path).getPath() == path) out.push_back(request);
  return out;
}

std::size_t HookReceiver::count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

bool HookReceiver::waitFor(std::size_t count, std::chrono::milliseconds timeout,
                           const std::string& path) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    if (path.empty()) return requests_.size() >= count;
    std::size_t n = 0;
    for (const auto& request : requests_)
      if (Poco::URI(request.path).getPath() == path) ++n;
    return n >= count;
  });
}

void HookReceiver::clear() {
  std::lock_guard lock(mutex_);
  requests_.clear();
  perPath_.clear();
  total_ = 0;
}

bool HookReceiver::signatureValid(const ReceivedRequest& request, const std::string& secret) {
  Poco::Int64 timestamp = 0;
  if (!Poco::NumberParser::tryParse64(request.header("webhook-timestamp"), timestamp)) return false;
  const hooks::Signer signer(secret);
  return signer.verify(request.header("webhook-id"), timestamp, request.body,
                       request.header("webhook-signature"));
}

}  // namespace sipbridge::test
