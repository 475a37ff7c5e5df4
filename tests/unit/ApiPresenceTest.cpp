// subscribe, publish and sendXcapRequest: the api module hands them to BridgeService::invoke.
#include "ApiTestFixture.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

Poco::JSON::Object::Ptr schema(const Poco::JSON::Object::Ptr& doc, const std::string& name) {
  return doc->getObject("components")->getObject("schemas")->getObject(name);
}

std::string text(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiPresence)

BOOST_AUTO_TEST_CASE(each_method_answers_202_with_the_object_core_returned) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"subscribe", R"({"event":"presence","to":"bob","expires":600})"},
      {"publish", R"({"state":"closed","note":"away"})"},
      {"sendXcapRequest", R"({"url":"http://127.0.0.1:1/xcap-root/x","method":"GET"})"},
  };
  int n = 0;
  for (const auto& [method, body] : requests) {
    BOOST_TEST_CONTEXT(method) {
      const auto answer =
          call(f.port, "POST", "/api/v1/" + method, body, "application/json", bearer(token));
      BOOST_TEST(answer.status == 202);
      const auto json = answer.json();
      const std::string key = method == "subscribe" ? "subscriptionId"
                              : method == "publish" ? "publicationId"
                                                    : "id";
      BOOST_TEST(json->getValue<std::string>(key) == method + "-" + std::to_string(++n));
    }
  }
  BOOST_TEST_REQUIRE(f.bridge.invokeCalls.size() == 3u);
  BOOST_TEST(f.bridge.invokeCalls[0].first == "subscribe");
  BOOST_TEST(f.bridge.invokeCalls[1].first == "publish");
  BOOST_TEST(f.bridge.invokeCalls[2].first == "sendXcapRequest");
  BOOST_TEST(f.bridge.invokeCalls[1].second == R"({"note":"away","state":"closed"})");
}

BOOST_AUTO_TEST_CASE(api_errors_pass_through_with_their_field) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.rejectField = "expires";
  auto answer = call(f.port, "POST", "/api/v1/subscribe", R"({"event":"reg","expires":5})",
                     "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorCode() == "invalid_field");
  BOOST_TEST(answer.errorField() == "expires");
  for (const auto& [method, body] :
       {std::pair{"publish", "{}"}, std::pair{"sendXcapRequest", R"({"url":"x"})"}}) {
    answer = call(f.port, "POST", std::string("/api/v1/") + method, body, "application/json",
                  bearer(token));
    BOOST_TEST(answer.status == 400, method);
    BOOST_TEST(answer.errorField() == "expires", method);
  }
  BOOST_TEST(f.bridge.invokeCalls.size() == 3u);
}

BOOST_AUTO_TEST_CASE(authentication_and_json_come_before_core) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = call(f.port, "POST", "/api/v1/publish", "{}", "application/json", bearer("x"));
  BOOST_TEST(answer.status == 401);
  answer =
      call(f.port, "POST", "/api/v1/sendXcapRequest", "[1]", "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  answer = call(f.port, "POST", "/api/v1/subscribe", "{oops", "application/json", bearer(token));
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(f.bridge.invokeCalls.empty());
}

BOOST_AUTO_TEST_CASE(a_method_core_does_not_handle_answers_501) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  f.bridge.unhandledMethods = {"sendXcapRequest"};
  const auto answer = call(f.port, "POST", "/api/v1/sendXcapRequest", R"({"url":"x"})",
                           "application/json", bearer(token));
  BOOST_TEST(answer.status == 501);
  BOOST_TEST(answer.errorCode() == "not_implemented");
  BOOST_TEST(f.bridge.invokeCalls.size() == 1u);
}

BOOST_AUTO_TEST_CASE(registry_marks_them_built_and_publish_as_extension) {
  ApiFixture f;
  for (const char* name : {"subscribe", "publish", "sendXcapRequest"}) {
    const auto* entry = f.api->methods().find(name);
    BOOST_TEST_REQUIRE(entry != nullptr, name);
    BOOST_TEST(static_cast<bool>(entry->run), name);
    BOOST_TEST(entry->spec.extension == (std::string(name) == "publish"), name);
  }
  for (const char* name : {"call", "answer", "hangup", "hold", "unhold", "transfer", "sendDTMF"})
    BOOST_TEST(f.api->methods().find(name) != nullptr, name);
}

BOOST_AUTO_TEST_CASE(openapi_documents_fields_replies_and_events) {
  ApiFixture f;
  const auto doc = call(f.port, "GET", "/api/v1/openapi.json").json();
  const auto paths = doc->getObject("paths");
  const std::map<std::string, std::pair<std::string, std::string>> methods = {
      {"subscribe", {"SubscribeRequest", "SubscribeAccepted"}},
      {"publish", {"PublishRequest", "PublishAccepted"}},
      {"sendXcapRequest", {"XcapRequest", "XcapAccepted"}},
  };
  for (const auto& [method, schemas] : methods) {
    BOOST_TEST_CONTEXT(method) {
      const auto op = paths->getObject("/api/v1/" + method)->getObject("post");
      const std::string opText = text(op);
      BOOST_TEST(opText.find(schemas.first) != std::string::npos);
      BOOST_TEST(opText.find(schemas.second) != std::string::npos);
      BOOST_TEST(!op->getObject("responses")->has("501"));
      BOOST_TEST(op->getValue<std::string>("description").find("Not implemented") ==
                 std::string::npos);
    }
  }
  const auto subscribe = schema(doc, "SubscribeRequest")->getObject("properties");
  for (const char* field : {"event", "expires", "terminate", "to", "accept"})
    BOOST_TEST(subscribe->has(field), field);
  BOOST_TEST(subscribe->getObject("expires")->getValue<int>("minimum") == 60);
  BOOST_TEST(subscribe->getObject("expires")->getValue<int>("maximum") == 86400);
  BOOST_TEST(subscribe->getObject("expires")->getValue<int>("default") == 3600);
  BOOST_TEST(subscribe->getObject("to")->optValue<bool>("x-extension", false));
  BOOST_TEST(subscribe->getObject("accept")->optValue<bool>("x-extension", false));
  for (const char* field : {"subscriptionId", "event", "to"})
    BOOST_TEST(schema(doc, "SubscribeAccepted")->getObject("properties")->has(field), field);
  const auto publish = schema(doc, "PublishRequest")->getObject("properties");
  for (const char* field : {"state", "note", "expires", "withdraw"})
    BOOST_TEST(publish->has(field), field);
  BOOST_TEST(schema(doc, "PublishAccepted")->getObject("properties")->has("publicationId"));
  const auto xcap = schema(doc, "XcapRequest")->getObject("properties");
  for (const char* field : {"url", "method", "body", "contentType", "ifMatch", "ifNoneMatch"})
    BOOST_TEST(xcap->has(field), field);
  BOOST_TEST(text(xcap->getObject("method")).find("DELETE") != std::string::npos);
  BOOST_TEST(schema(doc, "XcapAccepted")->getObject("properties")->has("id"));

  const std::map<std::string, std::vector<std::string>> events = {
      {"SubscriptionStatusEvent",
       {"subscriptionId", "event", "to", "requestBody", "contentType", "sipMessageRaw", "info",
        "sipStatus", "presence", "reginfo", "coalesced"}},
      {"XcapStatusEvent",
       {"id", "url", "method", "httpStatus", "xcapResponse", "contentType", "etag", "info"}},
      {"PublishStatusEvent", {"publicationId", "sipStatus", "info", "PUBLISHED", "WITHDRAWN"}},
  };
  for (const auto& [type, needles] : events) {
    const std::string body = text(schema(doc, type));
    for (const auto& needle : needles)
      BOOST_TEST(body.find('"' + needle + '"') != std::string::npos, type << " " << needle);
  }
  BOOST_TEST(schema(doc, "PublishStatusEvent")->optValue<bool>("x-extension", false));
  const auto hooks = doc->getObject("x-webhooks");
  BOOST_TEST_REQUIRE(hooks->has("PublishStatusEvent"));
  BOOST_TEST(hooks->getObject("PublishStatusEvent")->optValue<bool>("x-extension", false));
  const auto eventSchema = schema(doc, "Event");
  BOOST_TEST(text(eventSchema).find("#/components/schemas/PublishStatusEvent") !=
             std::string::npos);
  const auto statuses = text(eventSchema->getObject("properties")->getObject("status"));
  for (const char* status : {"PUBLISHED", "WITHDRAWN"})
    BOOST_TEST(statuses.find(status) != std::string::npos, status);
  const std::string description = doc->getObject("info")->getValue<std::string>("description");
  BOOST_TEST(description.find("`subscribe`") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
