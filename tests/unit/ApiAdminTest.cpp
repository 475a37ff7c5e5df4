#include "ApiTestFixture.h"

#include <Poco/JSON/Stringifier.h>
#include <Poco/TemporaryFile.h>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

const std::map<std::string, std::string> kAdmin = bearer("admin-secret-token");

Answer admin(const ApiFixture& f, const std::string& method, const std::string& path,
             const std::string& body = {}) {
  return call(f.port, method, path, body, body.empty() ? "" : "application/json", kAdmin);
}

/// A self-signed certificate and its key made with the openssl command line.
struct MadeCertificate {
  std::string certPem;
  std::string keyPem;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

MadeCertificate makeCertificate(const std::string& commonName) {
  Poco::TemporaryFile cert, key;
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" +
      commonName + " -keyout " + key.path() + " -out " + cert.path() + " 2>/dev/null";
  BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0);
  return {slurp(cert.path()), slurp(key.path())};
}

/// A JSON string literal of `text`.
std::string quoted(const std::string& text) {
  std::ostringstream out;
  Poco::JSON::Stringifier::formatString(text, out);
  return out.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiAdmin)

BOOST_AUTO_TEST_CASE(plain_http_hooks_need_the_development_mark_which_is_listed) {
  ApiFixture f;
  auto answer = admin(f, "POST", "/admin/v1/apps",
                      R"({"appKey":"dev","hookUrl":"http://127.0.0.1:9/hooks"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "hookUrl");
  answer = admin(f, "POST", "/admin/v1/apps",
                 R"({"appKey":"dev","hookUrl":"http://127.0.0.1:9/hooks","development":true})");
  BOOST_TEST_REQUIRE(answer.status == 201);
  BOOST_TEST(answer.json()->getValue<bool>("development"));
  answer = admin(f, "GET", "/admin/v1/apps");
  BOOST_TEST(answer.json()->getArray("apps")->getObject(0)->getValue<bool>("development"));
  // Clearing the mark while the URL is http is refused; with an https URL it is accepted.
  answer = admin(f, "PUT", "/admin/v1/apps/dev", R"({"development":false})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "hookUrl");
  answer = admin(f, "PUT", "/admin/v1/apps/dev",
                 R"({"development":false,"hookUrl":"https://127.0.0.1:9/hooks"})");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(!answer.json()->getValue<bool>("development"));
}

BOOST_AUTO_TEST_CASE(a_client_certificate_is_stored_and_only_its_subject_and_fingerprint_shown) {
  ApiFixture f;
  const MadeCertificate made = makeCertificate("shop-client");
  const MadeCertificate other = makeCertificate("someone-else");
  const std::string base = R"({"appKey":"shop","hookUrl":"https://127.0.0.1:9/hooks")";
  auto answer = admin(f, "POST", "/admin/v1/apps",
                      base + R"(,"clientCertificate":)" + quoted(made.certPem) +
                          R"(,"clientKey":)" + quoted(other.keyPem) + "}");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "clientKey");
  answer = admin(f, "POST", "/admin/v1/apps",
                 base + R"(,"clientCertificate":"not a certificate","clientKey":)" +
                     quoted(made.keyPem) + "}");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "clientCertificate");
  answer =
      admin(f, "POST", "/admin/v1/apps", base + R"(,"clientKey":)" + quoted(made.keyPem) + "}");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "clientKey");

  answer = admin(f, "POST", "/admin/v1/apps",
                 base + R"(,"clientCertificate":)" + quoted(made.certPem) + R"(,"clientKey":)" +
                     quoted(made.keyPem) + "}");
  BOOST_TEST_REQUIRE(answer.status == 201);
  BOOST_TEST(f.bridge.apps().find("shop")->clientKey == made.keyPem);
  for (const auto& listed :
       {admin(f, "GET", "/admin/v1/apps"), admin(f, "GET", "/admin/v1/apps/shop")}) {
    BOOST_TEST(listed.status == 200);
    BOOST_TEST(listed.body.find("PRIVATE KEY") == std::string::npos);
    BOOST_TEST(listed.body.find("BEGIN CERTIFICATE") == std::string::npos);
    BOOST_TEST(listed.body.find("CN=shop-client") != std::string::npos, listed.body);
  }
  const auto shown = admin(f, "GET", "/admin/v1/apps/shop").json()->getObject("clientCertificate");
  BOOST_TEST(shown->getValue<std::string>("fingerprint").size() == 32u * 3 - 1);
  BOOST_TEST(!shown->getValue<std::string>("notAfter").empty());

  // A PUT without the members keeps them; null removes both.
  answer = admin(f, "PUT", "/admin/v1/apps/shop", R"({"connectHook":false})");
  BOOST_TEST(f.bridge.apps().find("shop")->clientCertificate == made.certPem);
  answer = admin(f, "PUT", "/admin/v1/apps/shop", R"({"clientCertificate":null})");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.json()->isNull("clientCertificate"));
  BOOST_TEST(f.bridge.apps().find("shop")->clientKey.empty());
}

BOOST_AUTO_TEST_CASE(admin_token_is_required) {
  ApiFixture f;
  BOOST_TEST(call(f.port, "GET", "/admin/v1/apps").status == 401);
  BOOST_TEST(call(f.port, "GET", "/admin/v1/apps", "", "", bearer("admin-secret-tokeN")).status ==
             401);
  BOOST_TEST(
      call(f.port, "GET", "/admin/v1/apps", "", "", bearer("admin-secret-token-longer")).status ==
      401);
  BOOST_TEST(call(f.port, "GET", "/admin/v1/apps", "", "", bearer("tok-1")).status == 401);
  BOOST_TEST(admin(f, "GET", "/admin/v1/apps").status == 200);
}

BOOST_AUTO_TEST_CASE(empty_admin_token_disables_the_admin_api) {
  ApiFixture f(ApiConfig{}, false);
  const auto answer = call(f.port, "GET", "/admin/v1/apps", "", "", bearer(""));
  BOOST_TEST(answer.status == 404);
  BOOST_TEST(call(f.port, "GET", "/admin/v1/apps", "", "", bearer("anything")).status == 404);
}

BOOST_AUTO_TEST_CASE(app_lifecycle) {
  ApiFixture f;
  auto answer = admin(f, "POST", "/admin/v1/apps",
                      R"({"appKey":"demo.app-1","hookUrl":"https://127.0.0.1:9/hooks"})");
  BOOST_TEST_REQUIRE(answer.status == 201);
  const std::string secret = answer.json()->getValue<std::string>("secret");
  BOOST_TEST(secret.rfind("whsec_", 0) == 0);
  BOOST_TEST(secret.size() == 6 + 32);  // base64 of 24 bytes
  BOOST_TEST(answer.json()->getValue<bool>("connectHook") == true);

  answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"demo.app-1"})");
  BOOST_TEST(answer.status == 409);
  BOOST_TEST(answer.errorField() == "appKey");

  answer = admin(f, "GET", "/admin/v1/apps");
  BOOST_TEST(answer.status == 200);
  const auto apps = answer.json()->getArray("apps");
  BOOST_TEST_REQUIRE(apps->size() == 1u);
  BOOST_TEST(!apps->getObject(0)->has("secret"));
  BOOST_TEST(answer.body.find(secret) == std::string::npos);

  answer = admin(f, "GET", "/admin/v1/apps/demo.app-1");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.json()->getValue<std::string>("hookUrl") == "https://127.0.0.1:9/hooks");
  BOOST_TEST(!answer.json()->has("secret"));

  answer = admin(f, "PUT", "/admin/v1/apps/demo.app-1", R"({"connectHook":false})");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.json()->getValue<bool>("connectHook") == false);
  BOOST_TEST(!answer.json()->has("secret"));
  BOOST_TEST(f.bridge.apps().find("demo.app-1")->secret == secret);  // kept

  answer = admin(f, "PUT", "/admin/v1/apps/other", R"({"hookUrl":"https://127.0.0.1:9/x"})");
  BOOST_TEST(answer.status == 201);
  BOOST_TEST(answer.json()->getValue<std::string>("secret").rfind("whsec_", 0) == 0);

  BOOST_TEST(admin(f, "DELETE", "/admin/v1/apps/demo.app-1").status == 204);
  answer = admin(f, "DELETE", "/admin/v1/apps/demo.app-1");
  BOOST_TEST(answer.status == 404);
  BOOST_TEST(admin(f, "GET", "/admin/v1/apps/demo.app-1").status == 404);
}

BOOST_AUTO_TEST_CASE(app_input_is_validated) {
  ApiFixture f;
  auto answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"bad key"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "appKey");
  answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":")" + std::string(65, 'a') + "\"}");
  BOOST_TEST(answer.status == 400);
  answer = admin(f, "POST", "/admin/v1/apps",
                 R"({"appKey":"a","hookUrl":"http://forbidden.example.test/"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "hookUrl");
  BOOST_TEST(answer.body.find("not allowed by policy") != std::string::npos);
  answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"a","secret":"plain"})");
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.errorField() == "secret");
  answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"a","connectHook":"yes"})");
  BOOST_TEST(answer.errorField() == "connectHook");
  answer = admin(f, "POST", "/admin/v1/apps", R"({"appKey":"a","colour":"red"})");
  BOOST_TEST(answer.errorField() == "colour");
  answer = admin(f, "PUT", "/admin/v1/apps/a", R"({"appKey":"b"})");
  BOOST_TEST(answer.errorField() == "appKey");
  BOOST_TEST(admin(f, "GET", "/admin/v1/apps/bad%20key").status == 400);
  answer = call(f.port, "POST", "/admin/v1/apps", R"({"appKey":"a"})", "text/plain", kAdmin);
  BOOST_TEST(answer.status == 415);
}

BOOST_AUTO_TEST_CASE(sessions_are_listed_and_terminated) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  auto answer = admin(f, "GET", "/admin/v1/sessions?appKey=demo&active=true&limit=5");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(f.bridge.lastListArgs == "demo|active|5");
  BOOST_TEST(answer.json()->getArray("sessions")->getObject(0)->getValue<std::string>("created") ==
             "2023-11-14T22:13:20.000Z");
  BOOST_TEST(admin(f, "GET", "/admin/v1/sessions?active=maybe").errorField() == "active");

  answer = admin(f, "DELETE", "/admin/v1/sessions/" + sessionId);
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(call(f.port, "POST", "/api/v1/disconnect", "", "", bearer(token)).status == 401);
  answer = admin(f, "DELETE", "/admin/v1/sessions/" + sessionId);
  BOOST_TEST(answer.status == 404);
}

BOOST_AUTO_TEST_CASE(data_is_sent_to_a_session) {
  ApiFixture f;
  const auto [sessionId, token] = f.connect();
  const std::string path = "/admin/v1/sessions/" + sessionId + "/data";
  auto answer = admin(f, "POST", path, R"({"operationId":"op-7","payload":{"a":1}})");
  BOOST_TEST(answer.status == 202);
  BOOST_TEST(answer.json()->getValue<std::string>("operationId") == "op-7");
  BOOST_REQUIRE(f.bridge.dataCalls.size() == 1u);
  BOOST_TEST(f.bridge.dataCalls[0].first == sessionId);
  BOOST_TEST(f.bridge.dataCalls[0].second.find(R"("payload":{"a":1})") != std::string::npos);

  answer = admin(f, "POST", "/admin/v1/sessions/nobody/data", R"({"payload":1})");
  BOOST_TEST(answer.status == 404);
  BOOST_TEST(answer.errorField() == "sessionId");
  BOOST_TEST(admin(f, "POST", path, "[1]").status == 400);
  BOOST_TEST(call(f.port, "POST", path, R"({"payload":1})", "application/json").status == 401);
  BOOST_TEST(f.bridge.dataCalls.size() == 1u);
}

BOOST_AUTO_TEST_CASE(events_query_maps_every_filter) {
  ApiFixture f;
  auto answer = admin(f, "GET",
                      "/admin/v1/events?appKey=demo&sessionId=sess-1&type=MessageStatusEvent"
                      "&status=ACCEPTED&messageId=m1&from=2024-01-31T12:00:00Z&to=1706702400500"
                      "&cursor=7&limit=10");
  BOOST_TEST_REQUIRE(answer.status == 200);
  const auto& filter = f.bridge.lastEventFilter;
  BOOST_TEST(*filter.appKey == "demo");
  BOOST_TEST(*filter.sessionId == "sess-1");
  BOOST_TEST(*filter.type == "MessageStatusEvent");
  BOOST_TEST(*filter.status == "ACCEPTED");
  BOOST_TEST(*filter.messageId == "m1");
  BOOST_TEST(*filter.fromMs == 1706702400000);
  BOOST_TEST(*filter.toMs == 1706702400500);
  BOOST_TEST(filter.afterEventRow == 7);
  BOOST_TEST(filter.limit == 10);
  const auto json = answer.json();
  BOOST_TEST(json->getValue<int>("nextCursor") == 42);
  BOOST_TEST(json->getArray("events")->getObject(0)->getValue<std::string>("type") ==
             "MessageStatusEvent");

  answer = admin(f, "GET", "/admin/v1/events?from=2024-01-31T12:00:00.250%2B01:00");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(*f.bridge.lastEventFilter.fromMs == 1706698800250);
  BOOST_TEST(admin(f, "GET", "/admin/v1/events?from=yesterday").errorField() == "from");
  BOOST_TEST(admin(f, "GET", "/admin/v1/events?limit=0").errorField() == "limit");
  BOOST_TEST(admin(f, "GET", "/admin/v1/events?cursor=-3").errorField() == "cursor");
}

BOOST_AUTO_TEST_CASE(deliveries_are_listed_and_replayed) {
  ApiFixture f;
  auto answer = admin(f, "GET", "/admin/v1/deliveries?appKey=demo&state=dead&eventId=ev-1");
  BOOST_TEST_REQUIRE(answer.status == 200);
  BOOST_TEST(*f.bridge.deliveries_.lastFilter.state == "dead");
  BOOST_TEST(*f.bridge.deliveries_.lastFilter.eventId == "ev-1");
  const auto item = answer.json()->getArray("deliveries")->getObject(0);
  BOOST_TEST(item->getValue<int>("attempts") == 12);
  BOOST_TEST(item->getValue<std::string>("state") == "dead");
  BOOST_TEST(admin(f, "GET", "/admin/v1/deliveries?state=lost").errorField() == "state");

  answer = admin(f, "POST", "/admin/v1/deliveries/replay", R"({"appKey":"demo","state":"dead"})");
  BOOST_TEST(answer.status == 200);
  BOOST_TEST(answer.json()->getValue<int>("replayed") == 3);
  BOOST_TEST(*f.bridge.deliveries_.lastFilter.appKey == "demo");
  answer = admin(f, "POST", "/admin/v1/deliveries/replay", R"({"state":"delivered"})");
  BOOST_TEST(answer.errorField() == "state");
  answer = admin(f, "POST", "/admin/v1/deliveries/replay", R"({"limit":"ten"})");
  BOOST_TEST(answer.errorField() == "limit");
}

BOOST_AUTO_TEST_SUITE_END()
