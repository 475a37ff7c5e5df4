// The API over HTTPS and WSS on the real sipbridge binary with real PostgreSQL and a CA made
// at test time: a wss:// client receives its events, REST works over https, SIGHUP reloads the
// certificate without dropping open sessions (and a bad file keeps the old one), a plain HTTP
// client on the TLS port is refused cleanly, and a stalled handshake is cut at the header
// deadline. The plain listener stays up beside the TLS one; no SIP is involved.
#include "BridgeProcess.h"
#include "TestCertificates.h"
#include "TestEnv.h"
#include "sipbridge/tls/TlsClient.h"

#include <Poco/Buffer.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

using namespace sipbridge;
using namespace sipbridge::test;
using namespace std::chrono_literals;
using Poco::Net::WebSocket;

namespace {

void copyFile(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

/// A bridge with both listeners; its certificate files live in a directory of the test, so
/// they can be replaced before a SIGHUP.
struct TlsEdge {
  /// `httpsOnly`: the plain listener is disabled (and no application is made).
  explicit TlsEdge(std::map<std::string, std::string> env = {}, bool httpsOnly = false)
      : first(ca.server("bridge-one", {"DNS:localhost", "IP:127.0.0.1"})),
        certFile(dir.path() + "/cert.pem"),
        keyFile(dir.path() + "/key.pem"),
        tlsPort(freePort()),
        client([this] {
          tls::TlsConfig config;
          config.systemCAs = false;
          config.caFile = ca.caFile();
          return config;
        }()),
        bridge(pg.conninfo(), "127.0.0.1:" + std::to_string(freePort()), withTls(std::move(env))) {
    if (httpsOnly) {
      bridge.start([this] {
        try {
          return request("GET", "/health").status == 200;
        } catch (const std::exception&) {
          return false;
        }
      });
      return;
    }
    bridge.start();
    const auto created =
        bridge.admin("POST", "/admin/v1/apps", R"({"appKey":"web","connectHook":false})");
    BOOST_REQUIRE_EQUAL(created.status, 201);
  }

  std::map<std::string, std::string> withTls(std::map<std::string, std::string> env) {
    copyFile(first.certFile, certFile);
    copyFile(first.keyFile, keyFile);
    env.emplace("SIPBRIDGE_HTTPS_ENABLED", "true");
    env.emplace("SIPBRIDGE_HTTPS_PORT", std::to_string(tlsPort));
    env.emplace("SIPBRIDGE_HTTPS_CERTIFICATEFILE", certFile);
    env.emplace("SIPBRIDGE_HTTPS_KEYFILE", keyFile);
    return env;
  }

  /// A verifying https session to the TLS port (host name localhost, trusting the test CA).
  std::unique_ptr<Poco::Net::HTTPClientSession> session() {
    auto made =
        client.session(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(tlsPort)),
                       "localhost", {}, true);
    made->setTimeout(Poco::Timespan(15, 0));
    return made;
  }

  /// One request over https: (status, body, common name of the server's certificate).
  struct Answer {
    int status;
    std::string body;
    std::string commonName;
  };
  Answer request(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& bearer = {}) {
    auto s = session();
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost("localhost");
    if (!bearer.empty()) req.set("Authorization", "Bearer " + bearer);
    if (!body.empty()) {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s->sendRequest(req) << body;
    Poco::Net::HTTPResponse response;
    Answer answer{0, {}, {}};
    Poco::StreamCopier::copyToString(s->receiveResponse(response), answer.body);
    answer.status = response.getStatus();
    answer.commonName =
        dynamic_cast<Poco::Net::HTTPSClientSession&>(*s).serverCertificate().commonName();
    return answer;
  }

  /// A session connected over https without SIP registration: (sessionId, token).
  std::pair<std::string, std::string> connect() {
    const auto answer = request("POST", "/api/v1/connect", R"({"appKey":"web"})");
    BOOST_REQUIRE_EQUAL(answer.status, 200);
    HttpResult parsed;
    parsed.body = answer.body;
    return {parsed.json()->getValue<std::string>("sessionId"),
            parsed.json()->getValue<std::string>("authToken")};
  }

  /// Sends data from the backend to a session: one OnDataEvent.
  void sendData(const std::string& sessionId, const std::string& marker) {
    const auto sent = bridge.admin("POST", "/admin/v1/sessions/" + sessionId + "/data",
                                   R"({"payload":{"marker":")" + marker + R"("}})");
    BOOST_REQUIRE_EQUAL(sent.status / 100, 2);
  }

  std::string metrics() const { return bridge.get("/metrics").body; }

  bool logShows(const std::string& text, std::chrono::seconds limit = 10s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (bridge.log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  TempDir dir;
  TestCa ca;
  IssuedCertificate first;
  std::string certFile, keyFile;
  int tlsPort;
  tls::TlsClient client;
  PgInstance pg;
  BridgeProcess bridge;
};

/// A WebSocket over TLS (wss://) to the bridge.
struct WssClient {
  WssClient(TlsEdge& edge, const std::string& path) : session(edge.session()) {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setHost("localhost");
    socket = std::make_unique<WebSocket>(*session, req, response);
    socket->setReceiveTimeout(Poco::Timespan(15, 0));
  }
  /// Text frames until one contains `text` (pings are answered by the bridge's own timing).
  bool receiveContaining(const std::string& text) {
    for (int i = 0; i < 50; ++i) {
      Poco::Buffer<char> buffer(0);
      int flags = 0;
      const int n = socket->receiveFrame(buffer, flags);
      if (n <= 0 && (flags & WebSocket::FRAME_OP_BITMASK) == WebSocket::FRAME_OP_CLOSE)
        return false;
      if (std::string(buffer.begin(), std::size_t(n)).find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  Poco::Net::HTTPResponse response;
  std::unique_ptr<WebSocket> socket;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiTls)

BOOST_AUTO_TEST_CASE(a_wss_client_receives_its_events_and_rest_works_over_https) {
  TlsEdge edge;
  const auto health = edge.request("GET", "/health");
  BOOST_TEST(health.status == 200);
  BOOST_TEST(health.commonName == "bridge-one");
  const auto [sessionId, token] = edge.connect();
  WssClient ws(edge, "/api/v1/ws?after=0&token=" + token);
  BOOST_TEST(ws.response.getStatus() == 101);
  BOOST_TEST(ws.receiveContaining("ESTABLISHED"));
  edge.sendData(sessionId, "over-wss");
  BOOST_TEST(ws.receiveContaining("over-wss"));
  // A method over https with the token: the same strict JSON and errors as over plain HTTP.
  const auto bad = edge.request("POST", "/api/v1/sendData", R"({"payload":1,"payload":2})", token);
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body.find(R"("code":"duplicate_member")") != std::string::npos, bad.body);
  BOOST_TEST(bad.body.find(R"("field":"payload")") != std::string::npos, bad.body);
}

BOOST_AUTO_TEST_CASE(sighup_reloads_the_certificate_and_open_sessions_go_on) {
  TlsEdge edge;
  const auto [sessionId, token] = edge.connect();
  WssClient ws(edge, "/api/v1/ws?after=0&token=" + token);
  BOOST_TEST(ws.receiveContaining("ESTABLISHED"));

  const auto second = edge.ca.server("bridge-two", {"DNS:localhost", "IP:127.0.0.1"});
  copyFile(second.certFile, edge.certFile);
  copyFile(second.keyFile, edge.keyFile);
  edge.bridge.hangUp();
  BOOST_REQUIRE(edge.logShows("https certificate reloaded"));
  BOOST_TEST(edge.request("GET", "/health").commonName == "bridge-two");
  edge.sendData(sessionId, "after-reload");
  BOOST_TEST(ws.receiveContaining("after-reload"));

  // A certificate file that is not PEM: the reload fails, says why, and the last good
  // certificate stays in use.
  {
    std::ofstream broken(edge.certFile, std::ios::trunc);
    broken << "not a certificate\n";
  }
  edge.bridge.hangUp();
  BOOST_REQUIRE(edge.logShows("https certificate reload failed"));
  BOOST_TEST(edge.bridge.log().find(edge.certFile) != std::string::npos);
  BOOST_TEST(edge.request("GET", "/health").commonName == "bridge-two");
  edge.sendData(sessionId, "after-failed-reload");
  BOOST_TEST(ws.receiveContaining("after-failed-reload"));
  const auto metrics = edge.metrics();
  BOOST_TEST(metrics.find("sipbridge_tls_certificate_reloads_total{result=\"ok\"} 1") !=
             std::string::npos);
  BOOST_TEST(metrics.find("sipbridge_tls_certificate_reloads_total{result=\"failed\"} 1") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_http_on_the_tls_port_gets_a_clear_400_and_health_goes_on) {
  TlsEdge edge;
  Poco::Net::StreamSocket plain(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(edge.tlsPort)));
  plain.setReceiveTimeout(Poco::Timespan(10, 0));
  const std::string request = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
  plain.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string answer;
  char buffer[1024];
  for (int n; (n = plain.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
  BOOST_TEST(answer.rfind("HTTP/1.1 400", 0) == 0u, answer);
  BOOST_TEST(answer.find("\"code\":\"tls_required\"") != std::string::npos, answer);
  BOOST_TEST(edge.bridge.get("/health").status == 200);
  BOOST_TEST(edge.request("GET", "/health").status == 200);
  BOOST_TEST(
      edge.metrics().find("sipbridge_tls_handshake_failures_total{reason=\"plain_http\"} 1") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_stalled_handshake_is_cut_at_the_header_deadline) {
  TlsEdge edge(std::map<std::string, std::string>{{"SIPBRIDGE_HTTP_HEADERTIMEOUTSECONDS", "2"}});
  // One connection says nothing, one starts a TLS record and stops.
  Poco::Net::StreamSocket silent(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(edge.tlsPort)));
  Poco::Net::StreamSocket stalled(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(edge.tlsPort)));
  const char partialRecord[] = {0x16, 0x03, 0x01};
  stalled.sendBytes(partialRecord, sizeof partialRecord);
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(edge.request("GET", "/health").status == 200);
  for (auto* socket : {&silent, &stalled}) {
    socket->setReceiveTimeout(Poco::Timespan(10, 0));
    char buffer[64];
    int n = -1;
    try {
      n = socket->receiveBytes(buffer, sizeof buffer);
    } catch (const Poco::Exception&) {
      n = 0;  // reset: also closed by the server
    }
    BOOST_TEST(n == 0);
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST((waited >= 1500ms));
  BOOST_TEST((waited < 8s));
  BOOST_TEST(edge.metrics().find("sipbridge_tls_handshake_failures_total{reason=\"timeout\"} 2") !=
             std::string::npos);
  BOOST_TEST(edge.bridge.get("/health").status == 200);
}

BOOST_AUTO_TEST_CASE(with_the_plain_listener_disabled_only_https_answers) {
  TlsEdge edge({{"SIPBRIDGE_HTTP_ENABLED", "false"}}, true);
  BOOST_TEST(edge.request("GET", "/health").status == 200);
  // Nothing listens on the plain port the configuration names.
  BOOST_CHECK_THROW(edge.bridge.get("/health"), std::exception);
}

BOOST_AUTO_TEST_CASE(a_connection_over_the_caps_on_the_tls_port_is_closed_without_plain_text) {
  TlsEdge edge(
      std::map<std::string, std::string>{{"SIPBRIDGE_HTTP_MAXCONNECTIONSPERADDRESS", "2"}});
  auto from = [&] {
    auto socket = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress::IPv4);
    socket->impl()->bind(Poco::Net::SocketAddress("127.0.0.2", 0));
    socket->connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(edge.tlsPort)));
    socket->setReceiveTimeout(Poco::Timespan(5, 0));
    return socket;
  };
  auto first = from();
  auto second = from();
  auto third = from();
  char buffer[256];
  int n = -1;
  try {
    n = third->receiveBytes(buffer, sizeof buffer);
  } catch (const Poco::Exception&) {
    n = 0;  // reset: closed too
  }
  BOOST_TEST(n == 0);  // closed, no plain 503 that a TLS client could not read
  BOOST_TEST(
      edge.metrics().find(R"(sipbridge_http_refused_total{reason="connections_per_address"} 1)") !=
      std::string::npos);
  BOOST_TEST(edge.request("GET", "/health").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
