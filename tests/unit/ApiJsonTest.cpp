// JSON bodies are checked strictly before they are parsed: invalid UTF-8, lone surrogates and
// duplicate member names are refused with a 400 that says what and where.
#include "ApiTestFixture.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

Answer send(ApiFixture& f, const std::string& token, const std::string& body) {
  return call(f.port, "POST", "/api/v1/sendMessage", body, "application/json", bearer(token));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiJson)

BOOST_AUTO_TEST_CASE(invalid_utf8_names_the_member) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  for (const std::string& bad : {std::string("\xC3\x28"), std::string("\xED\xA0\x80"),
                                 std::string("\xF8\x88\x80\x80\x80"), std::string("\xE2\x82")}) {
    const auto answer = send(f, token, R"({"to":"sip:bob@example.test","body":"a)" + bad + R"("})");
    BOOST_TEST(answer.status == 400);
    BOOST_TEST(answer.errorCode() == "malformed_json");
    BOOST_TEST(answer.errorField() == "body");
    BOOST_TEST(answer.json()->getObject("error")->getValue<std::string>("message").find(
                   "invalid UTF-8") != std::string::npos);
  }
  BOOST_TEST(f.bridge.messageCalls.empty());
}

BOOST_AUTO_TEST_CASE(lone_surrogates_are_refused_and_pairs_accepted) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = send(f, token, R"({"to":"sip:bob@example.test","body":"x\ud800y"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "body");
  BOOST_TEST(answer.json()->getObject("error")->getValue<std::string>("message").find(
                 "surrogate") != std::string::npos);
  answer = send(f, token, R"({"to":"sip:bob@example.test","body":"x\udc00"})");
  BOOST_TEST(answer.status == 400);
  answer = send(f, token, R"({"custom":{"deep":["ok","\ud83d"]},"body":"x"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "custom.deep[1]");
  answer = send(f, token, R"({"to":"sip:bob@example.test","body":"smile \ud83d\ude00 \u00e9 é"})");
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(f.bridge.messageCalls.size() == 1u);
}

BOOST_AUTO_TEST_CASE(duplicate_member_names_are_refused) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = send(f, token, R"({"to":"sip:bob@example.test","to":"sip:eve@example.test"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "duplicate_member");
  BOOST_TEST(answer.errorField() == "to");
  answer = send(f, token, R"({"to":"sip:bob@example.test","body":"x","custom":{"a":1,"a":2}})");
  BOOST_TEST(answer.errorField() == "custom.a");
  BOOST_TEST(f.bridge.messageCalls.empty());
}

BOOST_AUTO_TEST_CASE(syntax_errors_say_where) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = send(f, token, R"({"to":"sip:bob@example.test","body":"unterminated)");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "malformed_json");
  BOOST_TEST(answer.errorField() == "body");
  answer = send(f, token, "{\"to\":\"a\tb\"}");  // raw control character
  BOOST_TEST(answer.errorField() == "to");
  answer = send(f, token, R"({"to":01})");
  BOOST_TEST(answer.status == 400);
  answer = send(f, token, std::string(100, '[') + std::string(100, ']'));
  BOOST_TEST(answer.status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
