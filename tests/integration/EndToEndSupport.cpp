#include "EndToEndSupport.h"

#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>

#include <thread>

namespace sipbridge::test {

namespace {

/// `env` with the private Kamailio's XCAP root unless the test sets its own.
std::map<std::string, std::string> withXcapRoot(std::map<std::string, std::string> env,
                                                const KamailioInstance& kamailio) {
  env.try_emplace("SIPBRIDGE_XCAP_ROOTS",
                  "http://127.0.0.1:" + std::to_string(kamailio.httpPort()) + "/xcap-root");
  return env;
}

}  // namespace

Stack::Stack(std::map<std::string, std::string> env, bool startBridge)
    : bridge(pg.conninfo(), kamailio.proxy(), withXcapRoot(std::move(env), kamailio)) {
  if (startBridge) bridge.start();
}

std::string Stack::addApp(const std::string& appKey, bool connectHook) {
  // The receiver is plain http on loopback: the application is marked development.
  std::string body = R"({"appKey":")" + appKey + R"(","hookUrl":")" + receiver.url() +
                     R"(","development":true,"connectHook":)" + (connectHook ? "true" : "false") +
                     "}";
  auto created = bridge.admin("POST", "/admin/v1/apps", body);
  if (created.status != 201 && created.status != 200)
    throw std::runtime_error("app not created: " + std::to_string(created.status) + " " +
                             created.body);
  return created.json()->getValue<std::string>("secret");
}

std::string connectBody(const std::string& appKey, const std::string& login,
                        const std::string& password, bool registerRequired) {
  return R"({"appKey":")" + appKey + R"(","sipRegisterRequired":)" +
         (registerRequired ? "true" : "false") + R"(,"sipLogin":")" + login +
         R"(","sipPassword":")" + password + R"(","sipDomain":"example.test"})";
}

std::vector<Poco::JSON::Object::Ptr> pollUntil(const BridgeProcess& bridge,
                                               const std::string& token, std::int64_t& after,
                                               const std::string& type, const std::string& status,
                                               std::chrono::seconds timeout) {
  std::vector<Poco::JSON::Object::Ptr> events;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto result = bridge.get("/api/v1/events?after=" + std::to_string(after) + "&wait=1", token);
    if (result.status != 200) break;
    auto array = result.json()->getArray("events");
    for (std::size_t i = 0; i < array->size(); ++i) {
      auto event = array->getObject(static_cast<unsigned>(i));
      after = event->getValue<std::int64_t>("seq");
      events.push_back(event);
      if (field(event, "type") == type && field(event, "status") == status) return events;
    }
  }
  return events;
}

std::vector<std::string> statuses(const std::vector<Poco::JSON::Object::Ptr>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(field(e, "type") + ":" + field(e, "status"));
  return out;
}

std::string field(const Poco::JSON::Object::Ptr& object, const std::string& name) {
  return object && object->has(name) ? object->get(name).toString() : std::string();
}

std::string errorField(const HttpResult& result) {
  auto json = result.json();
  return json && json->has("error") ? field(json->getObject("error"), "field") : "";
}

Poco::JSON::Object::Ptr last(const std::vector<Poco::JSON::Object::Ptr>& events) {
  return events.empty() ? nullptr : events.back();
}

std::vector<Poco::JSON::Object::Ptr> Client::until(const BridgeProcess& bridge,
                                                   const std::string& type,
                                                   const std::string& status) {
  return pollUntil(bridge, token, after, type, status, std::chrono::seconds(20));
}

Client registeredClient(Stack& s, const std::string& app, const std::string& login) {
  auto r = s.bridge.post("/api/v1/connect", connectBody(app, login, login + "-secret"));
  BOOST_REQUIRE_EQUAL(r.status, 200);
  Client c{field(r.json(), "authToken"), field(r.json(), "sessionId")};
  auto events = c.until(s.bridge, "ConnectionStatusEvent", "ESTABLISHED");
  BOOST_REQUIRE(!events.empty() && field(events.back(), "status") == "ESTABLISHED");
  return c;
}

}  // namespace sipbridge::test
