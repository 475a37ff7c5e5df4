#include "sipbridge/content/ContentError.h"
#include "sipbridge/content/Multipart.h"

#include <boost/test/unit_test.hpp>

using namespace sipbridge::content;

namespace {

/// RFC 2046 §5.1.1 example body (below its header section), CRLF line breaks.
const std::string kRfc2046Example =
    "This is the preamble.  It is to be ignored, though it\r\n"
    "is a handy place for composition agents to include an\r\n"
    "explanatory note to non-MIME conformant readers.\r\n"
    "\r\n"
    "--simple boundary\r\n"
    "\r\n"
    "This is implicitly typed plain US-ASCII text.\r\n"
    "It does NOT end with a linebreak.\r\n"
    "--simple boundary\r\n"
    "Content-type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "This is explicitly typed plain US-ASCII text.\r\n"
    "It DOES end with a linebreak.\r\n"
    "\r\n"
    "--simple boundary--\r\n"
    "\r\n"
    "This is the epilogue.  It is also to be ignored.\r\n";

bool failsWith(std::string_view body, std::string_view boundary, const std::string& reason,
               const MultipartLimits& limits = {}) {
  try {
    parseMultipart(body, boundary, limits);
  } catch (const ContentError& e) {
    if (e.message().find(reason) != std::string::npos) return true;
    BOOST_TEST_MESSAGE("unexpected reason: " << e.message());
  }
  return false;
}

/// A multipart body nested `levels` deep (levels >= 1), boundaries b1, b2 ...
std::string nested(int levels, int level = 1) {
  const std::string b = "b" + std::to_string(level);
  std::string inner = level == levels
                          ? "Content-Type: text/plain\r\n\r\nleaf"
                          : "Content-Type: multipart/mixed; boundary=b" +
                                std::to_string(level + 1) + "\r\n\r\n" + nested(levels, level + 1);
  return "--" + b + "\r\n" + inner + "\r\n--" + b + "--\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ContentMultipart)

BOOST_AUTO_TEST_CASE(parses_the_rfc2046_example) {
  const std::string contentType = "multipart/mixed; boundary=\"simple boundary\"";
  const std::string boundary = boundaryFromContentType(contentType);
  BOOST_TEST(boundary == "simple boundary");
  const auto parts = parseMultipart(kRfc2046Example, boundary);
  BOOST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0].headers.empty());
  BOOST_TEST(parts[0].body ==
             "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.");
  BOOST_TEST(*findHeader(parts[1].headers, "Content-Type") == "text/plain; charset=us-ascii");
  BOOST_TEST(parts[1].body ==
             "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n");
}

BOOST_AUTO_TEST_CASE(boundary_parameter_forms) {
  BOOST_TEST(boundaryFromContentType("multipart/mixed;boundary=abc") == "abc");
  BOOST_TEST(boundaryFromContentType("Multipart/Related; type=\"a;b\"; BOUNDARY = \"x y\"") ==
             "x y");
  BOOST_CHECK_THROW(boundaryFromContentType("text/plain; boundary=abc"), ContentError);
  BOOST_CHECK_THROW(boundaryFromContentType("multipart/mixed"), ContentError);
  BOOST_CHECK_THROW(boundaryFromContentType("multipart/mixed; boundary=\"\""), ContentError);
  BOOST_CHECK_THROW(boundaryFromContentType("multipart/mixed; boundary=" + std::string(71, 'a')),
                    ContentError);
  BOOST_CHECK_THROW(boundaryFromContentType("multipart/mixed; boundary=\"ends \""), ContentError);
  BOOST_CHECK_THROW(boundaryFromContentType("multipart/mixed; boundary=a<b"), ContentError);
  BOOST_TEST(boundaryFromContentType("multipart/mixed; boundary=" + std::string(70, 'a')).size() ==
             70u);
}

BOOST_AUTO_TEST_CASE(a_line_starting_with_the_boundary_is_content) {
  const std::string body = "--b\r\n\r\n--bb not a delimiter\r\n--b \t\r\n\r\ntwo\r\n--b--";
  const auto parts = parseMultipart(body, "b");
  BOOST_REQUIRE(parts.size() == 2u);
  BOOST_TEST(parts[0].body == "--bb not a delimiter");
  BOOST_TEST(parts[1].body == "two");
}

BOOST_AUTO_TEST_CASE(build_then_parse_round_trips_three_parts) {
  std::vector<MimePart> parts(3);
  parts[0].headers = {{"Content-Type", "text/plain"}};
  parts[0].body = "first\r\n";
  parts[1].headers = {{"Content-Type", "message/cpim"}};
  parts[1].body = "From: <sip:a@example.test>\r\n\r\nContent-Type: text/plain\r\n\r\nhi";
  parts[2].body = "";
  std::mt19937_64 random(7);
  const MultipartBody built = buildMultipart(parts, random);
  BOOST_TEST(boundaryFromContentType(built.contentType) == built.boundary);
  const auto back = parseMultipart(built.body, built.boundary);
  BOOST_REQUIRE(back.size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(back[i].headers == parts[i].headers);
    BOOST_TEST(back[i].body == parts[i].body);
  }
  BOOST_TEST(buildMultipart(parts).boundary != built.boundary);
}

BOOST_AUTO_TEST_CASE(build_refuses_injection_and_empty_input) {
  std::mt19937_64 random(1);
  BOOST_CHECK_THROW(buildMultipart({}, random), ContentError);
  std::vector<MimePart> parts(1);
  parts[0].headers = {{"Content-Type", "text/plain\r\n\r\n--x--"}};
  BOOST_CHECK_THROW(buildMultipart(parts, random), ContentError);
  parts[0].headers = {{"Content Type", "text/plain"}};
  BOOST_CHECK_THROW(buildMultipart(parts, random), ContentError);
}

BOOST_AUTO_TEST_CASE(parses_nested_multipart_within_the_depth_limit) {
  const auto parts = parseMultipart(nested(3), "b1");
  BOOST_REQUIRE(parts.size() == 1u);
  BOOST_REQUIRE(parts[0].parts.size() == 1u);
  BOOST_REQUIRE(parts[0].parts[0].parts.size() == 1u);
  BOOST_TEST(parts[0].parts[0].parts[0].body == "leaf");
  BOOST_TEST(failsWith(nested(4), "b1", "nested too deep"));
}

BOOST_AUTO_TEST_CASE(refuses_malformed_bodies) {
  BOOST_TEST(failsWith("x", "a-boundary-longer-than-the-body", "boundary longer than body"));
  BOOST_TEST(failsWith("--b\r\n\r\npart without end\r\n", "b", "missing close delimiter"));
  BOOST_TEST(failsWith("--b\r\n\r\none\r\n--b\r\n\r\ntwo", "b", "missing close delimiter"));
  BOOST_TEST(failsWith("just a preamble, no delimiter", "b", "no boundary delimiter"));
  BOOST_TEST(failsWith("--b--\r\n", "b", "no body part"));
  BOOST_TEST(failsWith("--b\r\nContent-Type: text/plain\r\n--b--", "b", "unterminated"));
  BOOST_TEST(failsWith("--b\r\nbad header\r\n\r\nx\r\n--b--", "b", "without ':'"));
  BOOST_TEST(failsWith("--b\r\n\r\nx\r\n--b--", "", "boundary length"));
  BOOST_TEST(failsWith("--b\r\n\r\nx\r\n--b--", std::string(71, 'b'), "boundary length"));
}

BOOST_AUTO_TEST_CASE(enforces_part_and_size_limits) {
  std::string body;
  for (int i = 0; i < 17; ++i) body += "--b\r\n\r\npart\r\n";
  body += "--b--\r\n";
  BOOST_TEST(failsWith(body, "b", "too many parts"));
  MultipartLimits limits;
  limits.maxParts = 17;
  BOOST_TEST(parseMultipart(body, "b", limits).size() == 17u);
  limits.maxSize = 10;
  BOOST_TEST(failsWith(body, "b", "too large", limits));
}

BOOST_AUTO_TEST_CASE(bare_lf_only_when_allowed) {
  const std::string body = "--b\n\nhello\n--b--\n";
  BOOST_TEST(failsWith(body, "b", "no boundary delimiter"));
  MultipartLimits limits;
  limits.allowBareLf = true;
  const auto parts = parseMultipart(body, "b", limits);
  BOOST_REQUIRE(parts.size() == 1u);
  BOOST_TEST(parts[0].body == "hello");
}

BOOST_AUTO_TEST_SUITE_END()
