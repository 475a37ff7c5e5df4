#include <boost/test/unit_test.hpp>

#include "../support/Kamailio.h"
#include "../support/TestCertificates.h"
#include "../support/TestEnv.h"
#include "sipbridge/core/Errors.h"
#include "sipbridge/xcap/HttpXcapClient.h"

#include <chrono>
#include <future>
#include <memory>
#include <string>

using namespace std::chrono_literals;
using sipbridge::core::XcapRequest;
using sipbridge::core::XcapResponse;
using sipbridge::xcap::HttpXcapClient;

namespace {

/// One PostgreSQL and Kamailio (with xcap_server, over http and over https with a certificate
/// of a CA made for the suite) for the whole suite, started on first use.
struct XcapServers {
  sipbridge::test::TestCa ca;
  sipbridge::test::IssuedCertificate cert = ca.server("kamailio", {"IP:127.0.0.1"});
  sipbridge::test::PgInstance pg;
  sipbridge::test::KamailioInstance kamailio{
      pg, sipbridge::test::KamailioTls{cert.certFile, cert.keyFile}};
};

XcapServers& servers() {
  static XcapServers shared;
  return shared;
}

std::string root() {
  return "http://127.0.0.1:" + std::to_string(servers().kamailio.httpPort()) + "/xcap-root";
}

std::string documentUrl(const std::string& auid, const std::string& user) {
  return root() + "/" + auid + "/users/sip:" + user + "@example.test/index";
}

HttpXcapClient& client() {
  static HttpXcapClient shared(
      [] {
        sipbridge::xcap::XcapConfig config;
        config.roots = {root()};
        config.timeoutSeconds = 5;
        config.workers = 2;
        return config;
      }(),
      sipbridge::test::systemTls());
  return shared;
}

XcapRequest request(const std::string& method, const std::string& url,
                    const std::string& user = "alice") {
  XcapRequest r;
  r.method = method;
  r.url = url;
  r.user = user;
  r.password = user + "-secret";
  return r;
}

XcapResponse run(HttpXcapClient& through, XcapRequest r) {
  auto promise = std::make_shared<std::promise<XcapResponse>>();
  auto future = promise->get_future();
  through.execute(std::move(r),
                  [promise](XcapResponse response) { promise->set_value(std::move(response)); });
  BOOST_REQUIRE(future.wait_for(15s) == std::future_status::ready);
  return future.get();
}

XcapResponse run(XcapRequest r) {
  return run(client(), std::move(r));
}

const std::string kResourceLists =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">\n"
    "  <list name=\"friends\"><entry uri=\"sip:bob@example.test\"/></list>\n"
    "</resource-lists>\n";

const std::string kPresRules =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<cr:ruleset xmlns=\"urn:ietf:params:xml:ns:pres-rules\"\n"
    "    xmlns:cr=\"urn:ietf:params:xml:ns:common-policy\">\n"
    "  <cr:rule id=\"allow-alice\">\n"
    "    <cr:conditions><cr:identity><cr:one id=\"sip:alice@example.test\"/></cr:identity>"
    "</cr:conditions>\n"
    "    <cr:actions><sub-handling>allow</sub-handling></cr:actions>\n"
    "    <cr:transformations/>\n"
    "  </cr:rule>\n"
    "</cr:ruleset>\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(XcapKamailio)

BOOST_AUTO_TEST_CASE(resource_lists_put_get_conditional_put_delete) {
  const std::string url = documentUrl("resource-lists", "alice");

  XcapRequest put = request("PUT", url);
  put.body = kResourceLists;
  put.contentType = "application/resource-lists+xml";
  put.ifNoneMatch = "*";
  const XcapResponse created = run(put);
  BOOST_TEST((created.status == 200 || created.status == 201), created.status << created.error);
  BOOST_TEST(!created.etag.empty());

  const XcapResponse got = run(request("GET", url));
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.body == kResourceLists);
  BOOST_TEST(got.etag == created.etag);
  BOOST_TEST(got.contentType == "application/resource-lists+xml");

  XcapRequest unchanged = request("GET", url);
  unchanged.ifNoneMatch = got.etag;
  BOOST_TEST(run(unchanged).status == 304);

  XcapRequest stale = put;
  stale.ifNoneMatch.clear();
  stale.ifMatch = "\"not-the-etag\"";
  const XcapResponse refused = run(stale);
  BOOST_TEST(refused.status == 412);

  XcapRequest update = put;
  update.ifNoneMatch.clear();
  update.ifMatch = got.etag;
  update.body = kResourceLists.substr(0, kResourceLists.find("</resource-lists>")) +
                "  <list name=\"work\"/>\n</resource-lists>\n";
  const XcapResponse updated = run(update);
  BOOST_TEST(updated.status == 200);
  BOOST_TEST(!updated.etag.empty());
  BOOST_TEST(updated.etag != got.etag);
  BOOST_TEST(run(request("GET", url)).body == update.body);

  const XcapResponse element =
      run(request("GET", url + "/~~/resource-lists/list%5b@name=%22friends%22%5d"));
  BOOST_TEST(element.status == 200);
  BOOST_TEST(element.body == "<list name=\"friends\"><entry uri=\"sip:bob@example.test\"/></list>");

  XcapRequest staleDelete = request("DELETE", url);
  staleDelete.ifMatch = got.etag;
  BOOST_TEST(run(staleDelete).status == 412);

  XcapRequest remove = request("DELETE", url);
  remove.ifMatch = updated.etag;
  BOOST_TEST(run(remove).status == 200);
  const XcapResponse gone = run(request("GET", url));
  BOOST_TEST(gone.status == 404);
  BOOST_TEST(gone.etag.empty());
}

BOOST_AUTO_TEST_CASE(pres_rules_put_and_get) {
  const std::string url = documentUrl("pres-rules", "bob");
  XcapRequest put = request("PUT", url, "bob");
  put.body = kPresRules;
  put.contentType = "application/auth-policy+xml";
  const XcapResponse stored = run(put);
  BOOST_TEST((stored.status == 200 || stored.status == 201), stored.status << stored.error);
  BOOST_TEST(!stored.etag.empty());
  const XcapResponse got = run(request("GET", url, "bob"));
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.body == kPresRules);
  BOOST_TEST(got.etag == stored.etag);
}

BOOST_AUTO_TEST_CASE(wrong_password_is_401_and_another_users_document_403) {
  XcapRequest wrong = request("GET", documentUrl("resource-lists", "alice"));
  wrong.password = "not-alice-secret";
  const XcapResponse refused = run(wrong);
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(refused.error.find("refused the credentials") != std::string::npos);

  XcapRequest anonymous = request("GET", documentUrl("resource-lists", "alice"));
  anonymous.user.clear();
  anonymous.password.clear();
  BOOST_TEST(run(anonymous).status == 401);

  BOOST_TEST(run(request("GET", documentUrl("pres-rules", "bob"), "alice")).status == 403);
}

BOOST_AUTO_TEST_CASE(urls_outside_the_root_never_reach_the_server) {
  const std::string escape = root() +
                             "/resource-lists/users/sip:alice@example.test/%2e%2e/"
                             "%2e%2e/%2e%2e/other";
  BOOST_CHECK_THROW(run(request("GET", escape)), sipbridge::core::DomainError);
  const std::string otherPort = "http://127.0.0.1:" + std::to_string(servers().kamailio.sipPort()) +
                                "/xcap-root/resource-lists/users/sip:alice@example.test/index";
  BOOST_CHECK_THROW(client().checkUrl(otherPort), sipbridge::core::DomainError);
}

BOOST_AUTO_TEST_CASE(xcap_over_https_with_the_servers_certificate_verified) {
  sipbridge::tls::TlsConfig trust;
  trust.caFile = servers().ca.caFile();
  sipbridge::tls::TlsClient tls(trust);
  const std::string secureRoot =
      "https://127.0.0.1:" + std::to_string(servers().kamailio.tlsPort()) + "/xcap-root";
  sipbridge::xcap::XcapConfig config;
  config.roots = {secureRoot};
  config.timeoutSeconds = 5;
  config.workers = 1;
  HttpXcapClient secure(config, tls);
  const std::string url = secureRoot + "/resource-lists/users/sip:carol@example.test/index";

  XcapRequest put = request("PUT", url, "carol");
  put.body = kResourceLists;
  put.contentType = "application/resource-lists+xml";
  const XcapResponse stored = run(secure, put);
  BOOST_TEST((stored.status == 200 || stored.status == 201), stored.status << stored.error);
  const XcapResponse got = run(secure, request("GET", url, "carol"));
  BOOST_TEST(got.status == 200, got.error);
  BOOST_TEST(got.body == kResourceLists);
  BOOST_TEST(got.etag == stored.etag);

  // The same server is not trusted by a client that only has the system CA store.
  HttpXcapClient untrusting(config, sipbridge::test::systemTls());
  const XcapResponse refused = run(untrusting, request("GET", url, "carol"));
  BOOST_TEST(refused.status == 0);
  BOOST_TEST(refused.error.find("unable to get local issuer certificate") != std::string::npos,
             refused.error);
}

BOOST_AUTO_TEST_SUITE_END()
