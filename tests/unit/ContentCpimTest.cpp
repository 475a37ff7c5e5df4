#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Cpim.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::content;
using namespace std::string_literals;

namespace {

/// RFC 3862 §6 example: the Message/CPIM body (its "h:", "s:" and "e:" lines), CRLF.
const std::string kRfc3862Example =
    "From: MR SANDERS <im:piglet@100akerwood.com>\r\n"
    "To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
    "DateTime: 2000-12-13T13:40:00-08:00\r\n"
    "Subject: the weather will be fine today\r\n"
    "Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n"
    "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
    "Require: MyFeatures.VitalMessageOption\r\n"
    "MyFeatures.VitalMessageOption: Confirmation-requested\r\n"
    "MyFeatures.WackyMessageOption: Use-silly-font\r\n"
    "\r\n"
    "Content-type: text/xml; charset=utf-8\r\n"
    "Content-ID: <1234567890@foo.com>\r\n"
    "\r\n"
    "<body>\r\n"
    "Here is the text of my message.\r\n"
    "</body>\r\n";

CpimMessage sample() {
  CpimMessage m;
  m.headers = {{"From", formatNameAddr({"Alice", "sip:alice@example.test"})},
               {"To", formatNameAddr({"", "sip:bob@example.test"})},
               {"DateTime", "2024-05-01T10:00:00Z"}};
  m.contentType = "text/plain;charset=UTF-8";
  m.body = "Hello, Bob\r\n\r\nsecond paragraph";
  return m;
}

bool failsWith(const std::string& text, const std::string& reason, const CpimLimits& l = {}) {
  try {
    parseCpim(text, l);
  } catch (const ContentError& e) {
    if (e.message().find(reason) != std::string::npos) return true;
    BOOST_TEST_MESSAGE("unexpected reason: " << e.message());
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentCpim)

BOOST_AUTO_TEST_CASE(parses_the_rfc3862_example) {
  const CpimMessage m = parseCpim(kRfc3862Example);
  BOOST_TEST(m.headers.size() == 9u);
  BOOST_TEST(m.headers[0].first == "From");
  BOOST_TEST(m.headers[4].second == ";lang=fr beau temps prevu pour aujourd'hui");
  BOOST_TEST(m.contentType == "text/xml; charset=utf-8");
  BOOST_TEST(m.contentHeaders.size() == 1u);
  BOOST_TEST(*findHeader(m.contentHeaders, "content-id") == "<1234567890@foo.com>");
  BOOST_TEST(m.body == "<body>\r\nHere is the text of my message.\r\n</body>\r\n");
  const NameAddr from = parseNameAddr(*findHeader(m.headers, "From"));
  BOOST_TEST(from.displayName == "MR SANDERS");
  BOOST_TEST(from.uri == "im:piglet@100akerwood.com");
  BOOST_TEST(findHeaders(m.headers, "Subject").size() == 2u);
  BOOST_TEST(*findNamespaced(m, "mid:MessageFeatures@id.foo.com", "WackyMessageOption") ==
             "Use-silly-font");
  BOOST_TEST(!findNamespaced(m, "urn:ietf:params:imdn", "Message-ID").has_value());
}

BOOST_AUTO_TEST_CASE(build_then_parse_round_trips_and_keeps_the_body_exact) {
  const CpimMessage m = sample();
  const std::string text = buildCpim(m);
  BOOST_TEST(text.find("From: \"Alice\" <sip:alice@example.test>\r\n") == 0u);
  const CpimMessage back = parseCpim(text);
  BOOST_TEST(back.headers == m.headers);
  BOOST_TEST(back.contentType == m.contentType);
  BOOST_TEST(back.body == m.body);
  BOOST_TEST(buildCpim(back) == text);
}

BOOST_AUTO_TEST_CASE(build_refuses_header_injection) {
  for (const std::string& bad :
       {"x\r\nTo: <sip:eve@example.test>"s, "x\nEvil: 1"s, "x\rEvil: 1"s, "x\0y"s, "x\x01y"s}) {
    CpimMessage m = sample();
    m.headers.emplace_back("Subject", bad);
    BOOST_CHECK_THROW(buildCpim(m), ContentError);
    m = sample();
    m.contentHeaders.emplace_back("Content-ID", bad);
    BOOST_CHECK_THROW(buildCpim(m), ContentError);
    m = sample();
    m.contentType = "text/plain" + bad;
    BOOST_CHECK_THROW(buildCpim(m), ContentError);
    BOOST_CHECK_THROW(formatNameAddr({bad, "sip:a@example.test"}), ContentError);
  }
  CpimMessage m = sample();
  m.headers.emplace_back("Bad Name", "v");
  BOOST_CHECK_THROW(buildCpim(m), ContentError);
  m = sample();
  m.contentType.clear();
  BOOST_CHECK_THROW(buildCpim(m), ContentError);
  BOOST_CHECK_THROW(formatNameAddr({"A", "sip:a@example.test> x"}), ContentError);
}

BOOST_AUTO_TEST_CASE(name_addr_quoting_round_trips) {
  const NameAddr a{"Al \"the\" \\ ice", "sip:alice@example.test"};
  const std::string text = formatNameAddr(a);
  BOOST_TEST(text == "\"Al \\\"the\\\" \\\\ ice\" <sip:alice@example.test>");
  const NameAddr back = parseNameAddr(text);
  BOOST_TEST(back.displayName == a.displayName);
  BOOST_TEST(back.uri == a.uri);
  BOOST_TEST(parseNameAddr("<sip:bob@example.test>").displayName.empty());
  BOOST_CHECK_THROW(parseNameAddr("sip:bob@example.test"), ContentError);
  BOOST_CHECK_THROW(parseNameAddr("\"open <sip:bob@example.test>"), ContentError);
  BOOST_CHECK_THROW(parseNameAddr("<sip:bob@example.test> trailing"), ContentError);
}

BOOST_AUTO_TEST_CASE(namespace_prefix_is_whatever_the_sender_declared) {
  CpimMessage m = sample();
  declareNamespace(m, "n", "urn:ietf:params:imdn");
  m.headers.emplace_back("n.Message-ID", "abc");
  m.headers.emplace_back("imdn.Message-ID", "not-this-one");
  BOOST_TEST(*namespacePrefix(m, "urn:ietf:params:imdn") == "n");
  BOOST_TEST(*findNamespaced(m, "urn:ietf:params:imdn", "Message-ID") == "abc");
  BOOST_CHECK_THROW(declareNamespace(m, "a.b", "urn:x"), ContentError);
}

BOOST_AUTO_TEST_CASE(refuses_malformed_messages) {
  BOOST_TEST(failsWith("", "unterminated"));
  BOOST_TEST(failsWith("From: <sip:a@example.test>\r\n", "unterminated"));
  BOOST_TEST(
      failsWith("From: <sip:a@example.test>\r\n\r\nContent-Type: text/plain\r\n", "unterminated"));
  BOOST_TEST(failsWith("\r\nContent-Type: text/plain\r\n\r\nhi", "no message headers"));
  BOOST_TEST(failsWith("From: x\r\n\r\nContent-ID: 1\r\n\r\nhi", "no Content-Type"));
  BOOST_TEST(failsWith("From: x\r\n\r\nContent-Type: a/b\r\ncontent-type: c/d\r\n\r\n",
                       "duplicate Content-Type"));
  BOOST_TEST(failsWith("From x\r\n\r\nContent-Type: a/b\r\n\r\n", "without ':'"));
  BOOST_TEST(failsWith("Fr om: x\r\n\r\nContent-Type: a/b\r\n\r\n", "invalid header name"));
  BOOST_TEST(failsWith("From: x\r\n folded\r\n\r\nContent-Type: a/b\r\n\r\n", "folded"));
  BOOST_TEST(failsWith("From: x\rTo: y\r\n\r\nContent-Type: a/b\r\n\r\n", "CR or NUL"));
  BOOST_TEST(failsWith("From: x\0\r\n\r\nContent-Type: a/b\r\n\r\n"s, "CR or NUL"));
}

BOOST_AUTO_TEST_CASE(content_length_must_match_the_content) {
  const std::string head = "From: <sip:a@example.test>\r\n\r\nContent-Type: text/plain\r\n";
  // Longer than the content: the message was cut, it is refused.
  BOOST_TEST(failsWith(head + "Content-Length: 50\r\n\r\nhello", "exceeds the content"));
  BOOST_TEST(failsWith(head + "Content-Length: 6\r\n\r\nhello", "exceeds the content"));
  BOOST_TEST(failsWith(head + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                       "duplicate Content-Length"));
  BOOST_TEST(failsWith(head + "Content-Length: -1\r\n\r\nhello", "invalid Content-Length"));
  BOOST_TEST(failsWith(head + "Content-Length: 5x\r\n\r\nhello", "invalid Content-Length"));
  BOOST_TEST(failsWith(head + "Content-Length: 99999999999999999999\r\n\r\nhello",
                       "invalid Content-Length"));
  // Exact, or shorter: the content is what it declares.
  BOOST_TEST(parseCpim(head + "Content-Length: 5\r\n\r\nhello").body == "hello");
  BOOST_TEST(parseCpim(head + "content-length:  3 \r\n\r\nhello").body == "hel");
  BOOST_TEST(parseCpim(head + "\r\nhello").body == "hello");
}

BOOST_AUTO_TEST_CASE(enforces_limits) {
  CpimLimits limits;
  limits.maxSize = 100;
  BOOST_TEST(failsWith(std::string(101, 'a'), "too large", limits));
  limits = {};
  limits.maxLineLength = 20;
  BOOST_TEST(failsWith("Subject: " + std::string(30, 'x') + "\r\n\r\n", "line too long", limits));
  BOOST_TEST(failsWith("Subject: " + std::string(5000, 'x'), "line too long", limits));
  limits = {};
  limits.maxHeaders = 3;
  std::string many;
  for (int i = 0; i < 4; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  BOOST_TEST(failsWith(many + "\r\nContent-Type: a/b\r\n\r\n", "too many headers", limits));
}

BOOST_AUTO_TEST_CASE(bare_lf_is_refused_unless_allowed) {
  const std::string lfOnly = "From: <sip:a@example.test>\n\nContent-Type: text/plain\n\nhi\n";
  BOOST_TEST(failsWith(lfOnly, "bare LF"));
  CpimLimits tolerant;
  tolerant.allowBareLf = true;
  const CpimMessage m = parseCpim(lfOnly, tolerant);
  BOOST_TEST(m.contentType == "text/plain");
  BOOST_TEST(m.body == "hi\n");
}

BOOST_AUTO_TEST_CASE(content_headers_may_be_folded) {
  const CpimMessage m =
      parseCpim("From: x\r\n\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\nhi");
  BOOST_TEST(m.contentType == "text/plain; charset=utf-8");
}

BOOST_AUTO_TEST_SUITE_END()
