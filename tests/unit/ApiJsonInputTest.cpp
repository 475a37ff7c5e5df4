#include "ApiTestFixture.h"

#include <Poco/Buffer.h>
#include <Poco/Net/WebSocket.h>

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

BOOST_AUTO_TEST_SUITE(ApiJsonInput)

// POCO's parser cuts a member name at a NUL; the name must be refused, not shortened.
BOOST_AUTO_TEST_CASE(a_nul_in_a_member_name_is_refused_naming_the_top_level_member) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = call(f.port, "POST", "/api/v1/sendData", R"({"payload":{"a\u0000zz":"b"}})",
                     "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "invalid_field");
  BOOST_TEST(answer.errorField() == "payload");
  // Deeper, inside an array, and with upper-case hex digits: the same.
  answer = call(f.port, "POST", "/api/v1/sendData", R"({"payload":[1,{"x":{"\u0000":2}}]})",
                "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "payload");
  // A top-level name is named as written.
  answer = call(f.port, "POST", "/api/v1/subscribe", R"({"event\u0000x":"presence"})",
                "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == R"(event\u0000x)");
  BOOST_TEST(f.bridge.invokeCalls.empty());

  // An escaped backslash followed by "u0000" is text, not a NUL.
  answer = call(f.port, "POST", "/api/v1/sendData", R"({"payload":{"a\\u0000":"b"}})",
                "application/json", bearer(token));
  BOOST_TEST(answer.status == 202);
  BOOST_TEST_REQUIRE(f.bridge.invokeCalls.size() == 1u);
  BOOST_TEST(f.bridge.invokeCalls[0].second == R"({"payload":{"a\\u0000":"b"}})");
}

BOOST_AUTO_TEST_CASE(connect_and_websocket_frames_get_the_same_check) {
  ApiFixture f;
  auto answer =
      call(f.port, "POST", "/api/v1/connect", R"({"appKey":"demo","custom":{"\u0000":1}})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "custom");
  BOOST_TEST(f.bridge.lastAppKey.empty());

  const auto [sessionId, token] = f.connect();
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(f.port));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/api/v1/ws?token=" + token,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse response;
  Poco::Net::WebSocket socket(session, request, response);
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  const std::string frame = R"({"id":"r1","method":"sendData","payload":{"k\u0000":"v"}})";
  socket.sendFrame(frame.data(), static_cast<int>(frame.size()), Poco::Net::WebSocket::FRAME_TEXT);
  Poco::Buffer<char> buffer(0);
  int flags = 0;
  const int n = socket.receiveFrame(buffer, flags);
  const auto reply = Poco::JSON::Parser()
                         .parse(std::string(buffer.begin(), static_cast<std::size_t>(n)))
                         .extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(reply->getValue<int>("status") == 400);
  BOOST_TEST(reply->getObject("body")->getObject("error")->getValue<std::string>("field") ==
             "payload");
  BOOST_TEST(f.bridge.invokeCalls.empty());
}

BOOST_AUTO_TEST_SUITE_END()
