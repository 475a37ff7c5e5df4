#pragma once

// Load side of Api_Edge_Clients: many WebSocket clients on one event loop, raw idle and
// slowloris sockets, /health probes, and the baseline: a minimal Boost.Beast event-loop server
// that holds the same WebSockets, forwards posted events to them and answers /health.
// Loopback only; every loop is bounded in count and time by its caller.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sipbridge::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

/// CLOCK_MONOTONIC in ns: shared by every process on the machine.
inline std::int64_t monotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// N WebSocket clients driven by one io_context (run by the caller's thread). Each connects
/// from source address `sources[i % n]`, opens `targets[i]`, and reads frames for ever,
/// counting them and, for frames holding `"t":<ns>`, recording the latency.
class WsClients {
 public:
  WsClients(int port, std::vector<std::string> targets, std::vector<std::string> sources)
      : port_(port), targets_(std::move(targets)), sources_(std::move(sources)) {}

  void start() {
    for (std::size_t i = 0; i < targets_.size(); ++i) open(i);
  }
  asio::io_context& io() { return io_; }
  int opened() const { return opened_; }
  int failed() const { return failed_; }
  std::int64_t frames() const { return frames_; }
  /// Clients that have received at least one frame.
  int ready() const { return ready_; }
  std::vector<double>& latenciesMs() { return latencies_; }
  void recordLatencies(bool on) { record_ = on; }
  /// Closes the clients from index `from` on (their sockets, at once).
  void closeFrom(std::size_t from) {
    asio::post(io_, [this, from] {
      for (std::size_t i = from; i < clients_.size(); ++i)
        if (clients_[i]) {
          beast::error_code ignored;
          beast::get_lowest_layer(clients_[i]->ws).close();
        }
    });
  }

 private:
  struct Client {
    explicit Client(asio::io_context& io) : ws(io) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    bool got = false;
  };

  void open(std::size_t i) {
    clients_.resize(std::max(clients_.size(), i + 1));
    clients_[i] = std::make_unique<Client>(io_);
    auto& socket = beast::get_lowest_layer(clients_[i]->ws).socket();
    beast::error_code ec;
    socket.open(tcp::v4(), ec);
    socket.bind(tcp::endpoint(asio::ip::make_address(sources_[i % sources_.size()]), 0), ec);
    if (ec) {
      ++failed_;
      return;
    }
    const tcp::endpoint to(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_));
    socket.async_connect(to, [this, i](beast::error_code e) {
      if (e) return void(++failed_);
      clients_[i]->ws.async_handshake("127.0.0.1", targets_[i], [this, i](beast::error_code h) {
        if (h) return void(++failed_);
        ++opened_;
        read(i);
      });
    });
  }

  void read(std::size_t i) {
    clients_[i]->ws.async_read(clients_[i]->buffer, [this, i](beast::error_code e, std::size_t) {
      if (e) return;
      auto& client = *clients_[i];
      ++frames_;
      if (!client.got) {
        client.got = true;
        ++ready_;
      }
      if (record_) {
        const std::string text = beast::buffers_to_string(client.buffer.data());
        const auto at = text.find("\"t\":");
        if (at != std::string::npos)
          latencies_.push_back(
              static_cast<double>(monotonicNs() - std::stoll(text.substr(at + 4))) / 1e6);
      }
      client.buffer.clear();
      read(i);
    });
  }

  asio::io_context io_;
  int port_;
  std::vector<std::string> targets_;
  std::vector<std::string> sources_;
  std::vector<std::unique_ptr<Client>> clients_;
  int opened_ = 0, failed_ = 0, ready_ = 0;
  std::int64_t frames_ = 0;
  bool record_ = false;
  std::vector<double> latencies_;
};

/// The baseline: a minimal event-loop server (one thread). `GET /ws?i=<n>` becomes WebSocket
/// n, which gets one frame at once (as the bridge sends the session's first event);
/// `POST /send/<n>` forwards its body to WebSocket n; `GET /health` answers 200. No limits,
/// no deadlines, no parsing beyond Beast's.
class MinimalServer {
 public:
  MinimalServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  int port() const { return acceptor_.local_endpoint().port(); }
  void run() {
    accept();
    io_.run();
  }

 private:
  struct Ws {
    explicit Ws(tcp::socket s) : ws(std::move(s)) {}
    websocket::stream<tcp::socket> ws;
    beast::flat_buffer buffer;
    std::vector<std::shared_ptr<std::string>> queue;
    bool writing = false;
  };
  struct Conn : std::enable_shared_from_this<Conn> {
    Conn(MinimalServer& s, tcp::socket sock) : server(s), socket(std::move(sock)) {}
    MinimalServer& server;
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    void read() {
      request = {};
      http::async_read(socket, buffer, request,
                       [self = shared_from_this()](beast::error_code e, std::size_t) {
                         if (!e) self->server.handle(self);
                       });
    }
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code e, tcp::socket socket) {
      if (!e) std::make_shared<Conn>(*this, std::move(socket))->read();
      accept();
    });
  }

  void handle(const std::shared_ptr<Conn>& conn) {
    const std::string target(conn->request.target());
    if (websocket::is_upgrade(conn->request)) {
      const std::size_t index = std::stoul(target.substr(target.find("i=") + 2));
      auto ws = std::make_shared<Ws>(std::move(conn->socket));
      ws->ws.async_accept(conn->request, [this, ws, index](beast::error_code e) {
        if (e) return;
        sockets_.resize(std::max(sockets_.size(), index + 1));
        sockets_[index] = ws;
        send(*ws, R"({"type":"ConnectionStatusEvent","status":"ESTABLISHED","seq":1})");
        readWs(ws);
      });
      return;
    }
    conn->response = {http::status::ok, conn->request.version()};
    if (target.rfind("/send/", 0) == 0) {
      const std::size_t index = std::stoul(target.substr(6));
      if (index < sockets_.size() && sockets_[index]) send(*sockets_[index], conn->request.body());
      conn->response.result(http::status::accepted);
    }
    conn->response.set(http::field::content_type, "application/json");
    conn->response.body() = R"({"status":"ok"})";
    conn->response.keep_alive(conn->request.keep_alive());
    conn->response.prepare_payload();
    http::async_write(conn->socket, conn->response, [conn](beast::error_code e, std::size_t) {
      if (!e && conn->response.keep_alive()) conn->read();
    });
  }

  void readWs(const std::shared_ptr<Ws>& ws) {
    ws->ws.async_read(ws->buffer, [this, ws](beast::error_code e, std::size_t) {
      if (e) return;
      ws->buffer.clear();
      readWs(ws);
    });
  }

  void send(Ws& ws, std::string text) {
    ws.queue.push_back(std::make_shared<std::string>(std::move(text)));
    if (!ws.writing) writeNext(ws);
  }
  void writeNext(Ws& ws) {
    if (ws.queue.empty()) return void(ws.writing = false);
    ws.writing = true;
    auto front = ws.queue.front();
    ws.queue.erase(ws.queue.begin());
    ws.ws.text(true);
    ws.ws.async_write(asio::buffer(*front), [this, &ws, front](beast::error_code e, std::size_t) {
      if (e) return void(ws.writing = false);
      writeNext(ws);
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Ws>> sockets_;
};

}  // namespace sipbridge::bench
