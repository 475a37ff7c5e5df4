#include "ApiTestFixture.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

const std::map<std::string, std::string> kAdmin = bearer("admin-secret-token");

Answer admin(const ApiFixture& f, const std::string& method, const std::string& path,
             const std::string& body = {}) {
  return call(f.port, method, path, body, body.empty() ? "" : "application/json", kAdmin);
}

Answer method(const ApiFixture& f, const std::string& token, const std::string& name,
              const std::string& body) {
  return call(f.port, "POST", "/api/v1/" + name, body, "application/json", bearer(token));
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiMessages)

BOOST_AUTO_TEST_CASE(send_message_answers_202_with_the_id_and_queued) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  const auto answer = method(f, token, "sendMessage",
                             R"({"id":"m-1","to":"sip:bob@example.test","body":"hi",)"
                             R"("contentType":"message/cpim","isImdnRequired":true})");
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(answer.json()->getValue<std::string>("id") == "m-1");
  BOOST_TEST(answer.json()->getValue<std::string>("status") == "QUEUED");
  BOOST_TEST(answer.json()->size() == 2u);
  BOOST_TEST_REQUIRE(f.bridge.messageCalls.size() == 1u);
  BOOST_TEST(f.bridge.messageCalls[0].first == sessionId);
  const auto body = parse(f.bridge.messageCalls[0].second);
  BOOST_TEST(body->getValue<std::string>("to") == "sip:bob@example.test");
  BOOST_TEST(body->getValue<std::string>("contentType") == "message/cpim");
  BOOST_TEST(body->getValue<bool>("isImdnRequired"));
}

BOOST_AUTO_TEST_CASE(send_message_returns_the_id_core_generated) {
  ApiFixture f;
  const auto token = f.connect().second;
  const auto answer = method(f, token, "sendMessage", R"({"to":"bob","body":"hi"})");
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(answer.json()->getValue<std::string>("id") == "gen-1");
}

BOOST_AUTO_TEST_CASE(send_message_passes_core_errors_through) {
  ApiFixture f;
  const auto token = f.connect().second;
  f.bridge.rejectField = "recipients";
  auto answer = method(f, token, "sendMessage",
                       R"({"to":"sip:conf@example.test","body":"x","contentType":)"
                       R"("multipart/mixed","recipients":"a,,b"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "invalid_field");
  BOOST_TEST(answer.errorField() == "recipients");
  f.bridge.rejectField.clear();

  f.bridge.unavailable = true;
  answer = method(f, token, "sendMessage", R"({"to":"bob","body":"hi"})");
  BOOST_TEST(answer.status == 503);
  BOOST_TEST(answer.response.get("Retry-After", "") == "7");
  f.bridge.unavailable = false;

  // Malformed JSON and a bad token never reach core.
  const auto before = f.bridge.messageCalls.size();
  BOOST_TEST(method(f, token, "sendMessage", R"({"to":)").status == 400);
  BOOST_TEST(method(f, "nope", "sendMessage", R"({"to":"bob","body":"hi"})").status == 401);
  BOOST_TEST(f.bridge.messageCalls.size() == before);
}

BOOST_AUTO_TEST_CASE(send_message_on_an_ended_session_is_409) {
  ApiFixture f;
  const auto token = f.connect().second;
  const auto fake = std::dynamic_pointer_cast<FakeSession>(f.bridge.authenticate(token));
  BOOST_TEST_REQUIRE(fake.get() != nullptr);
  if (fake) fake->end();
  const auto answer = method(f, token, "sendMessage", R"({"to":"bob","body":"hi"})");
  BOOST_TEST(answer.status == 409);
  BOOST_TEST(answer.errorCode() == "conflict");
}

BOOST_AUTO_TEST_CASE(send_imdn_answers_202_with_the_message_id) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = method(f, token, "sendIMDN", R"({"messageId":"in-7"})");
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(answer.json()->getValue<std::string>("messageId") == "in-7");
  BOOST_TEST_REQUIRE(f.bridge.imdnCalls.size() == 1u);
  BOOST_TEST(f.bridge.imdnCalls[0].first == sessionId);
  BOOST_TEST(parse(f.bridge.imdnCalls[0].second)->getValue<std::string>("messageId") == "in-7");

  answer = method(f, token, "sendIMDN", R"({"messageId":"unknown"})");
  BOOST_TEST(answer.status == 404);
  BOOST_TEST(answer.errorField() == "messageId");
}

BOOST_AUTO_TEST_CASE(message_methods_are_implemented) {
  ApiFixture f;
  for (const char* name : {"sendMessage", "sendIMDN"}) {
    const auto* entry = f.api->methods().find(name);
    BOOST_TEST_REQUIRE(entry != nullptr, name);
    BOOST_TEST(static_cast<bool>(entry->run), name);
    BOOST_TEST(!entry->spec.extension, name);
  }
}

BOOST_AUTO_TEST_CASE(apps_carry_imdn_mode) {
  ApiFixture f;
  auto answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"a1"})");
  BOOST_TEST_REQUIRE(answer.status == 201);
  BOOST_TEST(answer.json()->getValue<std::string>("imdnMode") == "automatic");
  BOOST_TEST(f.bridge.apps().find("a1")->imdnMode == "automatic");

  answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"a2","imdnMode":"manual"})");
  BOOST_TEST_REQUIRE(answer.status == 201);
  BOOST_TEST(answer.json()->getValue<std::string>("imdnMode") == "manual");
  BOOST_TEST(f.bridge.apps().find("a2")->imdnMode == "manual");
  answer = admin(f, "GET", "/admin/v1/apps/a2");
  BOOST_TEST(answer.json()->getValue<std::string>("imdnMode") == "manual");

  // PUT without imdnMode keeps it; with one changes it.
  answer = admin(f, "PUT", "/admin/v1/apps/a2", R"({"connectHook":false})");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(f.bridge.apps().find("a2")->imdnMode == "manual");
  answer = admin(f, "PUT", "/admin/v1/apps/a2", R"({"imdnMode":"never"})");
  BOOST_TEST(answer.json()->getValue<std::string>("imdnMode") == "never");
  BOOST_TEST(f.bridge.apps().find("a2")->imdnMode == "never");
  answer = admin(f, "GET", "/admin/v1/apps");
  BOOST_TEST(answer.body.find(R"("imdnMode":"never")") != std::string::npos);

  // A new application through PUT gets the default.
  answer = admin(f, "PUT", "/admin/v1/apps/a3", R"({})");
  BOOST_TEST(answer.status == 201);
  BOOST_TEST(answer.json()->getValue<std::string>("imdnMode") == "automatic");
}

BOOST_AUTO_TEST_CASE(bad_imdn_mode_is_400_naming_the_field) {
  ApiFixture f;
  for (const char* body :
       {R"({"appKey":"b1","imdnMode":"sometimes"})", R"({"appKey":"b1","imdnMode":""})",
        R"({"appKey":"b1","imdnMode":1})", R"({"appKey":"b1","imdnMode":"Automatic"})"}) {
    const auto answer = admin(f, "POST", "/admin/v1/apps", body);
    BOOST_TEST(answer.status == 400, body);
    BOOST_TEST(answer.errorField() == "imdnMode", body);
  }
  BOOST_TEST(!f.bridge.apps().find("b1"));
  BOOST_TEST_REQUIRE(admin(f, "POST", "/admin/v1/apps", R"({"appKey":"b1"})").status == 201);
  const auto answer = admin(f, "PUT", "/admin/v1/apps/b1", R"({"imdnMode":"always"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "imdnMode");
  BOOST_TEST(f.bridge.apps().find("b1")->imdnMode == "automatic");
}

BOOST_AUTO_TEST_CASE(openapi_documents_the_message_methods_and_imdn_mode) {
  ApiFixture f;
  const auto doc = call(f.port, "GET", "/api/v1/openapi.json").json();
  const auto schemas = doc->getObject("components")->getObject("schemas");
  const auto send = schemas->getObject("SendMessageRequest")->getObject("properties");
  for (const char* field : {"id", "to", "body", "contentType", "isImdnRequired", "recipients"})
    BOOST_TEST(send->has(field), field);
  std::ostringstream text;
  send->stringify(text);
  for (const char* type : {"text/plain", "message/cpim", "multipart/mixed"})
    BOOST_TEST(text.str().find(type) != std::string::npos, type);
  BOOST_TEST(schemas->getObject("SendImdnRequest")->getObject("properties")->has("messageId"));
  for (const char* app : {"App", "AppCreate", "AppUpdate"})
    BOOST_TEST(schemas->getObject(app)->getObject("properties")->has("imdnMode"), app);
  const auto paths = doc->getObject("paths");
  BOOST_TEST(paths->getObject("/api/v1/sendMessage")
                 ->getObject("post")
                 ->getObject("responses")
                 ->has("202"));
  std::ostringstream status;
  schemas->getObject("MessageStatusEvent")->stringify(status);
  BOOST_TEST(status.str().find("sipStatus") != std::string::npos);
  const std::string description = doc->getObject("info")->getValue<std::string>("description");
  for (const char* needle : {"message_delivery_daily", "message_latency", "messages"})
    BOOST_TEST(description.find(needle) != std::string::npos, needle);
}

BOOST_AUTO_TEST_SUITE_END()
