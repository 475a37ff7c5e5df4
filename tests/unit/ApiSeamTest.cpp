// The seam between api and core: parsers naming the bad field, the one mapping of domain
// errors to HTTP, and the method registry.
#include "ApiTestFixture.h"
#include "sipbridge/api/HttpErrors.h"
#include "sipbridge/api/MethodRegistry.h"
#include "sipbridge/api/MethodRequests.h"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <stdexcept>

using namespace sipbridge;
using namespace sipbridge::api::test;
using Kind = core::DomainError::Kind;

namespace {

Poco::JSON::Object::Ptr object(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// The field named by the invalid-field error `parse` throws on `text`; "" when it accepts.
std::string refused(const std::function<void(const Poco::JSON::Object&)>& parse,
                    const std::string& text) {
  try {
    parse(*object(text));
  } catch (const core::DomainError& e) {
    BOOST_TEST((e.kind() == Kind::InvalidField), text);
    BOOST_TEST(e.code() == "invalid_field", text);
    return e.field();
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiSeam)

BOOST_AUTO_TEST_CASE(parsers_name_the_bad_field_for_every_kind_of_fault) {
  const auto message = [](const Poco::JSON::Object& j) { api::parseSendMessage(j); };
  const auto call = [](const Poco::JSON::Object& j) { api::parseCall(j); };
  const auto subscribe = [](const Poco::JSON::Object& j) { api::parseSubscribe(j); };
  const auto data = [](const Poco::JSON::Object& j) { api::parseSendData(j); };
  const auto backendData = [](const Poco::JSON::Object& j) { api::parseSendData(j, false); };
  const auto dtmf = [](const Poco::JSON::Object& j) { api::parseSendDtmf(j); };
  // unknown member
  BOOST_TEST(refused(message, R"({"to":"bob","body":"hi","colour":"red"})") == "colour");
  BOOST_TEST(refused(backendData, R"({"payload":1,"to":"x"})") == "to");
  // wrong type
  BOOST_TEST(refused(message, R"({"to":5,"body":"hi"})") == "to");
  BOOST_TEST(refused(subscribe, R"({"event":"reg","expires":"600"})") == "expires");
  BOOST_TEST(refused(call, R"({"callee":"bob","sdp":"v=0","hasVideo":"yes"})") == "hasVideo");
  BOOST_TEST(refused(data, R"({"payload":1,"operationId":12})") == "operationId");
  // missing required member
  BOOST_TEST(refused(message, R"({"body":"hi"})") == "to");
  BOOST_TEST(refused(call, R"({"callee":"bob"})") == "sdp");
  BOOST_TEST(refused(data, R"({"operationId":"a"})") == "payload");
  // text that cannot go into a header
  BOOST_TEST(refused(call, R"({"callee":"bob","visibleName":"A\r\nB","sdp":"v=0"})") ==
             "visibleName");
  // a value outside its set
  BOOST_TEST(refused(message, R"({"to":"bob","body":"hi","contentType":"x/y"})") == "contentType");
  BOOST_TEST(refused(dtmf, R"({"callId":"c1","dtmf":"1","type":"RFC2833"})") == "type");
  BOOST_TEST(refused(dtmf, R"({"callId":"c1","dtmf":"1x"})") == "dtmf");
  // a payload string the event store cannot keep
  BOOST_TEST(refused(data, R"({"payload":["\u0000"]})") == "payload");
  // and good requests come out typed
  const auto m = api::parseSendMessage(*object(R"({"to":"bob","body":"hi"})"));
  BOOST_TEST(m.contentType == "text/plain");
  BOOST_TEST(m.to == "bob");
  const auto d = api::parseSendDtmf(*object(R"({"callId":"c1","dtmf":"1a#"})"));
  BOOST_TEST(d.dtmf == "1A#");
  BOOST_TEST(d.type == "INFO");
}

BOOST_AUTO_TEST_CASE(domain_errors_map_to_http_in_one_place) {
  const std::vector<std::pair<Kind, int>> expected = {
      {Kind::InvalidField, 400}, {Kind::Unauthorized, 401}, {Kind::Forbidden, 403},
      {Kind::NotFound, 404},     {Kind::Conflict, 409},     {Kind::NotImplemented, 501},
      {Kind::Unavailable, 503}};
  for (const auto& [kind, status] : expected) {
    const core::DomainError error(kind, "code", "message");
    BOOST_TEST(api::httpStatusOf(error) == status);
    BOOST_TEST(api::retryAfterOf(error) == 0);
  }
  const core::Unavailable unavailable("store down", 7);
  BOOST_TEST(api::httpStatusOf(unavailable) == 503);
  BOOST_TEST(api::retryAfterOf(unavailable) == 7);
  const auto body = api::errorBodyOf(core::invalidField("to", "to is required"));
  const auto error = body->getObject("error");
  BOOST_TEST(error->getValue<std::string>("code") == "invalid_field");
  BOOST_TEST(error->getValue<std::string>("message") == "to is required");
  BOOST_TEST(error->getValue<std::string>("field") == "to");
  BOOST_TEST(!api::errorBodyOf(core::conflict("ended"))->getObject("error")->has("field"));
  // An error about the HTTP exchange itself keeps the status it was raised with.
  BOOST_TEST(api::httpStatusOf(api::HttpError(415, "unsupported_media_type", "no")) == 415);
  BOOST_TEST(api::httpStatusOf(api::HttpError(413, "body_too_large", "no")) == 413);
}

BOOST_AUTO_TEST_CASE(unavailable_answers_503_with_retry_after_over_http) {
  ApiFixture f;
  const auto token = f.connect().second;
  f.bridge.unavailable = true;
  const auto answer = call(f.port, "POST", "/api/v1/sendMessage", R"({"to":"bob","body":"hi"})",
                           "application/json", bearer(token));
  BOOST_TEST(answer.status == 503);
  BOOST_TEST(answer.errorCode() == "unavailable");
  BOOST_TEST(answer.response.get("Retry-After", "") == "7");
}

BOOST_AUTO_TEST_CASE(the_registry_refuses_a_second_method_of_the_same_name) {
  api::MethodRegistry methods;
  const auto parse = [](const Poco::JSON::Object& j) { return api::parseSendImdn(j); };
  const auto handle = [](const core::SessionPtr&, const core::SendImdn&) {
    return Poco::JSON::Object::Ptr(new Poco::JSON::Object);
  };
  methods.add<core::SendImdn>({"sendIMDN", "sendIMDN", false}, parse, handle);
  BOOST_CHECK_THROW(methods.add<core::SendImdn>({"sendIMDN", "other", false}, parse, handle),
                    std::logic_error);
  BOOST_TEST(methods.names() == std::vector<std::string>{"sendIMDN"});
  BOOST_TEST(methods.find("sendIMDN")->spec.operationId == "sendIMDN");
}

BOOST_AUTO_TEST_CASE(an_unknown_method_is_refused_naming_the_field) {
  api::MethodRegistry methods;
  try {
    methods.run("sendTelegram", nullptr, Poco::JSON::Object());
    BOOST_FAIL("an unknown method ran");
  } catch (const core::DomainError& e) {
    BOOST_TEST(api::httpStatusOf(e) == 404);
    BOOST_TEST(e.code() == "unknown_method");
    BOOST_TEST(e.field() == "method");
  }
}

BOOST_AUTO_TEST_CASE(every_client_method_is_registered_once_with_its_operation) {
  ApiFixture f;
  const auto operations = f.api->methods().operations();
  const std::vector<std::string> names = {
      "answer",   "call",     "disconnect",  "hangup",          "hold",      "publish",  "sendData",
      "sendDTMF", "sendIMDN", "sendMessage", "sendXcapRequest", "subscribe", "transfer", "unhold"};
  std::vector<std::string> served;
  for (const auto& operation : operations) {
    BOOST_TEST(operation.httpMethod == "POST");
    BOOST_TEST(operation.path == "/api/v1/" + operation.operationId);
    served.push_back(operation.operationId);
  }
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  std::sort(served.begin(), served.end());
  BOOST_TEST(served == sorted, boost::test_tools::per_element());
  BOOST_TEST(f.api->methods().find("publish")->spec.extension);
  BOOST_TEST(!f.api->methods().find("sendMessage")->spec.extension);
}

BOOST_AUTO_TEST_SUITE_END()
