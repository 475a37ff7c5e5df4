// The client edge of the real sipbridge binary with real PostgreSQL: a WebSocket client that
// stops reading, idle and slowloris connections, and CORS set through the admin API and the
// command line. In each, /health keeps answering. No SIP is involved (sessions connect
// without registration), so no SIP server runs.
#include "BridgeProcess.h"
#include "TestEnv.h"

#include <Poco/Buffer.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <thread>

using namespace sipbridge::test;
using namespace std::chrono_literals;
using Poco::Net::WebSocket;

namespace {

struct Edge {
  explicit Edge(std::map<std::string, std::string> env = {})
      : bridge(pg.conninfo(), "127.0.0.1:" + std::to_string(freePort()), std::move(env)) {
    bridge.start();
    const auto created = bridge.admin(
        "POST", "/admin/v1/apps",
        R"({"appKey":"web","connectHook":false,"allowedOrigins":["https://chat.example.test"]})");
    BOOST_REQUIRE_EQUAL(created.status, 201);
  }
  /// A session without SIP registration: (sessionId, token).
  std::pair<std::string, std::string> connect() {
    const auto answer = bridge.post("/api/v1/connect", R"({"appKey":"web"})");
    BOOST_REQUIRE_EQUAL(answer.status, 200);
    return {answer.json()->getValue<std::string>("sessionId"),
            answer.json()->getValue<std::string>("authToken")};
  }
  int health() const { return bridge.get("/health").status; }
  std::string metrics() const { return bridge.get("/metrics").body; }

  PgInstance pg;
  BridgeProcess bridge;
};

/// One request with extra headers; (status, response).
std::pair<int, Poco::Net::HTTPResponse> request(int port, const std::string& method,
                                                const std::string& path,
                                                const std::map<std::string, std::string>& headers,
                                                const std::string& body = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty()) {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse response;
  std::string ignored;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), ignored);
  return {response.getStatus(), response};
}

struct WsClient {
  WsClient(int port, const std::string& path)
      : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    socket = std::make_unique<WebSocket>(session, req, response);
    socket->setReceiveTimeout(Poco::Timespan(15, 0));
  }
  std::pair<int, std::string> receive() {
    Poco::Buffer<char> buffer(0);
    int flags = 0;
    const int n = socket->receiveFrame(buffer, flags);
    return {flags & WebSocket::FRAME_OP_BITMASK, std::string(buffer.begin(), std::size_t(n))};
  }
  Poco::Net::HTTPClientSession session;
  Poco::Net::HTTPResponse response;
  std::unique_ptr<WebSocket> socket;
};

std::int64_t seqOf(const std::string& text) {
  return Poco::JSON::Parser()
      .parse(text)
      .extract<Poco::JSON::Object::Ptr>()
      ->getValue<std::int64_t>("seq");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(EdgeEndToEnd)

BOOST_AUTO_TEST_CASE(a_websocket_client_that_stops_reading_is_closed_and_resumes_without_loss) {
  Edge e({{"SIPBRIDGE_HTTP_WEBSOCKETSENDQUEUEBYTES", "65536"},
          {"SIPBRIDGE_HTTP_WEBSOCKETSENDTIMEOUTSECONDS", "1"}});
  const auto [sessionId, token] = e.connect();
  WsClient client(e.bridge.httpPort(), "/api/v1/ws?after=0&token=" + token);
  // The client reads nothing while the backend sends far more than the socket buffers hold.
  const int sent = 250;
  const std::string payload = R"({"payload":{"text":")" + std::string(20000, 'x') + R"("}})";
  for (int i = 0; i < sent; ++i)
    BOOST_REQUIRE_EQUAL(
        e.bridge.admin("POST", "/admin/v1/sessions/" + sessionId + "/data", payload).status, 202);
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = e.metrics().find("sipbridge_websocket_closed_total{reason=\"slow_client\"} 1") !=
             std::string::npos;
    if (!closed) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(closed);
  BOOST_TEST(e.health() == 200);
  std::int64_t last = 0;
  for (;;) {
    const auto [op, text] = client.receive();
    if (op == int(WebSocket::FRAME_OP_CLOSE)) {
      BOOST_REQUIRE(text.size() >= 2u);
      BOOST_TEST(((static_cast<unsigned char>(text[0]) << 8) |
                  static_cast<unsigned char>(text[1])) == 1013);
      break;
    }
    BOOST_REQUIRE(op == int(WebSocket::FRAME_OP_TEXT));
    BOOST_REQUIRE_EQUAL(seqOf(text), last + 1);
    last = seqOf(text);
  }
  const std::int64_t total = sent + 1;  // ConnectionStatusEvent ESTABLISHED, then the data
  BOOST_TEST(last < total);
  WsClient again(e.bridge.httpPort(),
                 "/api/v1/ws?after=" + std::to_string(last) + "&token=" + token);
  while (last < total) {
    const auto [op, text] = again.receive();
    BOOST_REQUIRE(op == int(WebSocket::FRAME_OP_TEXT));
    BOOST_REQUIRE_EQUAL(seqOf(text), last + 1);
    last = seqOf(text);
  }
}

BOOST_AUTO_TEST_CASE(idle_and_slowloris_connections_do_not_stop_health) {
  Edge e(std::map<std::string, std::string>{{"SIPBRIDGE_HTTP_HEADERTIMEOUTSECONDS", "2"}});
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle, slow;
  const Poco::Net::SocketAddress address("127.0.0.1",
                                         static_cast<Poco::UInt16>(e.bridge.httpPort()));
  for (int i = 0; i < 150; ++i) idle.push_back(std::make_unique<Poco::Net::StreamSocket>(address));
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Poco::Net::StreamSocket>(address));
    slow.back()->sendBytes("GET /health HTTP/1.1\r\n", 22);
  }
  for (int round = 0; round < 8; ++round) {
    for (auto& socket : slow) {
      try {
        socket->sendBytes("X-Slow: 1\r\n", 11);
      } catch (const Poco::Exception&) {
        // cut by the server: that is the point
      }
    }
    BOOST_TEST(e.health() == 200);
    std::this_thread::sleep_for(500ms);
  }
  const std::string metrics = e.metrics();
  const auto at = metrics.find("sipbridge_http_timeouts_total{phase=\"header\"} ");
  BOOST_REQUIRE(at != std::string::npos);
  BOOST_TEST(std::stoi(metrics.substr(at + 46)) >= 200);
}

BOOST_AUTO_TEST_CASE(cors_per_application_from_the_admin_api_and_the_command_line) {
  Edge e;
  const int port = e.bridge.httpPort();
  auto preflight = [&](const std::string& origin) {
    return request(port, "OPTIONS", "/api/v1/connect",
                   {{"Origin", origin}, {"Access-Control-Request-Method", "POST"}});
  };
  auto [status, response] = preflight("https://chat.example.test");
  BOOST_TEST(status == 204);
  BOOST_TEST(response.get("Access-Control-Allow-Origin", "") == "https://chat.example.test");
  BOOST_TEST(preflight("https://evil.example.test").first == 403);
  std::tie(status, response) =
      request(port, "POST", "/api/v1/connect", {{"Origin", "https://chat.example.test"}},
              R"({"appKey":"web"})");
  BOOST_TEST(status == 200);
  BOOST_TEST(response.get("Access-Control-Allow-Origin", "") == "https://chat.example.test");
  BOOST_TEST(!response.has("Access-Control-Allow-Credentials"));
  // The command line changes the stored origins; the node sees it within a second.
  e.bridge.command("app update --key web --origins https://new.example.test");
  BOOST_TEST(e.bridge.command("app list").find("origins=https://new.example.test") !=
             std::string::npos);
  std::this_thread::sleep_for(1200ms);
  BOOST_TEST(preflight("https://new.example.test").first == 204);
  BOOST_TEST(preflight("https://chat.example.test").first == 403);
  BOOST_TEST(e.health() == 200);
}

BOOST_AUTO_TEST_SUITE_END()
