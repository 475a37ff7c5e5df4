#include "sipbridge/core/Errors.h"
#include "sipbridge/tls/TlsClient.h"
#include "sipbridge/xcap/HttpXcapClient.h"
#include "sipbridge/xcap/XcapUrlPolicy.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using sipbridge::core::DomainError;
using sipbridge::xcap::XcapUrlPolicy;

namespace {

const std::string kRoot = "http://127.0.0.1:5061/xcap-root";
const std::string kDoc = kRoot + "/resource-lists/users/sip:alice@example.test/index";

XcapUrlPolicy policy() {
  return XcapUrlPolicy({kRoot, "http://127.0.0.1:8080/other/xcap/"});
}

/// The refusal's message, or "" when `url` is accepted; checks status and field.
std::string refusal(const std::string& url) {
  try {
    policy().check(url);
  } catch (const DomainError& e) {
    BOOST_TEST((e.kind() == DomainError::Kind::InvalidField));
    BOOST_TEST(e.field() == "url");
    return e.message();
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(XcapUrlPolicyTest)

BOOST_AUTO_TEST_CASE(accepts_documents_and_node_selectors_under_a_root) {
  for (const std::string& url : std::vector<std::string>{
           kDoc, kRoot + "/pres-rules/users/sip:alice@example.test/index",
           kRoot + "/resource-lists/users/sip:alice@example.test/",
           kRoot + "/xcap-caps/global/index",
           kRoot + "/resource-lists/users/sip%3Aalice%40example.test/index",
           kDoc + "/~~/resource-lists/list%5B@name=%22friends%22%5D",
           kDoc + "/~~/resource-lists/list%5b@name=%22friends%22%5d/entry%5b@uri=%22sip:bob@"
                  "example.test%22%5d",
           kDoc + "/~~/rl:resource-lists/rl:list?xmlns(rl=urn:ietf:params:xml:ns:resource-lists)",
           "HTTP://127.0.0.1:5061/xcap-root/x/users/sip:a@b/index",
           "http://127.0.0.1:8080/other/xcap/pidf-manipulation/users/sip:bob@example.test/index"})
    BOOST_TEST(refusal(url).empty(), url << ": " << refusal(url));
}

BOOST_AUTO_TEST_CASE(returns_the_target_as_written) {
  const auto target = policy().check(kDoc + "/~~/resource-lists/list%5B@name=%22a%20b%22%5D");
  BOOST_TEST(target.host == "127.0.0.1");
  BOOST_TEST(target.port == 5061);
  BOOST_TEST(target.requestUri ==
             "/xcap-root/resource-lists/users/sip:alice@example.test/index/~~/resource-lists/"
             "list%5B@name=%22a%20b%22%5D");
}

BOOST_AUTO_TEST_CASE(refuses_dot_segments_plain_and_encoded) {
  for (const std::string suffix :
       {"/resource-lists/../pres-rules/users/sip:alice@example.test/index",
        "/resource-lists/users/sip:alice@example.test/%2e%2e/sip:bob@example.test/index",
        "/resource-lists/users/sip:alice@example.test/%2E%2E", "/resource-lists/users/./index",
        "/resource-lists/users/%2e/index", "/resource-lists/users/.%2e/index", "/..", "/../"})
    BOOST_TEST(!refusal(kRoot + suffix).empty(), suffix);
  BOOST_TEST(refusal(kRoot + "/a/../b").find("\"..\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_dot_segments_hidden_by_parameters_case_spaces_or_double_encoding) {
  // Servlet containers drop ";..." before resolving dot segments, Windows servers trim
  // trailing dots and spaces, some servers decode twice: each reads these as "." or "..".
  for (const std::string suffix :
       {"/resource-lists/users/sip:alice@example.test/..;/sip:bob@example.test/index",
        "/resource-lists/users/sip:alice@example.test/..;x=1/sip:bob@example.test/index",
        "/resource-lists/users/%2e%2e;/index",
        "/resource-lists/users/%2E%2e;/index",
        "/resource-lists/users/.%2E;jsessionid=1/index",
        "/resource-lists/users/.;/index",
        "/resource-lists/users/%2e;/index",
        "/resource-lists/users/..%3b/index",
        "/resource-lists/users/%2e%2e%3B/index",
        "/resource-lists/users/...;/index",
        "/resource-lists/users/..%20/index",
        "/resource-lists/users/.%20./index",
        "/resource-lists/users/%252e%252e/index",
        "/resource-lists/users/%252E./index",
        "/resource-lists/users/a%252fb/index",
        "/resource-lists/users/a%255cb/index",
        "/resource-lists/users/;/index",
        "/resource-lists/users/;x/index",
        "/..;",
        "/.;/"})
    BOOST_TEST(!refusal(kRoot + suffix).empty(), suffix);
  BOOST_TEST(refusal(kRoot + "/a/..;/b").find("\"..\"") != std::string::npos);
  // Parameters on a real name, and dots inside a name, are fine.
  for (const std::string suffix :
       {"/resource-lists/users/sip:alice@example.test;transport=tcp/index",
        "/resource-lists/users/sip:alice@example.test/index.xml",
        "/resource-lists/users/sip:alice@example.test/..index", "/resource-lists/users/a..b/"})
    BOOST_TEST(refusal(kRoot + suffix).empty(), suffix << ": " << refusal(kRoot + suffix));
}

BOOST_AUTO_TEST_CASE(refuses_encoded_slash_and_backslash) {
  BOOST_TEST(
      refusal(kRoot + "/resource-lists/users/sip:alice@example.test%2F..%2Fx/index").find("'/'") !=
      std::string::npos);
  BOOST_TEST(!refusal(kRoot + "/resource-lists/users/a%2fb/index").empty());
  BOOST_TEST(!refusal(kRoot + "/resource-lists/users/a%5Cb/index").empty());
  BOOST_TEST(!refusal(kRoot + "/resource-lists/users/a\\b/index").empty());
}

BOOST_AUTO_TEST_CASE(refuses_control_characters_and_raw_specials) {
  for (const std::string& suffix :
       {std::string("/resource-lists/users/a%00b/index"), std::string("/resource-lists/a%0d%0aX"),
        std::string("/resource-lists/a%7Fb"), std::string("/resource-lists/a\r\nHost: x"),
        std::string("/resource-lists/a\tb"), std::string("/resource-lists/a b"),
        std::string("/resource-lists/a\0b", 19), std::string("/resource-lists/\"q\""),
        std::string("/resource-lists/list[1]"), std::string("/resource-lists/a%zz"),
        std::string("/resource-lists/a%2"), std::string("/resource-lists/caf\xc3\xa9"),
        std::string("/resource-lists/a<b>"), std::string("/resource-lists/a{b}")})
    BOOST_TEST(!refusal(kRoot + suffix).empty(), suffix);
}

BOOST_AUTO_TEST_CASE(refuses_empty_segments_except_a_trailing_slash) {
  BOOST_TEST(!refusal(kRoot + "//resource-lists/index").empty());
  BOOST_TEST(!refusal(kRoot + "/resource-lists//index").empty());
  BOOST_TEST(refusal(kRoot + "/resource-lists/users/").empty());
}

BOOST_AUTO_TEST_CASE(refuses_other_roots_hosts_and_ports) {
  for (const std::string& url :
       {std::string("http://127.0.0.1:5062/xcap-root/resource-lists/index"),
        std::string("http://127.0.0.2:5061/xcap-root/resource-lists/index"),
        std::string("http://localhost:5061/xcap-root/resource-lists/index"),
        std::string("http://127.0.0.1/xcap-root/resource-lists/index"),
        std::string("http://127.0.0.1:5061/xcap-rootx/resource-lists/index"),
        std::string("http://127.0.0.1:5061/other/xcap/resource-lists/index"),
        std::string("http://127.0.0.1:5061/xcap-root"),
        std::string("http://127.0.0.1:5061/xcap-root/"), std::string("http://127.0.0.1:5061/"),
        std::string("http://127.0.0.1:5061"),
        std::string("http://127.0.0.1:8080/xcap-root/resource-lists/index"),
        std::string("/xcap-root/resource-lists/index"), std::string("")})
    BOOST_TEST(!refusal(url).empty(), url);
  BOOST_TEST(refusal("http://127.0.0.1:9/xcap-root/a").find("host and port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepts_https_roots_and_keeps_schemes_apart) {
  const XcapUrlPolicy secure({"https://xcap.example.test/xcap-root"});
  const auto target = secure.check("https://xcap.example.test/xcap-root/resource-lists/index");
  BOOST_TEST(target.scheme == "https");
  BOOST_TEST(target.host == "xcap.example.test");
  BOOST_TEST(target.port == 443);
  BOOST_CHECK_THROW(secure.check("http://xcap.example.test:443/xcap-root/resource-lists/index"),
                    DomainError);
  BOOST_TEST(policy().check(kDoc).scheme == "http");
}

BOOST_AUTO_TEST_CASE(refuses_another_scheme_than_the_roots) {
  BOOST_TEST(refusal("https://127.0.0.1:5061/xcap-root/resource-lists/index").find("scheme") !=
             std::string::npos);
  BOOST_TEST(!refusal("ftp://127.0.0.1:5061/xcap-root/resource-lists/index").empty());
  BOOST_TEST(!refusal("file:///xcap-root/resource-lists/index").empty());
}

BOOST_AUTO_TEST_CASE(refuses_userinfo_fragment_and_queries) {
  BOOST_TEST(refusal("http://alice:pw@127.0.0.1:5061/xcap-root/a/index").find("user") !=
             std::string::npos);
  BOOST_TEST(!refusal("http://alice@127.0.0.1:5061/xcap-root/a/index").empty());
  BOOST_TEST(!refusal("http://evil@127.0.0.1:5061@127.0.0.1:5061/xcap-root/a/index").empty());
  BOOST_TEST(!refusal(kDoc + "#frag").empty());
  BOOST_TEST(!refusal(kDoc + "#").empty());
  BOOST_TEST(refusal(kDoc + "?x=1").find("query") != std::string::npos);
  BOOST_TEST(!refusal(kDoc + "?").empty());
  BOOST_TEST(!refusal(kDoc + "/~~/a?x=1").empty());
  BOOST_TEST(!refusal(kDoc + "/~~/a?xmlns(rl=urn:x)junk").empty());
  BOOST_TEST(!refusal(kDoc + "/~~/a?xmlns(=urn:x)").empty());
  BOOST_TEST(!refusal(kDoc + "/~~/a?xmlns(rl=urn:x%0a)").empty());
  BOOST_TEST(refusal(kDoc + "/~~/a:b?xmlns(a=urn:x)xmlns(b=urn:y)").empty());
}

BOOST_AUTO_TEST_CASE(bad_roots_are_refused_at_construction) {
  BOOST_CHECK_THROW(XcapUrlPolicy({"ftp://127.0.0.1:5061/xcap-root"}),
                    Poco::InvalidArgumentException);
  BOOST_CHECK_THROW(XcapUrlPolicy({"http://u:p@127.0.0.1:5061/xcap-root"}),
                    Poco::InvalidArgumentException);
  BOOST_CHECK_THROW(XcapUrlPolicy({"http://127.0.0.1:5061/xcap-root?a"}),
                    Poco::InvalidArgumentException);
  BOOST_CHECK_THROW(XcapUrlPolicy({"/xcap-root"}), Poco::InvalidArgumentException);
}

BOOST_AUTO_TEST_CASE(client_check_url_uses_the_configured_roots) {
  sipbridge::xcap::XcapConfig config;
  config.roots = {kRoot};
  config.workers = 1;
  sipbridge::tls::TlsClient tls({});
  sipbridge::xcap::HttpXcapClient client(config, tls);
  BOOST_CHECK_NO_THROW(client.checkUrl(kDoc));
  BOOST_CHECK_THROW(client.checkUrl(kRoot + "/a/%2e%2e/b"), DomainError);
  sipbridge::xcap::HttpXcapClient none(sipbridge::xcap::XcapConfig{}, tls);
  BOOST_CHECK_THROW(none.checkUrl(kDoc), DomainError);
}

BOOST_AUTO_TEST_SUITE_END()
