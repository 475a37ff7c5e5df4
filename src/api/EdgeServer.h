#pragma once

#include "ApiContext.h"
#include "Router.h"
#include "WorkerPool.h"
#include "sipbridge/api/ApiConfig.h"
#include "sipbridge/core/Metrics.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sipbridge::api {

class EdgeServer;

/// A connection the server can ask to wind down when it stops.
class EdgeConnection {
 public:
  virtual ~EdgeConnection() = default;
  /// Called from any thread: end soon (a WebSocket closes with 1001, a long-poll answers
  /// with what it has, an idle connection closes, a request in progress finishes first).
  virtual void goingAway() = 0;
  /// Called after the event loop has stopped: drop every registration with core.
  virtual void detach() = 0;
};

/// One open connection's share of the connection caps; released when destroyed. Movable
/// (an HTTP connection hands it to the WebSocket it becomes).
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(EdgeServer* server, std::string address)
      : server_(server), address_(std::move(address)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : server_(std::exchange(other.server_, nullptr)), address_(std::move(other.address_)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ~ConnectionSlot();
  const std::string& address() const { return address_; }

 private:
  EdgeServer* server_ = nullptr;
  std::string address_;
};

/// The event loop that serves every client connection (HTTP keep-alive, long-polls,
/// WebSockets) on http.ioThreads threads, with the blocking handlers on a bounded worker
/// pool. Enforces the connection caps and counts every refusal and timeout in the metrics.
/// start() and stop() are called from one thread; the rest is thread-safe.
class EdgeServer {
 public:
  EdgeServer(ApiContext& context, Router& router);
  ~EdgeServer();
  EdgeServer(const EdgeServer&) = delete;
  EdgeServer& operator=(const EdgeServer&) = delete;

  /// Binds and starts the loop threads. Throws boost::system::system_error when the
  /// address cannot be bound.
  void start();
  /// Stops accepting, asks every connection to wind down, waits up to http.stopSeconds for
  /// them, then stops the workers and the loop. Idempotent.
  void stop();
  int port() const { return port_; }

  ApiContext& context() { return context_; }
  const ApiConfig& config() const { return context_.config; }
  Router& router() { return router_; }
  WorkerPool& workers() { return *workers_; }
  bool stopping() const { return stopping_.load(); }

  void enroll(const std::shared_ptr<EdgeConnection>& connection);
  void withdraw(const EdgeConnection* connection);
  /// Takes one of the long-poll (WebSocket) places; false, counted, when all are taken.
  bool acquireLongPoll();
  void releaseLongPoll();
  bool acquireWebSocket();
  void releaseWebSocket();
  /// Counts a refusal: reason = connections, connections_per_address, long_polls, websockets,
  /// workers_busy.
  void countRefused(const std::string& reason);
  /// Counts a connection closed for a deadline: phase = header, body, idle.
  void countTimeout(const std::string& phase);
  /// Counts a WebSocket the server closed: reason = slow_client, send_timeout, too_big,
  /// dead_peer, bad_frame, stopping, session_ended.
  void countWebSocketClose(const std::string& reason);

 private:
  friend class ConnectionSlot;
  void accept();
  void refuse(boost::asio::ip::tcp::socket socket, const std::string& reason);
  void releaseConnection(const std::string& address);

  ApiContext& context_;
  Router& router_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<boost::asio::steady_timer> acceptRetry_;
  std::unique_ptr<WorkerPool> workers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;

  std::mutex mutex_;
  std::unordered_map<const EdgeConnection*, std::weak_ptr<EdgeConnection>> connections_;
  std::unordered_map<std::string, int> perAddress_;
  std::shared_ptr<std::atomic<int>> open_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> longPolls_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace sipbridge::api
