#include "ApiTestFixture.h"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <set>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

using namespace sipbridge::api;
using namespace sipbridge::api::test;

namespace {

Poco::JSON::Object::Ptr fetchDocument(const ApiFixture& f) {
  const auto answer = call(f.port, "GET", "/api/v1/openapi.json");
  BOOST_TEST_REQUIRE(answer.status == 200);
  return answer.json();  // throws when the document is not valid JSON
}

/// The value a local reference ("#/components/schemas/X") names in `doc`; null when none.
Poco::Dynamic::Var pointee(const Poco::JSON::Object::Ptr& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return {};
  Poco::Dynamic::Var at = doc;
  for (const auto& name : Poco::StringTokenizer(ref.substr(2), "/")) {
    if (at.type() != typeid(Poco::JSON::Object::Ptr)) return {};
    const auto object = at.extract<Poco::JSON::Object::Ptr>();
    if (!object->has(name)) return {};
    at = object->get(name);
  }
  return at;
}

/// `object`, or the object its `$ref` names when it is a reference.
Poco::JSON::Object::Ptr resolved(const Poco::JSON::Object::Ptr& doc,
                                 const Poco::JSON::Object::Ptr& object) {
  if (!object || !object->has("$ref")) return object;
  return pointee(doc, object->getValue<std::string>("$ref")).extract<Poco::JSON::Object::Ptr>();
}

/// Every `$ref` value below `value`, with where it stands.
void collectRefs(const Poco::Dynamic::Var& value, const std::string& at,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    for (const auto& [name, member] : *value.extract<Poco::JSON::Object::Ptr>()) {
      if (name == "$ref" && member.isString()) out.emplace_back(at, member.toString());
      collectRefs(member, at + "/" + name, out);
    }
  } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto array = value.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < array->size(); ++i)
      collectRefs(array->get(i), at + "/" + std::to_string(i), out);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ApiOpenApi)

BOOST_AUTO_TEST_CASE(every_route_the_server_answers_is_documented) {
  ApiFixture f;
  const auto doc = fetchDocument(f);
  BOOST_TEST(doc->getValue<std::string>("openapi") == "3.0.3");
  const auto paths = doc->getObject("paths");
  const auto routes = f.api->routes();
  BOOST_TEST(routes.size() >= 30u);
  std::set<std::string> served;
  for (const auto& route : routes) {
    served.insert(route.method + " " + route.path);
    BOOST_TEST_CONTEXT(route.method << " " << route.path) {
      BOOST_TEST_REQUIRE(paths->has(route.path));
      BOOST_TEST(paths->getObject(route.path)->has(Poco::toLower(route.method)));
    }
  }
  // And every documented operation is one the server answers, a method under its own name.
  const std::set<std::string> httpMethods = {"get", "put", "post", "delete", "patch"};
  for (const auto& [path, item] : *paths) {
    for (const auto& [method, operation] : *item.extract<Poco::JSON::Object::Ptr>()) {
      if (!httpMethods.count(method)) continue;
      const std::string route = Poco::toUpper(method) + " " + path;
      BOOST_TEST(served.count(route) == 1u, route);
      if (path.rfind("/api/v1/", 0) == 0 && f.api->methods().find(path.substr(8)))
        BOOST_TEST(operation.extract<Poco::JSON::Object::Ptr>()->getValue<std::string>(
                       "operationId") == path.substr(8),
                   route);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_reference_in_the_document_names_a_part_of_it) {
  ApiFixture f;
  const auto doc = fetchDocument(f);
  std::vector<std::pair<std::string, std::string>> refs;
  collectRefs(doc, "", refs);
  BOOST_TEST(refs.size() >= 100u);
  for (const auto& [at, ref] : refs) BOOST_TEST(!pointee(doc, ref).isEmpty(), at << ": " << ref);
}

BOOST_AUTO_TEST_CASE(unbuilt_methods_are_listed_with_501_and_extensions_marked) {
  ApiFixture f;
  const auto paths = fetchDocument(f)->getObject("paths");
  for (const auto& name : f.api->methods().names()) {
    const auto op = paths->getObject("/api/v1/" + name)->getObject("post");
    BOOST_TEST(!op->getObject("responses")->has("501"), name);
    BOOST_TEST(
        op->optValue<bool>("x-extension", false) == f.api->methods().find(name)->spec.extension,
        name);
  }
}

BOOST_AUTO_TEST_CASE(every_sip_transport_the_connect_accepts_is_in_the_enum) {
  ApiFixture f;
  const auto doc = fetchDocument(f);
  const auto schemas = doc->getObject("components")->getObject("schemas");
  for (const std::string schema : {"ConnectRequest", "HookConnectOverrides"}) {
    const auto transport = resolved(
        doc, schemas->getObject(schema)->getObject("properties")->getObject("sipTransport"));
    BOOST_TEST_REQUIRE(transport, schema);
    std::vector<std::string> values;
    for (const auto& value : *transport->getArray("enum")) values.push_back(value.toString());
    BOOST_TEST(values == (std::vector<std::string>{"udp", "tcp", "tls"}), schema);
  }
}

BOOST_AUTO_TEST_CASE(every_event_type_and_status_of_the_contract_is_documented) {
  ApiFixture f;
  const auto doc = fetchDocument(f);
  const auto schemas = doc->getObject("components")->getObject("schemas");
  const std::map<std::string, std::vector<std::string>> contract = {
      {"ConnectionStatusEvent", {"PENDING", "ESTABLISHED", "FAILED", "DISCONNECTED"}},
      {"RegistrationStatusEvent", {"REGISTERED", "UNREGISTERED", "FAILED"}},
      {"MessageStatusEvent",
       {"RECEIVED", "ACCEPTED", "FAILED", "IMDN_DELIVERED", "IMDN_FAILED",
        "IMDN_NOTIFICATION_SENT"}},
      {"OnMessageEvent", {}},
      {"SubscriptionStatusEvent", {"Active", "Terminated"}},
      {"XcapStatusEvent", {}},
      {"OnCallEvent",
       {"TRYING", "RING", "SESSION_PROGRESS", "BUSY", "ESTABLISHED", "HOLD", "FINISH", "FAILED"}},
      {"CallStatusEvent",
       {"TRYING", "RING", "SESSION_PROGRESS", "BUSY", "ESTABLISHED", "HOLD", "FINISH", "FAILED"}},
      {"TransferStatusEvent", {"ACCEPTED", "TRYING", "COMPLETED", "FAILED"}},
      {"OnDataEvent", {}},
      {"DataStatusEvent", {"ACCEPTED", "FAILED"}},
      {"ErrorEvent", {}},
  };
  const auto eventProps = schemas->getObject("Event")->getObject("properties");
  for (const char* field :
       {"type", "status", "eventId", "seq", "timestamp", "nodeId", "sessionId", "appKey"})
    BOOST_TEST(eventProps->has(field), field);
  const auto hooks = doc->getObject("x-webhooks");
  for (const auto& [type, statuses] : contract) {
    BOOST_TEST_REQUIRE(schemas->has(type), type);
    BOOST_TEST(hooks->has(type), type);
    std::ostringstream text;
    schemas->getObject(type)->stringify(text);
    for (const auto& status : statuses)
      BOOST_TEST(text.str().find('"' + status + '"') != std::string::npos, type << " " << status);
  }
  BOOST_TEST(hooks->has("connect"));
  const std::string description = doc->getObject("info")->getValue<std::string>("description");
  for (const char* needle : {"webhook-id", "webhook-timestamp", "webhook-signature", "410",
                             "Retry-After", "/connect", "maxWebSockets"})
    BOOST_TEST(description.find(needle) != std::string::npos, needle);
  const auto error = schemas->getObject("Error")->getObject("properties")->getObject("error");
  BOOST_TEST(error->getObject("properties")->has("field"));
}

BOOST_AUTO_TEST_SUITE_END()
