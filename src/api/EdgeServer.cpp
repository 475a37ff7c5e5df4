#include "EdgeServer.h"

#include "HttpConnection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <Poco/Logger.h>

#include <chrono>

namespace sipbridge::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("sipbridge.api");
}

/// A refused connection: the 503 is written, the sending side shut, and what the client
/// still sends is read and dropped for a moment, so it sees the answer instead of a reset.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(tcp::socket socket, std::string text)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), text_(std::move(text)) {}

  void start() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->socket_.close(ec);
    });
    asio::async_write(socket_, asio::buffer(text_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->finish();
                        self->socket_.shutdown(tcp::socket::shutdown_send, ec);
                        self->drain();
                      });
  }

 private:
  void drain() {
    socket_.async_read_some(asio::buffer(sink_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->finish();
                              self->drain();
                            });
  }
  void finish() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string text_;
  char sink_[512];
};

std::string refusalText(const std::string& message) {
  const std::string body = R"({"error":{"code":"unavailable","message":")" + message + R"("}})";
  return "HTTP/1.1 503 Service Unavailable\r\nServer: sipbridge\r\nRetry-After: 5\r\n"
         "Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

ConnectionSlot::~ConnectionSlot() {
  if (server_) server_->releaseConnection(address_);
}

EdgeServer::EdgeServer(ApiContext& context, Router& router) : context_(context), router_(router) {
  auto& metrics = context_.metrics;
  metrics.gauge("sipbridge_http_connections_open", "Client connections open on this node",
                [open = open_] { return static_cast<double>(open->load()); });
  metrics.gauge("sipbridge_longpolls_open", "Long-polls waiting on this node",
                [open = longPolls_] { return static_cast<double>(open->load()); });
  metrics.gauge("sipbridge_websockets_open", "WebSockets open on this node",
                [open = context_.openWebSockets] { return static_cast<double>(open->load()); });
}

EdgeServer::~EdgeServer() {
  stop();
}

void EdgeServer::start() {
  if (io_) return;
  const ApiConfig& config = context_.config;
  stopping_ = false;
  context_.stopping = false;
  io_ = std::make_unique<asio::io_context>(std::max(config.ioThreads, 1));
  workers_ = std::make_unique<WorkerPool>(config.maxThreads,
                                          static_cast<std::size_t>(std::max(config.maxQueued, 0)));
  acceptor_ = std::make_unique<tcp::acceptor>(asio::make_strand(*io_));
  const tcp::endpoint endpoint(asio::ip::make_address(config.bindAddress),
                               static_cast<unsigned short>(config.port));
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  acceptor_->bind(endpoint);
  acceptor_->listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_->local_endpoint().port();
  acceptRetry_ = std::make_unique<asio::steady_timer>(acceptor_->get_executor());
  accept();
  for (int i = 0; i < std::max(config.ioThreads, 1); ++i)
    threads_.emplace_back([this] { io_->run(); });
}

void EdgeServer::accept() {
  acceptor_->async_accept(
      asio::make_strand(*io_), [this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || stopping_) return;
        if (ec) {
          // Out of file descriptors or similar: wait a little instead of spinning.
          logger().warning("accept failed: %s", ec.message());
          countRefused("accept_failed");
          acceptRetry_->expires_after(std::chrono::milliseconds(100));
          acceptRetry_->async_wait([this](boost::system::error_code waitError) {
            if (!waitError && !stopping_) accept();
          });
          return;
        }
        boost::system::error_code addressError;
        const auto remote = socket.remote_endpoint(addressError);
        const std::string address = addressError ? std::string() : remote.address().to_string();
        std::string refusal;
        {
          std::lock_guard lock(mutex_);
          if (open_->load() >= context_.config.maxConnections) {
            refusal = "connections";
          } else if (perAddress_[address] >= context_.config.maxConnectionsPerAddress) {
            refusal = "connections_per_address";
          } else {
            ++perAddress_[address];
            ++*open_;
          }
          if (!refusal.empty() && perAddress_[address] == 0) perAddress_.erase(address);
        }
        if (refusal.empty()) {
          socket.set_option(tcp::no_delay(true), addressError);
          startHttpConnection(*this, std::move(socket), ConnectionSlot(this, address));
        } else {
          refuse(std::move(socket), refusal);
        }
        accept();
      });
}

void EdgeServer::refuse(tcp::socket socket, const std::string& reason) {
  countRefused(reason);
  const std::string message = reason == "connections"
                                  ? "too many connections to this node; retry later"
                                  : "too many connections from this address; retry later";
  std::make_shared<Refusal>(std::move(socket), refusalText(message))->start();
}

void EdgeServer::releaseConnection(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = perAddress_.find(address);
  if (it != perAddress_.end() && --it->second <= 0) perAddress_.erase(it);
  --*open_;
}

void EdgeServer::stop() {
  if (!io_) return;
  stopping_ = true;
  context_.stopping = true;
  asio::post(acceptor_->get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    acceptRetry_->cancel();
  });
  std::vector<std::shared_ptr<EdgeConnection>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : connections_)
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
  }
  for (const auto& connection : open) connection->goingAway();
  open.clear();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(context_.config.stopSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      if (connections_.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  workers_->stop();
  io_->stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : connections_)
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
  }
  for (const auto& connection : open) connection->detach();
  open.clear();
  acceptRetry_.reset();
  acceptor_.reset();
  io_.reset();  // destroys what the loop still held: the remaining connections
  workers_.reset();
  port_ = 0;
}

void EdgeServer::enroll(const std::shared_ptr<EdgeConnection>& connection) {
  std::lock_guard lock(mutex_);
  connections_[connection.get()] = connection;
}

void EdgeServer::withdraw(const EdgeConnection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

bool EdgeServer::acquireLongPoll() {
  if (longPolls_->fetch_add(1) >= context_.config.maxLongPolls) {
    longPolls_->fetch_sub(1);
    countRefused("long_polls");
    return false;
  }
  return true;
}

void EdgeServer::releaseLongPoll() {
  longPolls_->fetch_sub(1);
}

bool EdgeServer::acquireWebSocket() {
  auto& open = *context_.openWebSockets;
  if (open.fetch_add(1) >= context_.config.maxWebSockets) {
    open.fetch_sub(1);
    countRefused("websockets");
    return false;
  }
  return true;
}

void EdgeServer::releaseWebSocket() {
  context_.openWebSockets->fetch_sub(1);
}

void EdgeServer::countRefused(const std::string& reason) {
  context_.metrics
      .counter("sipbridge_http_refused_total",
               "Connections and requests refused for a limit, by limit",
               "{reason=\"" + reason + "\"}")
      .inc();
}

void EdgeServer::countTimeout(const std::string& phase) {
  context_.metrics
      .counter("sipbridge_http_timeouts_total",
               "Connections closed because a deadline passed, by phase",
               "{phase=\"" + phase + "\"}")
      .inc();
}

void EdgeServer::countWebSocketClose(const std::string& reason) {
  context_.metrics
      .counter("sipbridge_websocket_closed_total", "WebSockets closed by the server, by reason",
               "{reason=\"" + reason + "\"}")
      .inc();
}

}  // namespace sipbridge::api
