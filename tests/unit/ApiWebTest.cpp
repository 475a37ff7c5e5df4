#include "ApiTestFixture.h"

#include <Poco/JSON/Array.h>

#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

/// The quoted names of `export const <name> = Object.freeze([...])` in the module.
std::set<std::string> exportedList(const std::string& module, const std::string& name) {
  std::smatch list;
  const std::regex declaration("export const " + name + R"( = Object\.freeze\(\[([^\]]*)\]\))");
  BOOST_TEST_REQUIRE(std::regex_search(module, list, declaration), name);
  std::set<std::string> out;
  const std::string items = list[1];
  const std::regex quoted("'([A-Za-z]+)'");
  for (auto it = std::sregex_iterator(items.begin(), items.end(), quoted);
       it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiWeb)

BOOST_AUTO_TEST_CASE(the_javascript_client_knows_every_method_and_event_type) {
  ApiFixture f;
  const auto module = call(f.port, "GET", "/sdk/sipbridge.js");
  BOOST_TEST_REQUIRE(module.status == 200);
  BOOST_TEST(module.response.getContentType().find("text/javascript") == 0);
  BOOST_TEST(module.response.get("Cache-Control") == "no-cache");
  BOOST_TEST(module.body.find("export class SipBridgeClient") != std::string::npos);

  std::set<std::string> methods;
  for (const auto& name : f.api->methods().names()) methods.insert(name);
  BOOST_TEST((exportedList(module.body, "METHODS") == methods));

  const auto openApi = call(f.port, "GET", "/api/v1/openapi.json").json();
  std::set<std::string> types;
  for (const auto& type : *openApi->getObject("components")
                               ->getObject("schemas")
                               ->getObject("Event")
                               ->getObject("properties")
                               ->getObject("type")
                               ->getArray("enum"))
    types.insert(type.toString());
  BOOST_TEST((exportedList(module.body, "EVENT_TYPES") == types));
}

BOOST_AUTO_TEST_CASE(the_demo_page_and_its_files_are_served_and_nothing_else) {
  ApiFixture f;
  const auto page = call(f.port, "GET", "/demo/");
  BOOST_TEST_REQUIRE(page.status == 200);
  BOOST_TEST(page.response.getContentType().find("text/html") == 0);
  BOOST_TEST(page.response.get("Content-Security-Policy").find("default-src 'none'") == 0);
  BOOST_TEST(page.body.find("/demo/demo.js") != std::string::npos);
  BOOST_TEST(page.body.find("/demo/demo.css") != std::string::npos);
  BOOST_TEST(page.body.find("http") == std::string::npos);  // nothing from elsewhere

  const auto script = call(f.port, "GET", "/demo/demo.js");
  BOOST_TEST(script.status == 200);
  BOOST_TEST(script.response.getContentType().find("text/javascript") == 0);
  BOOST_TEST(script.body.find("from '/sdk/sipbridge.js'") != std::string::npos);
  const auto style = call(f.port, "GET", "/demo/demo.css");
  BOOST_TEST(style.status == 200);
  BOOST_TEST(style.response.getContentType().find("text/css") == 0);
  BOOST_TEST(style.body.find("url(") == std::string::npos);

  for (const char* path :
       {"/demo/sipbridge.js", "/demo/demo.html", "/demo/..%2Fasyncapi.json", "/sdk/demo.js"}) {
    const auto missing = call(f.port, "GET", path);
    BOOST_TEST(missing.status == 404, path);
    BOOST_TEST(missing.errorCode() == "not_found", path);
  }
  const auto redirect = call(f.port, "GET", "/demo");
  BOOST_TEST(redirect.status == 301);
  BOOST_TEST(redirect.response.get("Location") == "/demo/");
}

BOOST_AUTO_TEST_SUITE_END()
