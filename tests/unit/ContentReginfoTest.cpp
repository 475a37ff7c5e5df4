#include "../support/ContentChecks.h"
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Reginfo.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::content;

namespace {

/// RFC 3680 §5.4 example: a full document with an active and an expired contact.
const std::string kRfc3680Full =
    "<?xml version=\"1.0\"?>\n"
    "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\"\n"
    "         version=\"0\" state=\"full\">\n"
    "  <registration aor=\"sip:user@example.com\" id=\"as9\"\n"
    "                state=\"active\">\n"
    "    <contact id=\"76\" state=\"active\" event=\"registered\"\n"
    "             duration-registered=\"7322\"\n"
    "             q=\"0.8\">\n"
    "             <uri>sip:user@pc887.example.com</uri>\n"
    "    </contact>\n"
    "    <contact id=\"77\" state=\"terminated\" event=\"expired\"\n"
    "             duration-registered=\"3600\"\n"
    "             q=\"0.5\">\n"
    "             <uri>sip:user@university.edu</uri>\n"
    "    </contact>\n"
    "  </registration>\n"
    "</reginfo>\n";

/// RFC 3680 §6 call flow: the first NOTIFY (no contact yet) and the partial one after the
/// REGISTER.
const std::string kRfc3680Init =
    "<?xml version=\"1.0\"?>\n"
    "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\"\n"
    "         version=\"0\" state=\"full\">\n"
    "  <registration aor=\"sip:user@example.com\" id=\"as9\"\n"
    "                state=\"init\"/>\n"
    "</reginfo>\n";

const std::string kRfc3680Partial =
    "<?xml version=\"1.0\"?>\n"
    "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\"\n"
    "         version=\"1\" state=\"partial\">\n"
    "  <registration aor=\"sip:user@example.com\" id=\"as9\"\n"
    "                state=\"active\">\n"
    "    <contact id=\"76\" state=\"active\" event=\"registered\"\n"
    "             duration-registered=\"0\">\n"
    "      <uri>sip:user@pc887.example.com</uri>\n"
    "    </contact>\n"
    "  </registration>\n"
    "</reginfo>\n";

/// The body of a NOTIFY (Event: reg) sent by Kamailio 5.6 with etc/kamailio/kamailio.cfg
/// (pua_reginfo publishing from usrloc, presence_reginfo notifying) to a sipp UA that had
/// registered as alice and subscribed to its own registration; captured as received.
const std::string kKamailio =
    "<?xml version=\"1.0\"?>\n"
    "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">\n"
    "  <registration aor=\"sip:alice@example.test\" id=\"0x7fe88c526198\" state=\"active\">\n"
    "    <contact id=\"0x7fe88c5262c0\" state=\"active\" event=\"created\" expires=\"3600\" "
    "callid=\"1-20414@127.0.0.1\" cseq=\"2\" received=\"\" path=\"\" user_agent=\"sipp\">\n"
    "      <uri>sip:alice@127.0.0.1:28917</uri>\n"
    "    </contact>\n"
    "  </registration>\n"
    "</reginfo>\n";

using sipbridge::test::stringify;

bool refused(const std::string& xml, const XmlLimits& limits = {}) {
  return sipbridge::test::refusedBy(parseReginfo, xml, limits);
}

const std::string kRoot =
    "<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='3' state='full'>";

std::string withContact(const std::string& contactAttributes, const std::string& inner) {
  return kRoot + "<registration aor='sip:a@example.test' id='r' state='active'><contact " +
         contactAttributes + ">" + inner + "</contact></registration></reginfo>";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentReginfo)

BOOST_AUTO_TEST_CASE(parses_the_rfc3680_full_example) {
  const Reginfo r = parseReginfo(kRfc3680Full);
  BOOST_TEST(r.version == 0u);
  BOOST_TEST(toString(r.state) == "full");
  BOOST_REQUIRE_EQUAL(r.registrations.size(), 1u);
  const auto& reg = r.registrations[0];
  BOOST_TEST(reg.aor == "sip:user@example.com");
  BOOST_TEST(reg.id == "as9");
  BOOST_TEST(toString(reg.state) == "active");
  BOOST_REQUIRE_EQUAL(reg.contacts.size(), 2u);
  BOOST_TEST(reg.contacts[0].id == "76");
  BOOST_TEST(reg.contacts[0].uri == "sip:user@pc887.example.com");
  BOOST_TEST(toString(reg.contacts[0].state) == "active");
  BOOST_TEST(toString(reg.contacts[0].event) == "registered");
  BOOST_TEST(!reg.contacts[0].expires.has_value());
  BOOST_TEST(reg.contacts[0].q.value_or(-1) == 0.8, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(toString(reg.contacts[1].state) == "terminated");
  BOOST_TEST(toString(reg.contacts[1].event) == "expired");
  BOOST_TEST(!reg.contacts[1].displayName.has_value());
}

BOOST_AUTO_TEST_CASE(json_of_the_rfc3680_full_example) {
  BOOST_TEST(stringify(toJson(parseReginfo(kRfc3680Full))) ==
             "{\"registrations\":[{\"aor\":\"sip:user@example.com\",\"contacts\":["
             "{\"displayName\":null,\"event\":\"registered\",\"expires\":null,\"id\":\"76\","
             "\"q\":0.8,\"state\":\"active\",\"uri\":\"sip:user@pc887.example.com\"},"
             "{\"displayName\":null,\"event\":\"expired\",\"expires\":null,\"id\":\"77\","
             "\"q\":0.5,\"state\":\"terminated\",\"uri\":\"sip:user@university.edu\"}],"
             "\"id\":\"as9\",\"state\":\"active\"}],\"state\":\"full\",\"version\":0}");
}

BOOST_AUTO_TEST_CASE(parses_the_rfc3680_call_flow_documents) {
  const Reginfo init = parseReginfo(kRfc3680Init);
  BOOST_REQUIRE_EQUAL(init.registrations.size(), 1u);
  BOOST_TEST(toString(init.registrations[0].state) == "init");
  BOOST_TEST(init.registrations[0].contacts.empty());
  const Reginfo partial = parseReginfo(kRfc3680Partial);
  BOOST_TEST(partial.version == 1u);
  BOOST_TEST(toString(partial.state) == "partial");
  BOOST_TEST(partial.registrations.at(0).contacts.at(0).uri == "sip:user@pc887.example.com");
}

BOOST_AUTO_TEST_CASE(parses_a_kamailio_notify_body) {
  const Reginfo r = parseReginfo(kKamailio);
  BOOST_REQUIRE_EQUAL(r.registrations.size(), 1u);
  const auto& reg = r.registrations[0];
  BOOST_TEST(reg.aor == "sip:alice@example.test");
  BOOST_REQUIRE_EQUAL(reg.contacts.size(), 1u);
  BOOST_TEST(reg.contacts[0].uri == "sip:alice@127.0.0.1:28917");
  BOOST_TEST(reg.contacts[0].id == "0x7fe88c5262c0");
  BOOST_TEST(reg.contacts[0].expires.value_or(0) == 3600u);
  BOOST_TEST(reg.contacts[0].callId == "1-20414@127.0.0.1");
  const auto json = toJson(r);
  const auto contact =
      json->getArray("registrations")->getObject(0)->getArray("contacts")->getObject(0);
  BOOST_TEST(contact->getValue<std::string>("event") == "created");
  BOOST_TEST(contact->getValue<std::uint64_t>("expires") == 3600u);
}

BOOST_AUTO_TEST_CASE(reads_display_name_every_event_and_ignores_unknown_elements) {
  const char* events[] = {"registered",  "created",   "refreshed",    "shortened", "expired",
                          "deactivated", "probation", "unregistered", "rejected"};
  for (const char* event : events) {
    const Reginfo r = parseReginfo(withContact(
        std::string("id='c' state='terminated' event='") + event + "' expires='0' q='1'",
        "<x:extra xmlns:x='urn:example'><x:uri>sip:wrong@x</x:uri></x:extra>"
        "<uri> sip:a@127.0.0.1 </uri><display-name xml:lang='en'>Alice &amp; Co</display-name>"
        "<unknown-param name='p'>v</unknown-param>"));
    const auto& contact = r.registrations.at(0).contacts.at(0);
    BOOST_TEST(toString(contact.event) == event);
    BOOST_TEST(contact.uri == "sip:a@127.0.0.1");
    BOOST_TEST(contact.displayName.value_or("") == "Alice & Co");
    BOOST_TEST(contact.expires.value_or(1) == 0u);
    BOOST_TEST(contact.q.value_or(0) == 1.0);
  }
}

BOOST_AUTO_TEST_CASE(odd_q_is_ignored_but_bad_expires_refused) {
  const std::string uri = "<uri>sip:a@b</uri>";
  const Reginfo r =
      parseReginfo(withContact("id='c' state='active' event='created' q='high'", uri));
  BOOST_TEST(!r.registrations.at(0).contacts.at(0).q.has_value());
  BOOST_TEST(refused(withContact("id='c' state='active' event='created' expires='soon'", uri)));
  BOOST_TEST(refused(withContact("id='c' state='active' event='created' expires='-1'", uri)));
  BOOST_TEST(refused(withContact("id='c' state='active' event='created' expires=''", uri)));
  BOOST_TEST(refused(withContact("id='c' state='active' event='created' expires='3600s'", uri)));
  BOOST_TEST(refused(
      withContact("id='c' state='active' event='created' expires='18446744073709551616'", uri)));
  const Reginfo max = parseReginfo(
      withContact("id='c' state='active' event='created' expires='18446744073709551615'", uri));
  BOOST_TEST(max.registrations.at(0).contacts.at(0).expires.value() == 18446744073709551615ull);
}

BOOST_AUTO_TEST_CASE(refuses_missing_or_unknown_required_values) {
  const std::string uri = "<uri>sip:a@b</uri>";
  BOOST_TEST(refused("<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' state='full'/>"));
  BOOST_TEST(refused("<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='x' state='full'/>"));
  BOOST_TEST(refused("<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='all'/>"));
  BOOST_TEST(refused(kRoot + "<registration id='r' state='active'/></reginfo>"));
  BOOST_TEST(refused(kRoot + "<registration aor='sip:a@b' id='r' state='gone'/></reginfo>"));
  BOOST_TEST(refused(withContact("state='active' event='created'", uri)));
  BOOST_TEST(refused(withContact("id='c' state='pending' event='created'", uri)));
  BOOST_TEST(refused(withContact("id='c' state='active' event='vanished'", uri)));
  BOOST_TEST(refused(withContact("id='c' state='active' event='created'", "")));
  BOOST_TEST(refused(withContact("id='c' state='active' event='created'", "<uri> </uri>")));
  BOOST_TEST(!refused(withContact("id='c' state='active' event='created'", uri)));
}

BOOST_AUTO_TEST_CASE(refuses_wrong_namespace_and_root) {
  // Decision: a document that is not reginfo is an error, never an empty result.
  BOOST_TEST(refused("<reginfo version='0' state='full'/>"));
  BOOST_TEST(refused("<reginfo xmlns='urn:ietf:params:xml:ns:pidf' version='0' state='full'/>"));
  BOOST_TEST(
      refused("<presence xmlns='urn:ietf:params:xml:ns:reginfo' version='0' state='full'/>"));
  // Registrations of another namespace inside a reginfo root are unknown elements: ignored.
  const Reginfo r = parseReginfo(kRoot +
                                 "<registration xmlns='urn:example' aor='x' id='y' state='z'/>"
                                 "</reginfo>");
  BOOST_TEST(r.registrations.empty());
}

BOOST_AUTO_TEST_CASE(refuses_doctype_entities_and_malformed_input) {
  BOOST_TEST(refused("<!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>" +
                     withContact("id='&b;' state='active' event='created'", "<uri>x</uri>")));
  BOOST_TEST(refused("<!DOCTYPE reginfo SYSTEM 'file:///etc/passwd'>" + kRfc3680Init));
  BOOST_TEST(refused(kRfc3680Full.substr(0, kRfc3680Full.size() / 2)));
  BOOST_TEST(refused("not xml at all"));
  BOOST_TEST(refused(""));
}

BOOST_AUTO_TEST_CASE(refuses_too_deep_or_too_large) {
  std::string deep;
  for (int i = 0; i < 30; ++i) deep += "<x:e xmlns:x='urn:example'>";
  for (int i = 0; i < 30; ++i) deep += "</x:e>";
  BOOST_TEST(refused(withContact("id='c' state='active' event='created'", "<uri>x</uri>" + deep)));
  XmlLimits small;
  small.maxBytes = 200;
  BOOST_TEST(refused(kRfc3680Full, small));
  std::string many = kRoot + "<registration aor='sip:a@b' id='r' state='active'>";
  for (int i = 0; i < 2000; ++i)
    many += "<contact id='c" + std::to_string(i) +
            "' state='active' event='created'><uri>sip:a@b</uri></contact>";
  many += "</registration></reginfo>";
  XmlLimits big;
  big.maxBytes = many.size();
  BOOST_TEST(refused(many, big));  // more nodes than maxNodes
  big.maxNodes = 100000;
  BOOST_TEST(parseReginfo(many, big).registrations.at(0).contacts.size() == 2000u);
}

BOOST_AUTO_TEST_SUITE_END()
