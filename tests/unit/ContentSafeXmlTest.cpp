#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Imdn.h"
#include "sipbridge/content/SafeXml.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::content;

namespace {

const std::string kTail =
    "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>&lol9;</message-id>"
    "<datetime>2024-05-01T10:00:00Z</datetime><delivery-notification><status><delivered/>"
    "</status></delivery-notification></imdn>";

/// The classic "billion laughs" document: ten levels of ten-fold entity expansion.
std::string billionLaughs() {
  std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE imdn [\n <!ENTITY lol0 \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    doc += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) doc += "&lol" + std::to_string(i - 1) + ";";
    doc += "\">\n";
  }
  return doc + "]>\n" + kTail;
}

std::string refusal(const std::string& xml, const XmlLimits& limits = {}) {
  try {
    XmlDocument::parse(xml, limits);
  } catch (const ContentError& e) {
    return e.message();
  }
  return "accepted";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentSafeXml)

BOOST_AUTO_TEST_CASE(parses_a_plain_document_and_reads_namespaced_children) {
  const auto doc = XmlDocument::parse("<a xmlns=\"urn:x\"><b>one &amp; <![CDATA[two]]></b></a>");
  BOOST_TEST(XmlDocument::is(doc.root(), "urn:x", "a"));
  BOOST_TEST(!XmlDocument::is(doc.root(), "urn:y", "a"));
  const xmlNode* b = XmlDocument::child(doc.root(), "urn:x", "b");
  BOOST_REQUIRE(b != nullptr);
  BOOST_TEST(XmlDocument::text(b) == "one & two");
  BOOST_TEST(XmlDocument::firstElement(doc.root()) == b);
}

BOOST_AUTO_TEST_CASE(refuses_billion_laughs) {
  BOOST_TEST(refusal(billionLaughs()).find("DOCTYPE") != std::string::npos);
  BOOST_CHECK_THROW(parseImdn(billionLaughs()), ContentError);
}

BOOST_AUTO_TEST_CASE(refuses_external_entities_and_dtds) {
  const std::string file =
      "<?xml version=\"1.0\"?><!DOCTYPE imdn [<!ENTITY lol9 SYSTEM \"file:///etc/passwd\">]>" +
      kTail;
  BOOST_TEST(refusal(file).find("DOCTYPE") != std::string::npos);
  const std::string remote =
      "<?xml version=\"1.0\"?><!DOCTYPE imdn SYSTEM \"http://127.0.0.1:9/imdn.dtd\">" + kTail;
  BOOST_TEST(refusal(remote).find("DOCTYPE") != std::string::npos);
  const std::string parameter =
      "<!DOCTYPE imdn [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p.dtd\"> %p;]>" + kTail;
  BOOST_TEST(refusal(parameter).find("DOCTYPE") != std::string::npos);
  // Without any DOCTYPE an entity reference is undefined: refused before any lookup.
  BOOST_TEST(refusal(kTail).find("entity refused") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_oversized_and_too_deep_documents) {
  XmlLimits limits;
  const std::string big = "<a>" + std::string(limits.maxBytes, 'x') + "</a>";
  BOOST_TEST(refusal(big).find("too large") != std::string::npos);
  std::string deep;
  for (std::size_t i = 0; i < limits.maxDepth + 1; ++i) deep += "<a>";
  std::string closing;
  for (std::size_t i = 0; i < limits.maxDepth + 1; ++i) closing += "</a>";
  BOOST_TEST(refusal(deep + closing).find("too deep") != std::string::npos);
  BOOST_TEST(refusal(deep.substr(3) + closing.substr(4)) == "accepted");
  // Far deeper than libxml2's own limit: still a clean refusal.
  std::string abyss;
  for (int i = 0; i < 5000; ++i) abyss += "<a>";
  BOOST_TEST(refusal(abyss) != "accepted");
  limits.maxNodes = 10;
  std::string wide = "<a>";
  for (int i = 0; i < 20; ++i) wide += "<b/>";
  BOOST_TEST(refusal(wide + "</a>", limits).find("too many nodes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_nul_bytes_and_invalid_utf8) {
  BOOST_TEST(refusal(std::string("<a>\0</a>", 8)).find("NUL") != std::string::npos);
  BOOST_TEST(refusal("<a>\xff\xfe</a>").find("not well-formed") != std::string::npos);
  BOOST_TEST(refusal("").find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_declared_encoding_cannot_switch_the_decoder) {
  const std::string xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xc3\xa9</a>";
  const auto doc = XmlDocument::parse(xml);
  BOOST_TEST(XmlDocument::text(doc.root()) == "\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(escape_produces_parseable_text) {
  const std::string nasty = "<&>\"'\r\n\t\xc3\xa9";
  const auto doc = XmlDocument::parse("<a>" + xmlEscape(nasty) + "</a>");
  BOOST_TEST(XmlDocument::text(doc.root()) == nasty);
  BOOST_CHECK_THROW(xmlEscape("\x01"), ContentError);
  BOOST_CHECK_THROW(xmlEscape("\xed\xa0\x80"), ContentError);  // surrogate
  BOOST_CHECK_THROW(xmlEscape("\xc0\xaf"), ContentError);      // overlong
}

BOOST_AUTO_TEST_SUITE_END()
