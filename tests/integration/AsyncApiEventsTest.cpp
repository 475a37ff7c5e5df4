// The AsyncAPI document the real binary serves, as the end-to-end tests use it: every event
// they read is checked against its type's payload schema (EndToEndSupport's pollUntil). Here:
// real events pass, and events that break the contract are caught.
#include "EndToEndSupport.h"

#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

using namespace sipbridge::test;
using namespace std::chrono_literals;

namespace {

Poco::JSON::Object::Ptr copyOf(const Poco::JSON::Object::Ptr& event) {
  std::ostringstream text;
  event->stringify(text);
  return Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
}

std::vector<std::string> problems(const Stack& s, const Poco::JSON::Object::Ptr& event) {
  return s.bridge.asyncApi().problems(event,
                                      "#/components/messages/" + field(event, "type") + "/payload");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(AsyncApiEvents)

BOOST_AUTO_TEST_CASE(real_events_conform_and_broken_ones_are_caught) {
  Stack s;
  s.addApp("app1", false);
  auto connected = s.bridge.post("/api/v1/connect", connectBody("app1", "alice", "alice-secret"));
  BOOST_REQUIRE_EQUAL(connected.status, 200);
  const std::string token = field(connected.json(), "authToken");
  std::int64_t after = 0;
  auto events = pollUntil(s.bridge, token, after, "ConnectionStatusEvent", "ESTABLISHED", 15s);
  BOOST_REQUIRE_EQUAL(statuses(events).back(), "ConnectionStatusEvent:ESTABLISHED");
  auto registered = events[1];
  BOOST_REQUIRE_EQUAL(field(registered, "type"), "RegistrationStatusEvent");
  for (const auto& event : events) BOOST_CHECK(problems(s, event).empty());

  auto broken = copyOf(registered);
  broken->set("undocumented", 1);
  BOOST_CHECK_EQUAL(problems(s, broken).size(), 1u);
  broken = copyOf(registered);
  broken->set("status", "ESTABLISHED");  // a status of another type
  BOOST_CHECK_EQUAL(problems(s, broken).size(), 1u);
  broken = copyOf(registered);
  broken->remove("seq");
  BOOST_CHECK_EQUAL(problems(s, broken).size(), 1u);
  broken = copyOf(registered);
  broken->set("sipStatus", "200");
  BOOST_CHECK_EQUAL(problems(s, broken).size(), 1u);
  broken = copyOf(registered);
  broken->set("eventId", "not-a-uuid");
  BOOST_CHECK_EQUAL(problems(s, broken).size(), 1u);
  broken = copyOf(registered);
  broken->set("type", "NoSuchEvent");
  BOOST_CHECK_THROW(problems(s, broken), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
