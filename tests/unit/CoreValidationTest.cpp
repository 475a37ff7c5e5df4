#include "sipbridge/core/ConnectRequest.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/core/Event.h"
#include "sipbridge/core/Validation.h"

#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

using namespace sipbridge::core;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// The field named by the DomainError that fromJson throws, or "" if it accepts.
std::string rejectedField(const std::string& json) {
  try {
    ConnectRequest::fromJson(*parse(json));
    return "";
  } catch (const DomainError& e) {
    BOOST_CHECK(e.kind() == DomainError::Kind::InvalidField);
    return e.field();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(CoreValidation)

BOOST_AUTO_TEST_CASE(header_safe_refuses_control_characters_and_bad_utf8) {
  BOOST_CHECK(checkHeaderSafe("Alice Smith", 64).empty());
  BOOST_CHECK(checkHeaderSafe("Zoë", 64).empty());
  BOOST_CHECK(!checkHeaderSafe("a\r\nVia: x", 64).empty());
  BOOST_CHECK(!checkHeaderSafe(std::string("a\0b", 3), 64).empty());
  BOOST_CHECK(!checkHeaderSafe("tab\there", 64).empty());
  BOOST_CHECK(!checkHeaderSafe("\xC3(", 64).empty());
  BOOST_CHECK(!checkHeaderSafe(std::string(65, 'a'), 64).empty());
}

BOOST_AUTO_TEST_CASE(sip_user_host_and_params) {
  BOOST_CHECK(checkSipUser("alice.o'neil+1").empty());
  BOOST_CHECK(checkSipUser("a%40b").empty());
  BOOST_CHECK(!checkSipUser("a%4").empty());
  BOOST_CHECK(!checkSipUser("alice@example.test").empty());
  BOOST_CHECK(!checkSipUser("al ice").empty());
  BOOST_CHECK(checkHost("example.test").empty());
  BOOST_CHECK(checkHost("[::1]").empty());
  BOOST_CHECK(!checkHost("exa mple").empty());
  BOOST_CHECK(!checkHost("a..b").empty());
  BOOST_CHECK(checkHostPort("127.0.0.1:5060").empty());
  BOOST_CHECK(checkHostPort("[::1]:5060").empty());
  BOOST_CHECK(!checkHostPort("127.0.0.1:0").empty());
  BOOST_CHECK(!checkHostPort("127.0.0.1:99999").empty());
  BOOST_CHECK(!checkHostPort("127.0.0.1:").empty());
  BOOST_CHECK(checkUriParams(";app=web;ob").empty());
  BOOST_CHECK(checkUriParams(";+sip.instance=\"<urn:uuid:1>\"").empty());
  BOOST_CHECK(!checkUriParams("app=web").empty());
  BOOST_CHECK(!checkUriParams(";a=b\r\nX: y").empty());
  BOOST_CHECK(checkAppKey("demo-app_1.0").empty());
  BOOST_CHECK(!checkAppKey("demo app").empty());
}

BOOST_AUTO_TEST_CASE(connect_request_names_the_bad_field) {
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo"})"), "");
  BOOST_CHECK_EQUAL(rejectedField(R"({})"), "appKey");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":7})"), "appKey");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipLogn":"x"})"), "sipLogn");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipRegisterRequired":"yes"})"),
                    "sipRegisterRequired");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipRegisterRequired":true})"), "sipLogin");
  BOOST_CHECK_EQUAL(
      rejectedField(R"({"appKey":"demo","sipRegisterRequired":true,"sipLogin":"alice"})"),
      "sipDomain");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipVisibleName":"A\r\nVia: evil"})"),
                    "sipVisibleName");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipPassword":"a\u0000b"})"), "sipPassword");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipPort":70000})"), "sipPort");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipOutboundProxy":"a b:1"})"),
                    "sipOutboundProxy");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","custom":[1]})"), "custom");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipContactParams":"x"})"),
                    "sipContactParams");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipTransport":"tls"})"), "");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipTransport":"sctp"})"), "sipTransport");
  BOOST_CHECK_EQUAL(rejectedField(R"({"appKey":"demo","sipTransport":"TLS"})"), "sipTransport");
}

BOOST_AUTO_TEST_CASE(overrides_replace_fields_but_not_the_app_key) {
  auto request = ConnectRequest::fromJson(*parse(
      R"({"appKey":"demo","sipRegisterRequired":true,"sipLogin":"x","sipDomain":"d.test"})"));
  request.applyOverrides(*parse(R"({"sipLogin":"alice","sipPassword":"s3cret"})"));
  BOOST_CHECK_EQUAL(request.sipLogin, "alice");
  BOOST_CHECK_EQUAL(request.sipPassword, "s3cret");
  BOOST_CHECK_THROW(request.applyOverrides(*parse(R"({"appKey":"other"})")), DomainError);
  BOOST_CHECK(!request.toHookJson()->has("sipPassword"));
  BOOST_CHECK_EQUAL(request.proxyAddress("127.0.0.1:5060"), "127.0.0.1:5060");
  request.sipOutboundProxy = "127.0.0.2";
  request.sipPort = 5070;
  BOOST_CHECK_EQUAL(request.proxyAddress("127.0.0.1:5060"), "127.0.0.2:5070");
}

BOOST_AUTO_TEST_CASE(event_json_round_trip) {
  Event event;
  event.eventId = newUuid();
  event.type = "RegistrationStatusEvent";
  event.status = "FAILED";
  event.nodeId = "n1";
  event.sessionId = "n1-abc";
  event.appKey = "demo";
  event.seq = 7;
  event.timestampMs = 1795000000123;
  event.fields["info"] = std::string("authentication failed");
  event.fields["sipStatus"] = 403;
  const std::string json = toJson(event);
  BOOST_CHECK(json.find(R"("type":"RegistrationStatusEvent")") != std::string::npos);
  BOOST_CHECK(json.find(R"("timestamp":"2026-11-18T11:06:40.123Z")") != std::string::npos);
  Event back = eventFromJson(json);
  BOOST_CHECK_EQUAL(back.eventId, event.eventId);
  BOOST_CHECK_EQUAL(back.seq, 7);
  BOOST_CHECK_EQUAL(back.timestampMs, event.timestampMs);
  BOOST_CHECK_EQUAL(back.status, "FAILED");
  BOOST_CHECK_EQUAL(back.fields["info"].toString(), "authentication failed");
  BOOST_CHECK_EQUAL(toJson(back), json);
  BOOST_CHECK_EQUAL(event.eventId.size(), 36u);
  BOOST_CHECK(newUuid() != newUuid());
}

BOOST_AUTO_TEST_CASE(event_json_is_always_storable_text) {
  // A Latin-1 display name and a NUL from a far end must not make the store refuse the event.
  Event event;
  event.type = "OnCallEvent";
  event.fields["visibleName"] = std::string("Jos\xE9");
  event.fields["info"] = std::string("a\0b", 3);
  event.fields["literal"] = std::string("\\u0000 stays text");
  const std::string json = toJson(event);
  BOOST_CHECK(isUtf8Text(json));
  BOOST_CHECK(json.find("\\u0000\"") == std::string::npos);
  auto back = parse(json);
  BOOST_CHECK_EQUAL(back->getValue<std::string>("visibleName"), "Jos\xEF\xBF\xBD");
  BOOST_CHECK_EQUAL(back->getValue<std::string>("info"),
                    "a\xEF\xBF\xBD"
                    "b");
  BOOST_CHECK_EQUAL(back->getValue<std::string>("literal"), "\\u0000 stays text");
  BOOST_CHECK_EQUAL(toUtf8Text("ok \xC3\xA9"), "ok \xC3\xA9");
  BOOST_CHECK_EQUAL(toUtf8Text(std::string("\xC3", 1)), "\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_SUITE_END()
