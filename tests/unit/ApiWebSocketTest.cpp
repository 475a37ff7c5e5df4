#include "ApiTestFixture.h"

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
    BOOST_TEST_REQUIRE(op == int(WebSocket::FRAME_OP_TEXT));
    return Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
  }
  void send(const std::string& text) {
    socket->sendFrame(text.data(), int(text.size()), WebSocket::FRAME_TEXT);
  }

  Poco::Net::HTTPClientSession session;
  Poco::Net::HTTPResponse response;
  std::unique_ptr<WebSocket> socket;
};

bool eventually(const std::function<bool()>& condition, int tries = 100) {
  for (int i = 0; i < tries; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
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
  client.send(R"({"id":7,"method":"call","to":"sip:bob@example.test"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<int>("replyTo") == 7);
  BOOST_TEST(reply->getValue<int>("status") == 501);
  client.send(R"({"id":"s1","method":"subscribe","event":"reg"})");
  reply = client.receiveJson();
  BOOST_TEST(reply->getValue<std::string>("replyTo") == "s1");
  BOOST_TEST(reply->getValue<int>("status") == 202);
  BOOST_TEST(reply->getObject("body")->getValue<std::string>("method") == "subscribe");
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

BOOST_AUTO_TEST_CASE(oversized_frame_closes_the_socket) {
  ApiConfig config;
  config.maxBodyBytes = 512;
  ApiFixture f(config);
  const auto [sessionId, token] = f.connect();
  Client client(f.port, "/api/v1/ws?token=" + token);
  client.send(std::string(2048, 'x'));
  const auto [op, payload] = client.receive();
  BOOST_TEST(op == int(WebSocket::FRAME_OP_CLOSE));
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
