#include "../support/ContentChecks.h"
#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Pidf.h"

#include "RfcExamples.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::content;

namespace {

/// RFC 3863 §6 example (the extension element in its own namespace is ignored).
const std::string& kRfc3863 = sipbridge::test::kRfc3863Pidf;

/// A PUBLISH body in the RPID/data-model style (RFC 4479/4480) as clients send it.
const std::string kRpid =
    "<?xml version='1.0' encoding='UTF-8'?>"
    "<presence xmlns='urn:ietf:params:xml:ns:pidf' "
    "xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' "
    "xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:bob@example.test'>"
    "<tuple id='t1'><status><basic>closed</basic></status>"
    "<contact>sip:bob@127.0.0.1:5070</contact><note>mobile</note></tuple>"
    "<tuple id='t2'><status><basic>closed</basic></status></tuple>"
    "<dm:person id='p1'><rpid:activities><rpid:away/><rpid:other> gone fishing </rpid:other>"
    "</rpid:activities><dm:note>Back at 5</dm:note></dm:person>"
    "</presence>";

/// The body of a NOTIFY (Event: presence) sent by Kamailio 5.6 (presence_xml, etc/kamailio/
/// kamailio.cfg) after alice had published buildPidf("sip:alice@example.test", true,
/// "Lunch & <back> at 2", "pub1") with PUBLISH, answered 200; captured as received.
const std::string kKamailio =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:alice@example.test\">\n"
    "<tuple id=\"pub1\">\n"
    "<status><basic>open</basic></status>\n"
    "<note>Lunch &amp; &lt;back&gt; at 2</note>\n"
    "</tuple>\n"
    "</presence>\n";

using sipbridge::test::stringify;

bool refused(const std::string& xml, const XmlLimits& limits = {}) {
  return sipbridge::test::refusedBy(parsePidf, xml, limits);
}

std::string minimal(const std::string& root, const std::string& inner = "") {
  return root + "<tuple id='a'><status><basic>open</basic></status>" + inner +
         "</tuple></presence>";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentPidf)

BOOST_AUTO_TEST_CASE(parses_the_rfc3863_example) {
  const Presence p = parsePidf(kRfc3863);
  BOOST_TEST(p.entity == "pres:someone@example.com");
  BOOST_REQUIRE_EQUAL(p.tuples.size(), 2u);
  const auto& first = p.tuples[0];
  BOOST_TEST(first.id == "bs35r9");
  BOOST_TEST(first.basic == "open");
  BOOST_TEST(first.contact == "im:someone@mobilecarrier.net");
  BOOST_REQUIRE(first.priority.has_value());
  BOOST_TEST(*first.priority == 0.8, boost::test_tools::tolerance(1e-9));
  BOOST_REQUIRE_EQUAL(first.notes.size(), 2u);
  BOOST_TEST(first.notes[0] == "Don't Disturb Please!");
  BOOST_TEST(first.timestamp == "2001-10-27T16:49:29Z");
  BOOST_TEST(p.tuples[1].contact == "mailto:someone@example.com");
  BOOST_TEST(p.tuples[1].notes.empty());
  BOOST_REQUIRE_EQUAL(p.notes.size(), 1u);
  BOOST_TEST(p.notes[0] == "I'll be in Tokyo next week");
}

BOOST_AUTO_TEST_CASE(json_of_the_rfc3863_example) {
  const auto json = toJson(parsePidf(kRfc3863));
  BOOST_TEST(stringify(json) ==
             "{\"activities\":[],\"basic\":\"open\",\"entity\":\"pres:someone@example.com\","
             "\"note\":\"I'll be in Tokyo next week\",\"tuples\":["
             "{\"basic\":\"open\",\"contact\":\"im:someone@mobilecarrier.net\",\"id\":\"bs35r9\","
             "\"note\":\"Don't Disturb Please!\",\"priority\":0.8,"
             "\"timestamp\":\"2001-10-27T16:49:29Z\"},"
             "{\"basic\":\"open\",\"contact\":\"mailto:someone@example.com\",\"id\":\"eg92n8\","
             "\"note\":\"\",\"priority\":1,\"timestamp\":\"\"}]}");
}

BOOST_AUTO_TEST_CASE(reads_person_notes_and_activities) {
  const Presence p = parsePidf(kRpid);
  BOOST_REQUIRE_EQUAL(p.tuples.size(), 2u);
  BOOST_TEST(p.tuples[0].notes.at(0) == "mobile");
  BOOST_TEST(!p.tuples[0].priority.has_value());
  BOOST_REQUIRE_EQUAL(p.activities.size(), 2u);
  BOOST_TEST(p.activities[0] == "away");
  BOOST_TEST(p.activities[1] == "gone fishing");
  BOOST_REQUIRE_EQUAL(p.notes.size(), 1u);
  BOOST_TEST(p.notes[0] == "Back at 5");
  const auto json = toJson(p);
  BOOST_TEST(json->getValue<std::string>("basic") == "closed");
  BOOST_TEST(json->getValue<std::string>("note") == "Back at 5");
  BOOST_TEST(json->getArray("tuples")->getObject(1)->isNull("priority"));
}

BOOST_AUTO_TEST_CASE(first_open_tuple_gives_basic_and_note) {
  const std::string xml =
      "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.test'>"
      "<tuple id='x'><status><basic>closed</basic></status><note>desk</note></tuple>"
      "<tuple id='y'><status><basic>open</basic></status><note>phone</note></tuple>"
      "</presence>";
  const Presence p = parsePidf(xml);
  BOOST_REQUIRE(leadingTuple(p) != nullptr);
  BOOST_TEST(leadingTuple(p)->id == "y");
  const auto json = toJson(p);
  BOOST_TEST(json->getValue<std::string>("basic") == "open");
  BOOST_TEST(json->getValue<std::string>("note") == "phone");
}

BOOST_AUTO_TEST_CASE(no_tuples_means_closed) {
  const Presence p = parsePidf("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'/>");
  BOOST_TEST(p.tuples.empty());
  BOOST_TEST(leadingTuple(p) == nullptr);
  BOOST_TEST(toJson(p)->getValue<std::string>("basic") == "closed");
  BOOST_TEST(toJson(p)->getValue<std::string>("note") == "");
}

BOOST_AUTO_TEST_CASE(status_without_basic_and_odd_priority) {
  const Presence p = parsePidf(
      "<p:presence xmlns:p='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><p:tuple id='a'>"
      "<p:status/><p:contact priority='0.0001'>sip:x@y</p:contact></p:tuple></p:presence>");
  BOOST_REQUIRE_EQUAL(p.tuples.size(), 1u);
  BOOST_TEST(p.tuples[0].basic == "");
  BOOST_TEST(p.tuples[0].contact == "sip:x@y");
  BOOST_TEST(!p.tuples[0].priority.has_value());
}

BOOST_AUTO_TEST_CASE(builds_a_document_that_parses_back) {
  const std::string xml =
      buildPidf("sip:alice@example.test", true, "At <lunch> & \"back\" soon", "pub1");
  BOOST_TEST(xml.find("xmlns=\"urn:ietf:params:xml:ns:pidf\"") != std::string::npos);
  BOOST_TEST(xml.find("entity=\"sip:alice@example.test\"") != std::string::npos);
  BOOST_TEST(xml.find("&lt;lunch&gt; &amp; &quot;back&quot;") != std::string::npos);
  const Presence p = parsePidf(xml);
  BOOST_TEST(p.entity == "sip:alice@example.test");
  BOOST_REQUIRE_EQUAL(p.tuples.size(), 1u);
  BOOST_TEST(p.tuples[0].id == "pub1");
  BOOST_TEST(p.tuples[0].basic == "open");
  BOOST_TEST(p.tuples[0].notes.at(0) == "At <lunch> & \"back\" soon");
  const Presence closed = parsePidf(buildPidf("sip:alice@example.test", false, "", "pub1"));
  BOOST_TEST(closed.tuples.at(0).basic == "closed");
  BOOST_TEST(closed.tuples[0].notes.empty());
}

BOOST_AUTO_TEST_CASE(kamailio_notifies_what_was_published) {
  BOOST_TEST(buildPidf("sip:alice@example.test", true, "Lunch & <back> at 2", "pub1") == kKamailio);
  const auto json = toJson(parsePidf(kKamailio));
  BOOST_TEST(stringify(json) ==
             "{\"activities\":[],\"basic\":\"open\",\"entity\":\"sip:alice@example.test\","
             "\"note\":\"Lunch & <back> at 2\",\"tuples\":[{\"basic\":\"open\",\"contact\":\"\","
             "\"id\":\"pub1\",\"note\":\"Lunch & <back> at 2\",\"priority\":null,"
             "\"timestamp\":\"\"}]}");
}

BOOST_AUTO_TEST_CASE(build_refuses_bad_input) {
  BOOST_CHECK_THROW(buildPidf("", true, "", "t1"), ContentError);
  BOOST_CHECK_THROW(buildPidf("alice", true, "", "t1"), ContentError);
  BOOST_CHECK_THROW(buildPidf("sip:alice@example.test", true, "", ""), ContentError);
  BOOST_CHECK_THROW(buildPidf("sip:alice@example.test", true, "", "1abc"), ContentError);
  BOOST_CHECK_THROW(buildPidf("sip:alice@example.test", true, "", "a\"b"), ContentError);
  BOOST_CHECK_THROW(buildPidf("sip:alice@example.test", true, "bell\x07", "t1"), ContentError);
  BOOST_CHECK_THROW(buildPidf("sip:alice@example.test", true, "bad\xff utf8", "t1"), ContentError);
  BOOST_CHECK_THROW(buildPidf("sip:a\"><x/>@example.test\x01", true, "", "t1"), ContentError);
}

BOOST_AUTO_TEST_CASE(refuses_doctype_and_entities) {
  BOOST_TEST(
      refused("<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY x 'boom'>]>"
              "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><note>&x;</note>"
              "</presence>"));
  BOOST_TEST(
      refused("<!DOCTYPE presence SYSTEM 'http://127.0.0.1:1/pidf.dtd'>"
              "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'/>"));
  BOOST_TEST(
      refused("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>"
              "<note>&undefined;</note></presence>"));
}

BOOST_AUTO_TEST_CASE(refuses_wrong_namespace_and_root) {
  // Decision: a document that is not PIDF is an error, never an empty presence.
  BOOST_TEST(refused(minimal("<presence entity='sip:a@b'>")));
  BOOST_TEST(refused(minimal("<presence xmlns='urn:ietf:params:xml:ns:cpim-pidf' entity='x:a'>")));
  BOOST_TEST(refused("<reginfo xmlns='urn:ietf:params:xml:ns:pidf'/>"));
  BOOST_TEST(!refused(minimal("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>")));
}

BOOST_AUTO_TEST_CASE(refuses_malformed_documents) {
  const std::string root = "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>";
  BOOST_TEST(refused(""));
  BOOST_TEST(refused(root + "<tuple id='a'>"));
  BOOST_TEST(refused(minimal("<presence xmlns='urn:ietf:params:xml:ns:pidf'>")));
  BOOST_TEST(refused(root + "<tuple><status/></tuple></presence>"));
  BOOST_TEST(refused(root + "<tuple id='a'><note>x</note></tuple></presence>"));
  BOOST_TEST(refused(root + "<tuple id='a'><status><basic>busy</basic></status></tuple>"
                            "</presence>"));
  std::string withNul = root + "</presence>";
  withNul.insert(root.size(), 1, '\0');
  BOOST_TEST(refused(withNul));
}

BOOST_AUTO_TEST_CASE(refuses_too_deep_or_too_large) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<x:e xmlns:x='urn:example'>";
  for (int i = 0; i < 40; ++i) deep += "</x:e>";
  BOOST_TEST(refused(minimal("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>",
                             "<note>" + std::string(10, 'n') + "</note>" + deep)));
  XmlLimits small;
  small.maxBytes = 100;
  BOOST_TEST(refused(kRfc3863, small));
  XmlLimits fewNodes;
  fewNodes.maxNodes = 10;
  BOOST_TEST(refused(kRfc3863, fewNodes));
}

BOOST_AUTO_TEST_SUITE_END()
