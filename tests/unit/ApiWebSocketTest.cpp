#include "ApiTestFixture.h"
#include "RawClient.h"

#include <Poco/Buffer.h>
#include <Poco/Net/WebSocket.h>

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace sipbridge::api;
using namespace sipbridge::api::test;
using Poco::Net::WebSocket;

namespace {

/// A client WebSocket to the server under test.
struct Client {
  Client(int port, const std::string& path, const std::map<std::string, std::string>& headers = {})
      : session("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.set(name, value);
    socket = std::make_unique<WebSocket>(session, request, response);
    socket->setReceiveTimeout(Poco::Timespan(5, 0));
  }
  /// The next frame: (opcode, payload).
  std::pair<int, std::string> receive() {
    Poco::Buffer<char> buffer(0);
    int flags = 0;
    const int n = socket->receiveFrame(buffer, flags);
    return {flags & WebSocket::FRAME_OP_BITMASK, std::string(buffer.begin(), std::size_t(n))};
  }
  Poco::JSON::Object::Ptr receiveJson() {
    const auto [op, payload] = receive();
    BOOST_TEST_REQUIRE(
        op == int(WebSocket::FRAME_OP_TEXT),
        "frame " << op << ": " << payload.size() << " bytes, code "
                 << (payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) +
                                               static_cast<unsigned char>(payload[1])
                                         : 0));
    return Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
  }
  void send(const std::string& text) {
    socket->sendFrame(text.data(), int(text.size()), WebSocket::FRAME_TEXT);
  }

  Poco::Net::HTTPClientSession session;
  Poco::Net::HTTPResponse response;
  std::unique_ptr<WebSocket> socket;
};

/// The status code of a close frame's payload.
int closeCode(const std::string& payload) {
  if (payload.size() < 2) return 0;
  return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiWebSocket)

BOOST_AUTO_TEST_CASE(pushes_committed_events_in_order_after_the_given_seq) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.push(sessionId, "ConnectionStatusEvent", "PENDING");
  f.bridge.push(sessionId, "RegistrationStatusEvent", "REGISTERED");
  f.bridge.push(sessionId, "ConnectionStatusEvent", "ESTABLISHED");
  Client client(f.port, "/api/v1/ws?token=" + token + "&after=1");
  BOOST_TEST(client.response.getStatus() == 101);
  auto event = client.receiveJson();
  BOOST_TEST(event->getValue<int>("seq") == 2);
  BOOST_TEST(event->getValue<std::string>("type") == "RegistrationStatusEvent");
  BOOST_TEST(event->getValue<std::string>("info") == "n2");
  BOOST_TEST(client.receiveJson()->getValue<int>("seq") == 3);
  f.bridge.push(sessionId, "OnMessageEvent", "");
  event = client.receiveJson();
  BOOST_TEST(event->getValue<int>("seq") == 4);
  BOOST_TEST(!event->has("status"));
  BOOST_TEST(f.bridge.channelsOpened == 1);
}

BOOST_AUTO_TEST_CASE(reads_events_no_longer_in_memory_through_a_worker) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.push(sessionId, "ConnectionStatusEvent", "PENDING");
  f.bridge.memoryGap = true;
  Client client(f.port, "/api/v1/ws?token=" + token);
  BOOST_TEST(client.receiveJson()->getValue<int>("seq") == 1);
}

BOOST_AUTO_TEST_CASE(answers_method_frames_and_closes_when_the_session_ends) {
  ApiFixture f;
  f.bridge.unhandledMethods.insert("call");  // a method the service does not handle: 501
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws", bearer(token));
  client.send(R"({"id":"r0","method":"noSuchMethod"})");
  auto reply = client.receiveJson();
  BOOST_TEST(reply->getValue<std::string>("replyTo") == "r0");
  BOOST_TEST(reply->getValue<int>("status") == 404);
  BOOST_TEST(reply->getObject("body")->getObject("error")->getValue<std::string>("code") ==
             "unknown_method");
  client.send(R"({"id":7,"method":"call","callee":"bob","sdp":"v=0"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<int>("replyTo") == 7);
  BOOST_TEST(reply->getValue<int>("status") == 501);
  client.send(R"({"id":"s1","method":"subscribe","event":"reg"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<std::string>("replyTo") == "s1");
  BOOST_TEST(reply->getValue<int>("status") == 202);
  BOOST_TEST(reply->getObject("body")->getValue<std::string>("event") == "reg");
  BOOST_TEST_REQUIRE(f.bridge.invokeCalls.size() == 2u);
  BOOST_TEST(f.bridge.invokeCalls[1].second == R"({"event":"reg"})");
  client.send(R"({"id":8,"method":"sendMessage","to":"sip:bob@example.test","body":"hi"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<int>("replyTo") == 8);
  BOOST_TEST(reply->getValue<int>("status") == 202);
  BOOST_TEST(reply->getObject("body")->getValue<std::string>("status") == "QUEUED");
  BOOST_TEST_REQUIRE(f.bridge.messageCalls.size() == 1u);
  BOOST_TEST(f.bridge.messageCalls[0].second == R"({"body":"hi","to":"sip:bob@example.test"})");
  client.send("{not json");
  reply = client.receiveJson();
  BOOST_TEST(reply->isNull("replyTo"));
  BOOST_TEST(reply->getValue<int>("status") == 400);

  client.send(R"({"id":"r1","method":"disconnect"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<std::string>("replyTo") == "r1");
  BOOST_TEST(reply->getValue<int>("status") == 202);
  BOOST_TEST(reply->getObject("body")->getValue<std::string>("status") == "DISCONNECTED");
  const auto event = client.receiveJson();
  BOOST_TEST(event->getValue<std::string>("status") == "DISCONNECTED");
  const auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_CLOSE));
  BOOST_TEST(eventually([&] { return f.bridge.channelsClosed == 1; }));
}

BOOST_AUTO_TEST_CASE(ping_is_answered_and_close_is_echoed) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  client.socket->sendFrame("hi", 2, WebSocket::FRAME_FLAG_FIN | int(WebSocket::FRAME_OP_PING));
  auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_PONG));
  BOOST_TEST(payload == "hi");
  client.socket->shutdown();
  std::tie(op, payload) = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_CLOSE));
  BOOST_TEST(eventually([&] { return f.bridge.channelsClosed == 1; }));
  BOOST_TEST(eventually(
      [&] { return f.metrics.render().find("sipbridge_websockets_open 0") != std::string::npos; }));
}

BOOST_AUTO_TEST_CASE(oversized_message_closes_the_socket_with_1009) {
  ApiConfig config;
  config.webSocketMaxMessageBytes = 512;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  client.send(std::string(2048, 'x'));
  const auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_CLOSE));
  BOOST_TEST(closeCode(payload) == 1009);
  BOOST_TEST(eventually([&] { return f.bridge.channelsClosed == 1; }));
  BOOST_TEST(f.metrics.render().find("sipbridge_websocket_closed_total{reason=\"too_big\"} 1") !=
             std::string::npos);
  BOOST_TEST(call(f.port, "GET", "/health").status == 200);
}

BOOST_AUTO_TEST_CASE(a_slow_client_is_closed_with_1013_and_resumes_without_loss) {
  ApiConfig config;
  config.webSocketSendQueueBytes = 65536;
  config.webSocketSendTimeoutSeconds = 1;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  client.socket->setReceiveTimeout(Poco::Timespan(10, 0));
  // Far more than the socket buffers and the send queue hold; the client reads nothing yet.
  const std::string body(8192, 'b');
  const int total = 1500;
  for (int i = 0; i < total; ++i) f.bridge.push(sessionId, "OnMessageEvent", "", body);
  BOOST_TEST(eventually([&] {
    return f.metrics.render().find("sipbridge_websocket_closed_total{reason=\"slow_client\"} 1") !=
           std::string::npos;
  }));
  BOOST_TEST(call(f.port, "GET", "/health").status == 200);
  // Now it reads: the events it was sent, in order, then the close with 1013.
  std::int64_t last = 0;
  for (;;) {
    const auto [op, payload] = client.receive();
    if (op == int(WebSocket::FRAME_OP_CLOSE)) {
      BOOST_TEST(closeCode(payload) == 1013);
      break;
    }
    const auto event = Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST_REQUIRE(event->getValue<std::int64_t>("seq") == last + 1);
    last = event->getValue<std::int64_t>("seq");
  }
  BOOST_TEST(last < total);
  // It comes back with the last seq it saw and gets the rest, none lost, none twice.
  Client again(f.port, "/api/v1/ws?token=" + token + "&after=" + std::to_string(last));
  while (last < total) {
    const auto event = again.receiveJson();
    BOOST_TEST_REQUIRE(event->getValue<std::int64_t>("seq") == last + 1);
    last = event->getValue<std::int64_t>("seq");
  }
}

BOOST_AUTO_TEST_CASE(a_dead_peer_is_found_by_ping_and_closed) {
  ApiConfig config;
  config.webSocketPingSeconds = 1;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  RawClient peer(f.port);
  peer.send("GET /api/v1/ws?token=" + token +
            " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  BOOST_TEST(statusOf(peer.receive(std::chrono::milliseconds(1000))) == 101);
  // The peer never answers the pings: closed after about twice the ping interval.
  BOOST_TEST(peer.closedWithin(std::chrono::milliseconds(6000)));
  BOOST_TEST(eventually([&] { return f.bridge.channelsClosed == 1; }));
  BOOST_TEST(f.metrics.render().find("sipbridge_websocket_closed_total{reason=\"dead_peer\"} 1") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_live_peer_answering_pings_stays_open) {
  ApiConfig config;
  config.webSocketPingSeconds = 1;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  // Poco's client answers pings while it reads; 3 s is past the dead-peer deadline.
  const auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_PING));
  client.socket->sendFrame(payload.data(), int(payload.size()),
                           WebSocket::FRAME_FLAG_FIN | int(WebSocket::FRAME_OP_PONG));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  f.bridge.push(sessionId, "OnDataEvent", "");
  for (;;) {
    const auto [nextOp, next] = client.receive();
    if (nextOp == int(WebSocket::FRAME_OP_PING)) {
      client.socket->sendFrame(next.data(), int(next.size()),
                               WebSocket::FRAME_FLAG_FIN | int(WebSocket::FRAME_OP_PONG));
      continue;
    }
    BOOST_TEST(nextOp == int(WebSocket::FRAME_OP_TEXT));
    break;
  }
}

BOOST_AUTO_TEST_CASE(the_token_may_come_as_a_subprotocol) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.push(sessionId, "ConnectionStatusEvent", "ESTABLISHED");
  Client client(f.port, "/api/v1/ws", {{"Sec-WebSocket-Protocol", "sipbridge, token." + token}});
  BOOST_TEST(client.response.getStatus() == 101);
  BOOST_TEST(client.response.get("Sec-WebSocket-Protocol", "") == "sipbridge");
  BOOST_TEST(client.receiveJson()->getValue<int>("seq") == 1);
  const auto refused = call(f.port, "GET", "/api/v1/ws", {}, {},
                            {{"Upgrade", "websocket"},
                             {"Connection", "Upgrade"},
                             {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                             {"Sec-WebSocket-Version", "13"},
                             {"Sec-WebSocket-Protocol", "sipbridge, token.wrong"}});
  BOOST_TEST(refused.status == 401);
}

BOOST_AUTO_TEST_CASE(method_frames_get_the_rest_json_errors) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  client.send(R"({"id":"d","method":"sendMessage","to":"a","to":"b"})");
  auto reply = client.receiveJson();
  BOOST_TEST(reply->getValue<int>("status") == 400);
  auto error = reply->getObject("body")->getObject("error");
  BOOST_TEST(error->getValue<std::string>("code") == "duplicate_member");
  BOOST_TEST(error->getValue<std::string>("field") == "to");
  client.send(R"({"id":"u","method":"sendMessage","body":"x\ud800"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<int>("status") == 400);
  error = reply->getObject("body")->getObject("error");
  BOOST_TEST(error->getValue<std::string>("code") == "malformed_json");
  BOOST_TEST(error->getValue<std::string>("field") == "body");
  f.bridge.unavailable = true;
  client.send(R"({"id":"s","method":"sendMessage","to":"sip:bob@example.test","body":"x"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<int>("status") == 503);
  BOOST_TEST(reply->getObject("body")->getValue<int>("retryAfter") == 7);
  BOOST_TEST(reply->getObject("body")->getObject("error")->getValue<std::string>("code") ==
             "unavailable");
  // A text frame that is not UTF-8 fails the connection (RFC 6455 8.1) with 1007.
  client.send("{\"id\":\"u\",\"method\":\"sendMessage\",\"body\":\"\xC3\x28\"}");
  const auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_CLOSE));
  BOOST_TEST(closeCode(payload) == 1007);
}

BOOST_AUTO_TEST_CASE(refused_before_upgrade) {
  ApiConfig config;
  config.maxWebSockets = 1;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  auto answer = call(f.port, "GET", "/api/v1/ws?token=wrong");
  BOOST_TEST(answer.status == 401);
  answer = call(f.port, "GET", "/api/v1/ws?token=" + token);  // no Upgrade header
  BOOST_TEST(answer.status == 400);
  answer = call(f.port, "GET", "/api/v1/ws?token=" + token + "&after=x");
  BOOST_TEST(answer.errorField() == "after");
  Client first(f.port, "/api/v1/ws?token=" + token);
  answer = call(f.port, "GET", "/api/v1/ws?token=" + token);
  BOOST_TEST(answer.status == 503);
  BOOST_TEST(answer.response.has("Retry-After"));
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_is_closed) {
  ApiConfig config;
  config.webSocketSendTimeoutSeconds = 1;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  // Far more than the socket buffers hold; the client never reads.
  const std::string body(16384, 'b');
  for (int i = 0; i < 4000; ++i) f.bridge.push(sessionId, "OnMessageEvent", "", body);
  BOOST_TEST(eventually([&] { return f.bridge.channelsClosed == 1; }, 200));
  BOOST_TEST(f.metrics.render().find("sipbridge_websockets_open 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stop_closes_open_websockets) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  const auto started = std::chrono::steady_clock::now();
  f.api->stop();
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(3)));
  const auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_CLOSE));
}

BOOST_AUTO_TEST_SUITE_END()
